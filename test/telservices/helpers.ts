/** Shared set-up of the TelServices live tests: a simulator, a connection to it, and event collection. */
import type { ConnectionConfig, ConnectionWarning } from '../../shared/connection/types';
import type { PbxEvent } from '../../shared/model/events';
import { TelServicesConnection } from '../../shared/platforms/telservices/module';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator';

export interface Live {
  sim: Simulator;
  conn: TelServicesConnection;
  events: PbxEvent[];
  warnings: ConnectionWarning[];
  close(): Promise<void>;
}

export async function waitFor<T>(f: () => T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

export function config(sim: Simulator, over: Partial<ConnectionConfig> & { extra?: Record<string, unknown> } = {}): ConnectionConfig {
  const { extra, ...rest } = over;
  return {
    platform: 'telservices',
    url: sim.telservices.url,
    login: '',
    password: '',
    users: ['201', '202'],
    requestTimeoutMs: 2000,
    ...rest,
    extra: { udpHost: '127.0.0.1', backoffInitialMs: 50, backoffMaxMs: 400, ...extra },
  };
}

export async function live(over: Partial<ConnectionConfig> & { extra?: Record<string, unknown> } = {}, simOpts: SimulatorOptions = {}, waitReady = true): Promise<Live> {
  const sim = await startSimulator({ ringTimeoutMs: 60_000, ...simOpts });
  const conn = new TelServicesConnection(config(sim, over));
  const events: PbxEvent[] = [];
  const warnings: ConnectionWarning[] = [];
  conn.onEvent((e) => events.push(e));
  conn.onWarning((w) => warnings.push(w));
  if (waitReady) await conn.ready(8000);
  return {
    sim, conn, events, warnings,
    async close() {
      await conn.close();
      await sim.close();
    },
  };
}

export const ofType = (events: PbxEvent[], type: string, user?: string): PbxEvent[] => events.filter((e) => e.type === type && (!user || e.user === user));
