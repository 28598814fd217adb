/**
 * The PBX simulator: one virtual PBX and one ALE front-end per flavour (OpenTouch, O2G), each on its own loopback
 * port. Used by the tests, the benchmark, `pbxflow simulate` and the examples.
 */
import { AleFrontEnd } from './frontends/ale/server';
import { TelServicesFrontEnd, type TelServicesFrontEndOptions } from './frontends/telservices/server';
import { VoicenterFrontEnd, type SimSocketVersion } from './frontends/voicenter/server';
import { AsteriskFrontEnd, type AsteriskFrontEndOptions } from './frontends/asterisk/server';
import { startPhonesPage, type PhonesPage } from './web/server';
import { VirtualPbx } from './pbx/virtual-pbx';
import { DEFAULT_USERS, type SimUser } from './pbx/types';

export { VirtualPbx, VOICEMAIL_NUMBER, SimError } from './pbx/virtual-pbx';
export { DEFAULT_USERS } from './pbx/types';
export type { SimUser, PbxChange, SimCallView, SimRouteState } from './pbx/types';
export { AleFrontEnd } from './frontends/ale/server';
export { TelServicesFrontEnd } from './frontends/telservices/server';
export { VoicenterFrontEnd } from './frontends/voicenter/server';
export { AsteriskFrontEnd } from './frontends/asterisk/server';

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
  /** TelServices front-end (always started): TCP/HTTP ports (0 or absent: any free), end-of-message sequence, session limit. */
  telservices?: Pick<TelServicesFrontEndOptions, 'port' | 'httpPort' | 'endOfMessage' | 'sessionLimit' | 'callReference'>;
  /** Serve the phones page (virtual phones and queues, on 127.0.0.1); `port` 0 or absent: any free port. */
  web?: boolean | { port?: number };
  /** Start the Voicenter front-end (login API + socket.io servers); skipped, with `voicenterSkipped`, without socket.io. */
  voicenter?: boolean | { socketVersion?: SimSocketVersion; servers?: number; tokenTtlSeconds?: number };
  /** Start the Asterisk AMI front-end (TCP, any free port unless `port`). */
  asterisk?: boolean | Omit<AsteriskFrontEndOptions, 'pbx' | 'users' | 'host'>;
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
  /** The TelServices front-end (`url` tcp://, `httpUrl`, `port`, `httpPort`, faults); device numbers are the users' numbers. */
  telservices: TelServicesFrontEnd;
  /** The phones page's address, when started with `web`. */
  webUrl?: string;
  /** The Voicenter front-end (`loginUrl`, `socketUrls`, `credentials`, faults), when started with `voicenter`. */
  voicenter?: VoicenterFrontEnd;
  /** Why the Voicenter front-end was asked for but not started. */
  voicenterSkipped?: string;
  /** The Asterisk AMI front-end (`url` tcp://, `accounts`, faults), when started with `asterisk`. */
  asterisk?: AsteriskFrontEnd;
  close(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const users = (opts.users ?? DEFAULT_USERS).map((u) => ({ ...u, devices: [...u.devices] }));
  const pbx = new VirtualPbx({ users, ringTimeoutMs: opts.ringTimeoutMs });
  const common = { pbx, users, host: opts.host ?? '127.0.0.1', tls: opts.tls, sessionTtlSeconds: opts.sessionTtlSeconds };
  const ot = new AleFrontEnd({ ...common, flavour: 'opentouch', port: opts.port ?? 0 });
  const o2g = new AleFrontEnd({ ...common, flavour: 'o2g', port: opts.port ? opts.port + 1 : 0, rtsm: opts.o2gRtsm });
  let web: PhonesPage | undefined;
  const telservices = new TelServicesFrontEnd({ pbx, users, host: common.host, ...opts.telservices });
  let voicenter: VoicenterFrontEnd | undefined;
  let voicenterSkipped: string | undefined;
  let asterisk: AsteriskFrontEnd | undefined;
  try {
    await ot.start();
    await o2g.start();
    await telservices.start();
    if (opts.web) web = await startPhonesPage({ pbx, port: typeof opts.web === 'object' ? opts.web.port : undefined });
    if (opts.voicenter) {
      const vo = typeof opts.voicenter === 'object' ? opts.voicenter : {};
      voicenterSkipped = VoicenterFrontEnd.unavailable(vo.socketVersion);
      if (!voicenterSkipped) {
        voicenter = new VoicenterFrontEnd({ pbx, users, host: common.host, ...vo });
        await voicenter.start();
      }
    }
    if (opts.asterisk) {
      asterisk = new AsteriskFrontEnd({ pbx, users, host: common.host, ...(typeof opts.asterisk === 'object' ? opts.asterisk : {}) });
      await asterisk.start();
    }
  } catch (err) {
    await Promise.allSettled([ot.close(), o2g.close(), telservices.close(), voicenter?.close(), asterisk?.close()]);
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
    telservices,
    webUrl: web?.url,
    voicenter,
    voicenterSkipped,
    asterisk,
    async close() {
      await Promise.all([ot.close(), o2g.close(), telservices.close(), web?.close(), voicenter?.close(), asterisk?.close()]);
      pbx.close();
    },
  };
}
