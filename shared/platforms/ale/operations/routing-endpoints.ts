/**
 * Routing endpoints (forward, overflow, do-not-disturb), per platform: OpenTouch uses "custom routing"
 * (`POST /routing` with `forwardRoutes[]` and a `requestId`, results by event); O2G has dedicated
 * resources (`/routing/forwardroute`, `/routing/dnd`) and no `requestId`. The spec lost every request
 * body here, so each shape below is marked with where it comes from. Paths are relative to `/api/rest/1.0`.
 */
import type { AlePlatform, Endpoint } from './types';

export type Condition = 'immediate' | 'busy' | 'no_answer' | 'busy_no_answer';
export interface RouteInput {
  target: 'number' | 'voicemail';
  number?: string;
  condition: Condition;
  requestId?: string;
}

/** There is no IMMEDIATE literal on the wire: an immediate forward has no `forwardType`. */
export const wireCondition = (c: Condition): string | undefined => (c === 'immediate' ? undefined : c.toUpperCase());

const destination = (i: RouteInput, numberType: string, selected: boolean) => {
  const d: Record<string, unknown> = i.target === 'voicemail' ? { type: 'VOICEMAIL' } : { type: numberType, number: i.number };
  if (selected) d.selected = true;
  return d;
};

export interface RoutingEndpoints {
  getState: Endpoint<object>;
  setForward: Endpoint<RouteInput>;
  cancelForward: Endpoint<{ requestId?: string }>;
  setOverflow: Endpoint<RouteInput>;
  cancelOverflow: Endpoint<{ requestId?: string }>;
  /** Absent: the platform has no do-not-disturb. */
  dndOn?: Endpoint<object>;
  dndOff?: Endpoint<object>;
  getDnd?: Endpoint<object>;
  /** The platform correlates asynchronous results with our `requestId`. */
  usesRequestId: boolean;
}

export const ROUTING: Record<AlePlatform, RoutingEndpoints> = {
  opentouch: {
    getState: { method: 'GET', path: () => '/routing/state' },
    setForward: {
      method: 'POST', path: () => '/routing',
      body: (i) => ({ forwardRoutes: [{ ...(wireCondition(i.condition) ? { forwardType: wireCondition(i.condition) } : {}), destinations: [destination(i, 'NUMBER', true)] }], requestId: i.requestId }),
      inferred: 'SetRoutesRequest body: the spec kept only example titles. NUMBER (STANDARD users) for numbers, selected:true as the inventory suggests.',
    },
    cancelForward: {
      method: 'POST', path: () => '/routing', body: (i) => ({ forwardRoutes: [], requestId: i.requestId }),
      inferred: 'The "disable an immediate forward" example lost its body; an empty forwardRoutes list unselects the forward.',
    },
    setOverflow: {
      method: 'POST', path: () => '/routing/overflowroute',
      body: (i) => ({ overflowRoutes: [{ overflowType: wireCondition(i.condition) ?? 'BUSY_NO_ANSWER', destinations: [destination(i, 'UNKNOWN', false)] }], requestId: i.requestId }),
      inferred: 'SetOverflowRoutesRequest body lost; numbers go as UNKNOWN, which the server turns into USER or OTHER.',
    },
    cancelOverflow: {
      method: 'DELETE', path: () => '/routing/overflowroute', query: (i) => ({ requestId: i.requestId }),
      inferred: 'CancelOverflowRoutesRequest is undefined in the spec; requestId goes as the query parameter the spec allows.',
    },
    usesRequestId: true,
  },
  o2g: {
    getState: { method: 'GET', path: () => '/routing/state' },
    setForward: {
      method: 'POST', path: () => '/routing/forwardroute',
      body: (i) => ({ forwardRoute: { ...(wireCondition(i.condition) ? { forwardType: wireCondition(i.condition) } : {}), destinations: [destination(i, 'NUMBER', false)] } }),
    },
    cancelForward: { method: 'DELETE', path: () => '/routing/forwardroute' },
    setOverflow: {
      method: 'POST', path: () => '/routing/overflowroute',
      body: (i) => ({ overflowRoutes: [{ overflowType: wireCondition(i.condition) ?? 'BUSY_NO_ANSWER', destinations: [destination(i, 'NUMBER', true)] }] }),
      inferred: 'Array form (Java SDK; the Node SDK sends one object). Overflow to a NUMBER is not in either SDK.',
    },
    cancelOverflow: { method: 'DELETE', path: () => '/routing/overflowroute' },
    dndOn: { method: 'POST', path: () => '/routing/dnd' },
    dndOff: { method: 'DELETE', path: () => '/routing/dnd' },
    getDnd: { method: 'GET', path: () => '/routing/dnd' },
    usesRequestId: false,
  },
};
