/**
 * The PBX simulator: one virtual PBX and one ALE front-end per flavour (OpenTouch, O2G), each on its own loopback
 * port. Used by the tests, the benchmark, `pbxflow simulate` and the examples.
 */
import { AleFrontEnd } from './frontends/ale/server';
import { VirtualPbx } from './pbx/virtual-pbx';
import { DEFAULT_USERS, type SimUser } from './pbx/types';

export { VirtualPbx, VOICEMAIL_NUMBER, SimError } from './pbx/virtual-pbx';
export { DEFAULT_USERS } from './pbx/types';
export type { SimUser, PbxChange, SimCallView, SimRouteState } from './pbx/types';
export { AleFrontEnd } from './frontends/ale/server';

export type SimPlatform = 'opentouch' | 'o2g';

export interface SimulatorOptions {
  host?: string;
  /** Port of the OpenTouch front-end (O2G takes the next one); 0 or absent: any free ports. */
  port?: number;
  users?: SimUser[];
  ringTimeoutMs?: number;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  sessionTtlSeconds?: number;
  /** O2G front-end sends telephony events in the internal `RTSM_*` form. */
  o2gRtsm?: boolean;
}

export interface SimulatorFaults {
  /** Breaks every open event channel (TCP reset); subscriptions and their queued events survive. */
  dropChannel(platform?: SimPlatform): void;
  /** Ends every session as if it timed out: subscriptions and queues are gone. */
  expireSessions(platform?: SimPlatform): void;
  /** Server restart: all sessions and connections lost at once; calls go on. */
  restart(platform?: SimPlatform): void;
  /** Delay every REST answer by `ms` (0 to stop). */
  slowAnswers(ms: number, platform?: SimPlatform): void;
  /** Write a line that is not JSON to every open channel. */
  sendMalformedLine(platform?: SimPlatform): void;
}

export interface Simulator {
  pbx: VirtualPbx;
  users: SimUser[];
  /** Demo logins and passwords. */
  credentials: Array<{ login: string; password: string; admin: boolean }>;
  frontEnds: Record<SimPlatform, AleFrontEnd>;
  url(platform: SimPlatform): string;
  faults: SimulatorFaults;
  /** Feeds raw event lines (a recorded trace) to every subscription of that front-end. */
  replay(platform: SimPlatform, lines: string[]): void;
  close(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const users = (opts.users ?? DEFAULT_USERS).map((u) => ({ ...u, devices: [...u.devices] }));
  const pbx = new VirtualPbx({ users, ringTimeoutMs: opts.ringTimeoutMs });
  const common = { pbx, users, host: opts.host ?? '127.0.0.1', tls: opts.tls, sessionTtlSeconds: opts.sessionTtlSeconds };
  const ot = new AleFrontEnd({ ...common, flavour: 'opentouch', port: opts.port ?? 0 });
  const o2g = new AleFrontEnd({ ...common, flavour: 'o2g', port: opts.port ? opts.port + 1 : 0, rtsm: opts.o2gRtsm });
  try {
    await ot.start();
    await o2g.start();
  } catch (err) {
    await Promise.allSettled([ot.close(), o2g.close()]);
    pbx.close();
    throw err;
  }
  const frontEnds: Record<SimPlatform, AleFrontEnd> = { opentouch: ot, o2g };
  const each = (p: SimPlatform | undefined, f: (fe: AleFrontEnd) => void) => (p ? [frontEnds[p]] : [ot, o2g]).forEach(f);
  return {
    pbx,
    users,
    credentials: users.map((u) => ({ login: u.login, password: u.password, admin: u.admin === true })),
    frontEnds,
    url: (p) => frontEnds[p].url,
    faults: {
      dropChannel: (p) => each(p, (fe) => fe.dropChannels()),
      expireSessions: (p) => each(p, (fe) => fe.expireSessions()),
      restart: (p) => each(p, (fe) => fe.restart()),
      slowAnswers: (ms, p) => each(p, (fe) => fe.slowAnswers(ms)),
      sendMalformedLine: (p) => each(p, (fe) => fe.sendMalformedLine()),
    },
    replay: (p, lines) => frontEnds[p].replay(lines),
    async close() {
      await Promise.all([ot.close(), o2g.close()]);
      pbx.close();
    },
  };
}
