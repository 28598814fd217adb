/** What every case does with a connection: open it on a rig, collect what it says, wait, close. */
import type { ConnectionConfig, ConnectionWarning, PbxConnection } from '../../shared/connection/types';
import type { ConnectionStateInfo, PbxEvent } from '../../shared/model/events';
import type { PlatformEntry, Rig } from './platforms';

export interface Probe {
  conn: PbxConnection;
  events: PbxEvent[];
  warnings: ConnectionWarning[];
  states: ConnectionStateInfo[];
  callEvents(): PbxEvent[];
}

export function open(p: PlatformEntry, rig: Rig, over?: Partial<ConnectionConfig> & { extra?: Record<string, unknown> }): Probe {
  const conn = p.create(rig.config(over));
  const events: PbxEvent[] = [];
  const warnings: ConnectionWarning[] = [];
  const states: ConnectionStateInfo[] = [];
  conn.onEvent((e) => events.push(e));
  conn.onWarning((w) => warnings.push(w));
  conn.onState((s) => states.push(s));
  return { conn, events, warnings, states, callEvents: () => events.filter((e) => e.type.startsWith('call.')) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(pred: () => unknown, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** States in order with repeats collapsed (`reconnecting` attempts 1, 2, 3 are one `reconnecting`). */
export function stateRun(states: ConnectionStateInfo[]): string[] {
  const out: string[] = [];
  for (const s of states) if (out[out.length - 1] !== s.state) out.push(s.state);
  return out;
}

/** Active resources by kind (`process.getActiveResourcesInfo()`). */
export function resources(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

/** Resources present now beyond `before` (kind: how many more); empty when none. */
export function extraResources(before: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of resources()) if (n > (before.get(k) ?? 0)) out[k] = n - (before.get(k) ?? 0);
  return out;
}
