/** Shared set-up for the Voicenter tests: a simulator with the Voicenter front-end, connections to it, waiting. */
import type { ConnectionConfig, ConnectionWarning } from '../../shared/connection/types';
import type { PbxEvent } from '../../shared/model/events';
import { VoicenterConnection, type VoicenterDeps } from '../../shared/platforms/voicenter/module';
import { startSimulator, type Simulator } from '../../simulator';
import type { VoicenterFrontEnd } from '../../simulator/frontends/voicenter/server';

export interface VcSim {
  sim: Simulator;
  vc: VoicenterFrontEnd;
}

export async function startVc(socketVersion: '2' | '4' = '2', extra: { tokenTtlSeconds?: number; epochs?: 'local' | 'utc' } = {}): Promise<VcSim> {
  const sim = await startSimulator({ voicenter: { socketVersion, ...extra } });
  if (!sim.voicenter) throw new Error(sim.voicenterSkipped ?? 'no Voicenter front-end');
  return { sim, vc: sim.voicenter };
}

export interface Probe {
  conn: VoicenterConnection;
  events: PbxEvent[];
  warnings: ConnectionWarning[];
  states: string[];
  of(type: string): PbxEvent[];
}

export type LoginKind = 'user' | 'account' | 'token' | 'token-api';

/** A connection of one login type to the simulator, with fast timers. */
export function connect(s: VcSim, kind: LoginKind = 'user', over: Partial<ConnectionConfig> & { extra?: Record<string, unknown> } = {}, deps: VoicenterDeps = {}): Probe {
  const c = s.vc.credentials;
  const base: ConnectionConfig =
    kind === 'user' ? { platform: 'voicenter', url: s.vc.loginUrl, login: c.user[0].email, password: c.user[0].password }
      : kind === 'account' ? { platform: 'voicenter', url: s.vc.loginUrl, login: c.account.username, password: c.account.password }
        : { platform: 'voicenter', url: s.vc.loginUrl, login: '', password: c.token };
  const extra: Record<string, unknown> = {
    loginType: kind === 'token-api' ? 'token' : kind,
    backoffInitialMs: 40, backoffMaxMs: 300, healthyAfterMs: 200,
    monitorUrl: s.vc.monitorUrl,
    ...(kind === 'token-api' ? { useLoginApi: true } : {}),
    ...(kind === 'account' ? { serverUrl: s.vc.socketUrls[0] } : {}),
    ...over.extra,
  };
  const conn = new VoicenterConnection({ ...base, requestTimeoutMs: 2000, ...over, extra }, deps);
  const events: PbxEvent[] = [];
  const warnings: ConnectionWarning[] = [];
  const states: string[] = [];
  conn.onEvent((e) => events.push(e));
  conn.onWarning((w) => warnings.push(w));
  conn.onState((st) => states.push(st.state));
  return { conn, events, warnings, states, of: (t) => events.filter((e) => e.type === t) };
}

export async function waitFor(pred: () => boolean, timeoutMs = 8000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const callKinds = (events: PbxEvent[]): string[] =>
  events.filter((e) => e.type.startsWith('call.')).map((e) => `${e.type}${e.call?.endReason ? `:${e.call.endReason}` : ''}`);
