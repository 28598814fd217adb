/**
 * The demo's simulator and the flow settings that point at it, in one place: `npm start` (run.ts) and the editor
 * test (test/browser/editor-driver.mjs) deploy the very same flows.
 */
import { startSimulator, type Simulator } from '../../simulator';
import { DEMO_GROUPS, DEMO_USERS, FREEPBX_COMPANY } from '../../simulator/pbx/cast';
import type { SimRingGroup } from '../../simulator/pbx/types';
import type { DemoFlowOptions } from './flows';
import { ALE_COMPANY, FRONT_DESK, SUPPORT_PILOT, TELSERVER_COMPANY } from './traffic';

/** The user whose line follows the calendar on the ALE side, and her mobile (outside numbers: the call leaves the PBX). */
export const CALENDAR_USER = 'alice';
export const MOBILE = '0612345678';
/** The same on the TelServer side: Erin's device 301. */
export const TS_CALENDAR_USER = { login: 'erin', device: '301' };
export const TS_MOBILE = '0687654321';

/** Every ring group of the demo's PBX: the front desk and the FreePBX company's Sales line. */
export const GROUPS: SimRingGroup[] = [FRONT_DESK, ...DEMO_GROUPS];
/** The ticket flows' follow-up time: 0, no escalation (see flows.ts `followUpMinutes` and docs/demo.md). */
export const FOLLOW_UP_MINUTES = 0;

/**
 * One virtual PBX behind every front-end: OpenTouch, O2G, TelServices, Voicenter (when socket.io is installed) and
 * Asterisk AMI (the FreePBX company and its Sales ring group), with the ring groups above.
 */
export async function startDemoSimulator(o: { web?: boolean } = {}): Promise<Simulator> {
  const sim = await startSimulator({ users: DEMO_USERS, ringTimeoutMs: 8000, web: o.web === true, voicenter: true, asterisk: true });
  for (const g of GROUPS) sim.pbx.addGroup(g);
  return sim;
}

/** Where the flows write and read, and how often the calendar is read. */
export interface DemoFiles {
  /** Every company's tickets (one file). */
  ticketsFile: string;
  calendarFile: string;
  calendarEverySeconds: number;
}

/** The AMI manager account of the simulator (manager.conf's user and secret; demo values). */
function amiAccount(sim: Simulator): { login: string; password: string } {
  const [login, password] = Object.entries(sim.asterisk?.accounts ?? {})[0] ?? ['', ''];
  return { login, password };
}

export function demoFlowOptions(sim: Simulator, files: DemoFiles): DemoFlowOptions {
  const admin = sim.credentials.find((c) => c.admin);
  if (!admin) throw new Error('the simulator has no administrator login');
  const vc = sim.voicenter;
  return {
    pbxUrl: sim.url('opentouch'), o2gUrl: sim.url('o2g'), pilots: { [SUPPORT_PILOT.number]: SUPPORT_PILOT.name },
    login: admin.login, password: admin.password, users: ALE_COMPANY,
    ...files, calendarUser: CALENDAR_USER, mobile: MOBILE,
    telservices: {
      url: sim.telservices.url, devices: TELSERVER_COMPANY.map((u) => u.number), login: admin.login, password: admin.password,
      calendarDevice: TS_CALENDAR_USER.device, mobile: TS_MOBILE,
    },
    asterisk: sim.asterisk ? { url: sim.asterisk.url, ...amiAccount(sim), extensions: FREEPBX_COMPANY.map((u) => u.number) } : undefined,
    groups: GROUPS.map((g) => ({
      number: g.number, name: g.name, members: g.members.flatMap((m) => [m, ...DEMO_USERS.filter((u) => u.login === m).map((u) => u.number)]),
    })),
    followUpMinutes: FOLLOW_UP_MINUTES,
    voicenter: vc ? { loginUrl: vc.loginUrl, serverUrl: vc.socketUrls[0], login: vc.credentials.account.username, password: vc.credentials.account.password } : undefined,
  };
}
