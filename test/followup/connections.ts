/**
 * Each platform's own connection to the simulator, monitoring the ring-group members alice, bob and carol, with the
 * credentials and user ids that platform uses and scaled retry timings: shared by the follow-up suites.
 */
import type { ConnectionConfig, PbxConnection } from '../../shared/connection/types';
import { AleConnection } from '../../shared/platforms/ale/connection';
import { create as createAsterisk } from '../../shared/platforms/asterisk/module';
import { TelServicesConnection } from '../../shared/platforms/telservices/module';
import { VoicenterConnection } from '../../shared/platforms/voicenter/module';
import { configureFollowUp } from '../../shared/followup/hub';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator';

export const MEMBERS = ['alice', 'bob', 'carol'] as const;
export const EXT: Record<string, string> = { alice: '201', bob: '202', carol: '203' };
export const scaled = { backoffInitialMs: 50, backoffMaxMs: 400 };

export type Front = 'opentouch' | 'telservices' | 'voicenter' | 'asterisk';

export function connectionFor(sim: Simulator, front: Front): PbxConnection {
  const users = MEMBERS.map((m) => EXT[m]);
  switch (front) {
    case 'opentouch': {
      const admin = sim.credentials.find((c) => c.admin)!;
      const config: ConnectionConfig = {
        platform: 'opentouch', url: sim.url('opentouch'), login: admin.login, password: admin.password, sessionKind: 'admin', users: [...MEMBERS], requestTimeoutMs: 2000, extra: scaled,
      };
      return new AleConnection(config);
    }
    case 'telservices':
      return new TelServicesConnection({ platform: 'telservices', url: sim.telservices.url, login: '', password: '', users, requestTimeoutMs: 2000, extra: { udpHost: '127.0.0.1', ...scaled } });
    case 'voicenter': {
      const vc = sim.voicenter!;
      return new VoicenterConnection({
        platform: 'voicenter', url: vc.loginUrl, login: vc.credentials.account.username, password: vc.credentials.account.password, requestTimeoutMs: 2000,
        extra: { loginType: 'account', serverUrl: vc.socketUrls[0], socketVersion: '2', ...scaled },
      });
    }
    case 'asterisk':
      return createAsterisk({ platform: 'asterisk', url: sim.asterisk!.url, login: 'pbxflow', password: 'ami-secret', users, extra: { ...scaled, keepaliveMs: 5000, requestTimeoutMs: 2000 } });
  }
}

/** A ring group of the three members (all at once), giving up after `ringMs`. */
export const ringAll = (number: string, ringMs: number, name = 'Sales') =>
  ({ number, name, members: [...MEMBERS], strategy: 'ringall' as const, ringMs });

/** The suite's simulator with its ring groups; the follow-up's settle time is `settleMs` until `stopFollowUpSimulator`. */
export async function startFollowUpSimulator(settleMs: number, groups: Array<ReturnType<typeof ringAll>>, options: SimulatorOptions = {}): Promise<Simulator> {
  configureFollowUp({ settleMs });
  const sim = await startSimulator({ ringTimeoutMs: 60_000, voicenter: { socketVersion: '2' }, asterisk: { authFailDelayMs: 10 }, ...options });
  for (const g of groups) sim.pbx.addGroup(g);
  return sim;
}

export async function stopFollowUpSimulator(sim: Simulator | undefined): Promise<void> {
  configureFollowUp();
  await sim?.close();
}
