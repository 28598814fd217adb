/** Shared set-up for the ALE tests: a simulator, connections to it, and waiting on events. */
import type { ConnectionConfig } from '../../shared/connection/types';
import type { PbxEvent } from '../../shared/model/events';
import { AleConnection, type AleDiagnostic } from '../../shared/platforms/ale/connection';
import type { Simulator } from '../../simulator';

export interface Probe {
  conn: AleConnection;
  events: PbxEvent[];
  diags: AleDiagnostic[];
  calls(user?: string): PbxEvent[];
}

export function connect(sim: Simulator, platform: 'opentouch' | 'o2g', over: Partial<ConnectionConfig> = {}): Probe {
  const cfg: ConnectionConfig = {
    platform,
    url: sim.url(platform),
    login: 'bob',
    password: 'bob-pw',
    requestTimeoutMs: 2000,
    extra: { backoffInitialMs: 50, backoffMaxMs: 400 },
    ...over,
  };
  const conn = new AleConnection(cfg);
  const events: PbxEvent[] = [];
  const diags: AleDiagnostic[] = [];
  conn.onEvent((e) => events.push(e));
  conn.onDiagnostic((d) => diags.push(d));
  return { conn, events, diags, calls: (user) => events.filter((e) => e.type.startsWith('call.') && (!user || e.user === user)) };
}

export async function waitFor(pred: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const kinds = (events: PbxEvent[]): string[] => events.map((e) => `${e.type}:${e.call?.id ?? ''}${e.call?.endReason ? `:${e.call.endReason}` : ''}`);
