/**
 * ALE `RoutingState` -> the normalized `RoutingInfo`, the same reading as the event normalizer's
 * (first forward / overflow route, first destination; absent `forwardType` = immediate; O2G `dndState`).
 */
import type { RouteInfo, RoutingInfo } from '../../../model/events';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const first = (v: unknown): Obj | undefined => (Array.isArray(v) ? obj(v[0]) : obj(v));

function route(r: Obj | undefined, condition: unknown, fallback: string): RouteInfo | null {
  const d = first(r?.destinations);
  if (!d) return null;
  const out: RouteInfo = { type: String(d.type ?? 'UNKNOWN').toLowerCase(), condition: String(condition ?? fallback).toLowerCase() };
  if (typeof d.number === 'string' && d.number) out.destination = d.number;
  return out;
}

export function routingInfoOf(state: unknown): RoutingInfo {
  const rs = obj(state) ?? {};
  const fwd = first(rs.forwardRoutes);
  const ovf = first(rs.overflowRoutes);
  return {
    forward: route(fwd, fwd?.forwardType, 'immediate'),
    overflow: route(ovf, ovf?.overflowType, 'no_answer'),
    dnd: obj(rs.dndState)?.activate === true,
  };
}
