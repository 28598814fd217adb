/**
 * The platforms the conformance suite runs over: one entry each. An entry starts the simulator with a fault peer in
 * front of that platform's front-end (test/helpers/fault-*.ts) and says, in that platform's words, how to make a
 * connection config, inject a bad input, make a retry path fail, echo secrets, drop the stream, serve an unreadable
 * snapshot and deliver late events. The cases (*.test.ts) only use this interface: a platform joins by adding one
 * entry to PLATFORMS.
 *
 * Timings are scaled by 1/20 (back-off 25 ms first step, 1.5 s cap, 0.5 s healthy; keep-alives 3 s), so a window
 * of SCALED_MINUTE_MS stands for one minute at the default settings (500 ms, 30 s, 10 s; 60 s).
 */
import type { ConnectionConfig, PbxConnection } from '../../shared/connection/types';
import { AleConnection } from '../../shared/platforms/ale/connection';
import { encodeEvent, encodeReturn } from '../../shared/platforms/telservices/codec';
import { TelServicesConnection } from '../../shared/platforms/telservices/module';
import { VoicenterConnection } from '../../shared/platforms/voicenter/module';
import { create as createAsterisk } from '../../shared/platforms/asterisk/module';
import { DEFAULT_USERS, startSimulator, type SimUser, type Simulator } from '../../simulator';
import { startHttpFaultPeer, type ProxiedRequest } from '../helpers/fault-http';
import { startTelServicesFaultPeer } from '../helpers/fault-telservices';
import { startVoicenterFaultPeer } from '../helpers/fault-voicenter';

export const SCALED_MINUTE_MS = 3000;
export const SCALED = { backoffInitialMs: 25, backoffMaxMs: 1500, healthyAfterMs: 500 };
/** Voicenter's token refresh floor and ceiling window at the same scale (defaults 6 s and 60 s). */
const SCALED_REFRESH = { refreshFloorMs: 300, refreshWindowMs: SCALED_MINUTE_MS };
/** The most retries of one kind a failing server may see per minute (issue 19). */
export const CEILING_PER_MINUTE = 10;

/**
 * The monitored user's password everywhere: it changes under every encoding (URL, JSON, XML, base64), so each form
 * is a distinct string to look for.
 */
export const PASSWORD = 'Pw&<"9 /x+k\'Q';
export const LOGIN = 'bob';
/** Bob's extension (all platforms monitor Bob). */
export const NUMBER = '202';
export const CALLER = '0611223344';

export type RetryPath = 'login' | 'subscription' | 'stream' | 'resync' | 'token refresh' | 'token refresh (failing)' | 'snapshot';
export const RETRY_PATHS: readonly RetryPath[] = ['login', 'subscription', 'stream', 'resync', 'token refresh', 'token refresh (failing)', 'snapshot'];

/** A retry path made to fail: the count of its attempts at the server, and how to stop the fault. */
export interface RetryFault {
  /** What is counted (for the report). */
  what: string;
  count(): number;
  /** Extra config for this fault (a shorter request deadline...). */
  config?: Partial<ConnectionConfig> & { extra?: Record<string, unknown> };
  /** Starts once the connection exists (e.g. events sent at the connection). */
  drive?(): () => void;
  /** Sessions opened and not closed at the server, for paths where sessions pile up. */
  leftOpen?(): number;
}

export interface Rig {
  sim: Simulator;
  /** A config for this rig (scaled timings); `over` changes fields, `extra` is merged. */
  config(over?: Partial<ConnectionConfig> & { extra?: Record<string, unknown> }): ConnectionConfig;
  /** Requests that carried the credentials (logins, session opens). */
  authRequests(): number;
  /** Sessions or logged-in sockets the server holds for us now. */
  serverSessions(): number;
  /** Event streams opened so far (a reconnect opens one more). */
  streamsOpened(): number;
  /** One bad frame / line / datagram on the live stream. */
  injectBadInput(): void;
  retry(path: RetryPath): RetryFault | undefined;
  /** From now on the server echoes what it is sent (password, headers, cookies, tokens) in its error texts. */
  echoSecrets(): { served(): number; config?: Partial<ConnectionConfig> & { extra?: Record<string, unknown> } };
  /** Values the server minted (cookies, tokens): secrets too. */
  minted(): string[];
  dropStream(): void;
  /** The next snapshot the client reads is unreadable (every entry); triggers it. served(): it was delivered. */
  unreadableSnapshot(): { served(): boolean };
  /** The call's remaining events are kept back, the call ends while the stream is down (the resync ends it). */
  endDuringOutage(callRef: string): Promise<void>;
  /** The kept-back events arrive, late. */
  releaseLate(): void;
  stop(): Promise<void>;
}

export interface PlatformEntry {
  name: string;
  create(config: ConnectionConfig): PbxConnection;
  start(): Promise<Rig>;
  /** A configuration the connection must refuse (thrown from its constructor). */
  badConfig(): ConnectionConfig;
  /** The retry paths this platform has (`Rig.retry` makes each fail); the others do not exist on it. */
  retryPaths: readonly RetryPath[];
}

export function simUsers(): SimUser[] {
  // Bob and the administrator get the hard password (TelServices and Voicenter account logins use the admin).
  return DEFAULT_USERS.map((u) => (u.login === LOGIN || u.admin ? { ...u, password: PASSWORD, devices: [...u.devices] } : { ...u, devices: [...u.devices] }));
}

/** The forms of a secret that must never appear in a text. */
export function secretForms(login: string, password: string): string[] {
  const xml = password.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
  const xmlMin = password.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [...new Set([
    password,
    encodeURIComponent(password),
    new URLSearchParams({ a: password }).toString().slice(2),
    JSON.stringify(password).slice(1, -1),
    xml,
    xmlMin,
    Buffer.from(password).toString('base64'),
    Buffer.from(`${login}:${password}`).toString('base64'),
  ])];
}

/** A text a server might send back: every form of the password, and whatever else it was given. */
function echoText(extra: string, login = LOGIN): string {
  return `rejected ${secretForms(login, PASSWORD).join(' | ')} ${extra}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- ALE: OpenTouch and O2G -----------------------------------------------------------------------------

function alePlatform(platform: 'opentouch' | 'o2g'): PlatformEntry {
  return {
    name: platform,
    create: (c) => new AleConnection(c),
    // No token refresh (sessions are kept alive); the snapshot is the resync.
    retryPaths: ['login', 'subscription', 'stream', 'resync'],
    badConfig: () => ({ platform, url: '', login: '', password: PASSWORD }),
    async start() {
      const sim = await startSimulator({ users: simUsers(), ringTimeoutMs: 60_000 });
      // The request that carries the credentials: OpenTouch first asks `authenticate` (SSO, refused by design) and
      // then logs in on `authenticatenosso`; O2G logs in on `authenticate`.
      const loginPath = platform === 'opentouch' ? '/authenticatenosso' : '/authenticate';
      const isLogin = (r: ProxiedRequest) => r.path.endsWith(loginPath) && r.headers.authorization !== undefined;
      const resyncPath = (r: ProxiedRequest) => r.method === 'GET' && /\/telephony\/(calls|state)$/.test(r.path);
      const peer = await startHttpFaultPeer({
        upstream: sim.url(platform),
        isStream: (r) => r.path.endsWith('/OTEvents'),
        classify: (r) => {
          if (isLogin(r)) return 'login';
          if (r.method === 'POST' && r.path.endsWith('/subscriptions')) return 'subscription';
          if (r.path.endsWith('/OTEvents')) return 'stream';
          if (resyncPath(r)) return 'resync';
          return undefined;
        },
      });
      const fe = sim.frontEnds[platform];
      const count = (k: string) => () => peer.counts[k] ?? 0;
      const fail500 = (match: (r: ProxiedRequest) => boolean) => peer.rules.push((r) => (match(r) ? { status: 500, body: { type: 'SERVER_PROBLEM', helpMessage: 'internal error' } } : undefined));
      return {
        sim,
        config: (over = {}) => {
          const { extra, ...rest } = over;
          return { platform, url: peer.url, login: LOGIN, password: PASSWORD, requestTimeoutMs: 2000, ...rest, extra: { ...SCALED, ...extra } };
        },
        authRequests: count('login'),
        serverSessions: () => fe.state.sessions.size,
        streamsOpened: count('stream'),
        injectBadInput: () => sim.faults.sendMalformedLine(platform),
        retry(path) {
          switch (path) {
            case 'login':
              fail500(isLogin);
              return { what: 'authentications', count: count('login') };
            case 'subscription':
              fail500((r) => r.method === 'POST' && r.path.endsWith('/subscriptions'));
              return { what: 'subscription POSTs', count: count('subscription') };
            case 'stream':
              // The channel answers its first line and ends: a stream that never lasts.
              peer.rules.push((r) => (r.path.endsWith('/OTEvents') ? { status: 200, body: `${JSON.stringify({ eventName: 'OnChannelInformation', text: 'Chunk started' })}\n`, streamThenEnd: true } : undefined));
              return { what: 'channel opens', count: count('stream') };
            case 'resync':
              fail500(resyncPath);
              return { what: 'resync GETs', count: count('resync') };
            default:
              return undefined; // ALE has no token refresh; its snapshot is the resync
          }
        },
        echoSecrets() {
          let served = 0;
          // The first logins fail with a 500 that echoes the request (Authorization header included); later the
          // resync and Make Call fail with a 500 that echoes the session cookie and token they were sent.
          peer.rules.push((r) => {
            const makeCall = r.method === 'POST' && /\/telephony\/calls$/.test(r.path);
            if ((isLogin(r) && served < 2) || resyncPath(r) || makeCall) {
              served++;
              return { status: 500, body: { type: 'SERVER_PROBLEM', helpMessage: echoText(JSON.stringify(r.headers)), message: `cookie ${r.headers.cookie ?? ''} ${r.headers.authorization ?? ''}` } };
            }
            return undefined;
          });
          return { served: () => served };
        },
        minted: () => [...peer.minted],
        dropStream: () => peer.cutStreams(),
        unreadableSnapshot() {
          let served = false;
          peer.transforms.push((r, status, json) => {
            if (!resyncPath(r) || status !== 200 || !json || typeof json !== 'object') return undefined;
            served = true;
            return { ...json, calls: [null, 1, 'x'] };
          });
          peer.cutStreams();
          return { served: () => served };
        },
        async endDuringOutage(ref) {
          peer.hold();
          sim.pbx.callerHangsUp(ref);
          await sleep(200); // the end events reach the peer, which keeps them
          peer.cutStreams();
        },
        releaseLate: () => peer.release(),
        async stop() {
          await peer.close();
          await sim.close();
        },
      };
    },
  };
}

// ---- TelServices ----------------------------------------------------------------------------------------

const TS_ERROR = (name: string) => encodeReturn({ ok: false, error: name });

export const telservices: PlatformEntry = {
  name: 'telservices',
  create: (c) => new TelServicesConnection(c),
  // openSession is login and subscription at once; no tokens.
  retryPaths: ['login', 'stream', 'resync', 'snapshot'],
  badConfig: () => ({ platform: 'telservices', url: 'tcp://127.0.0.1:1', login: LOGIN, password: PASSWORD, users: ['not a device!'] }),
  async start() {
    const sim = await startSimulator({ users: simUsers(), ringTimeoutMs: 60_000 });
    const peer = await startTelServicesFaultPeer(sim.telservices.port);
    const count = (k: string) => () => peer.counts[k] ?? 0;
    const fe = sim.telservices;
    return {
      sim,
      config: (over = {}) => {
        const { extra, ...rest } = over;
        return {
          platform: 'telservices', url: peer.url, login: LOGIN, password: PASSWORD, users: [NUMBER], requestTimeoutMs: 2000, ...rest,
          extra: { udpHost: '127.0.0.1', keepAliveMs: 3000, ...SCALED, ...extra },
        };
      },
      authRequests: count('openSession'),
      serverSessions: () => fe.sessions.size,
      streamsOpened: count('openSession'),
      injectBadInput: () => fe.sendGarbled(NUMBER),
      retry(path) {
        // Sessions the gateway opened for us that we never closed (each openSession here opens or rejoins one).
        const leftOpen = () => count('openSession:ok')() - count('closeSession')();
        switch (path) {
          case 'login':
            peer.rules.push((r) => (r.service === 'openSession' ? TS_ERROR('resourceError') : undefined));
            return { what: 'openSession requests', count: count('openSession') };
          case 'stream':
            // Each session is closed by the administrator right after it was opened and resynced.
            peer.afterAnswer.push((r, answer) => {
              if (r.service === 'snapshot' && r.device && answer.includes('<result>')) {
                setTimeout(() => peer.sendDatagram(r.device!, encodeEvent({ deviceNumber: r.device, event: { name: 'session', value: 'sessionClosedByAdmin' } })), 5);
              }
            });
            return { what: 'openSession requests', count: count('openSession') };
          case 'resync':
            peer.rules.push((r) => (r.service === 'snapshot' ? TS_ERROR('resourceError') : undefined));
            return { what: 'snapshot requests', count: count('snapshot'), leftOpen };
          case 'snapshot':
            // Events for calls the client has never seen, 50 a second, each with a new call id (issue 19 item 3).
            return {
              what: 'snapshot requests',
              count: count('snapshot'),
              drive() {
                let id = 5000;
                const t = setInterval(() => {
                  peer.sendDatagram(NUMBER, encodeEvent({ deviceNumber: NUMBER, event: { name: 'call', value: { id: String(++id), primCall: { state: 'connected', otherParty: { number: CALLER } } } } }));
                }, 20);
                return () => clearInterval(t);
              },
            };
          default:
            return undefined; // no subscription apart from the session, no tokens
        }
      },
      echoSecrets() {
        let served = 0;
        peer.rules.push((r) => {
          if (r.service === 'makeCall') return served++, `<TelServiceReturn><error><reject>${echoText(r.xml).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</reject></error></TelServiceReturn>`;
          if (r.service !== 'openSession' || served >= 3) return undefined;
          served++;
          // First an answer that is not a TelServiceReturn at all, then error returns with the echo as their text.
          return served === 1 ? `ERROR ${echoText(r.xml)}` : `<TelServiceReturn><error><reject>${echoText(r.xml).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</reject></error></TelServiceReturn>`;
        });
        return { served: () => served };
      },
      minted: () => [],
      dropStream: () => fe.closeByAdmin(NUMBER),
      unreadableSnapshot() {
        let served = false;
        peer.transforms.push((r, answer) => {
          if (r.service !== 'snapshot' || !answer.includes('<result>')) return undefined;
          served = true;
          return '<TelServiceReturn><result><snapshot><calls><call/><call>1</call><call><primCall>x</primCall></call></calls></snapshot></result></TelServiceReturn>';
        });
        fe.closeByAdmin(NUMBER); // the client reopens its session and reads a snapshot
        return { served: () => served };
      },
      async endDuringOutage(ref) {
        peer.hold((text) => text.includes('<call>'));
        sim.pbx.callerHangsUp(ref);
        await sleep(200);
        fe.closeByAdmin(NUMBER);
      },
      releaseLate: () => peer.release(),
      async stop() {
        await peer.close();
        await sim.close();
      },
    };
  },
};

// ---- Voicenter ------------------------------------------------------------------------------------------

/** Bob's Voicenter user login (the simulator's e-mail form). */
const VC_LOGIN = `${LOGIN}@example.com`;

export const voicenter: PlatformEntry = {
  name: 'voicenter',
  create: (c) => new VoicenterConnection(c),
  // The socket login is the subscription; the server pushes its snapshot (no snapshot request).
  retryPaths: ['login', 'subscription', 'stream', 'resync', 'token refresh', 'token refresh (failing)'],
  badConfig: () => ({ platform: 'voicenter', url: 'http://127.0.0.1:1/monitorAPI/Login', login: LOGIN, password: PASSWORD, extra: { loginType: 'nonsense' } }),
  async start() {
    const sim = await startSimulator({ users: simUsers(), ringTimeoutMs: 60_000, voicenter: { socketVersion: '2' } });
    if (!sim.voicenter) throw new Error(sim.voicenterSkipped ?? 'no Voicenter front-end');
    const vc = sim.voicenter;
    const api = await startHttpFaultPeer({
      upstream: new URL(vc.loginUrl).origin,
      classify: (r) => (r.method === 'POST' && r.path.endsWith('/Login/User') ? 'login' : r.path.endsWith('/RefreshIdentityToken') ? 'refresh' : undefined),
    });
    const sock = await startVoicenterFaultPeer(vc.socketUrls[0]);
    const count = (k: string) => () => api.counts[k] ?? 0;
    const isLogin = (r: ProxiedRequest) => r.method === 'POST' && r.path.endsWith('/Login/User');
    const isRefresh = (r: ProxiedRequest) => r.path.endsWith('/RefreshIdentityToken');
    /** Login and refresh answers say the token expires `ms` from now. */
    const expiring = (ms: number) => api.transforms.push((r, status, json) => {
      const s = (json as { Data?: { Socket?: Record<string, unknown> } } | undefined)?.Data?.Socket;
      if (status !== 200 || !s || !(isLogin(r) || isRefresh(r))) return undefined;
      s.TokenExpiry = new Date(Date.now() + ms).toISOString();
      return json;
    });
    return {
      sim,
      config: (over = {}) => {
        const { extra, ...rest } = over;
        return {
          platform: 'voicenter', url: `${api.url}/monitorAPI/Login`, login: VC_LOGIN, password: PASSWORD, requestTimeoutMs: 2000, ...rest,
          extra: { loginType: 'user', serverUrl: sock.url, socketVersion: '2', ...SCALED, ...extra },
        };
      },
      authRequests: count('login'),
      serverSessions: () => vc.clients().reduce((a, b) => a + b, 0) + sock.clients,
      streamsOpened: () => sock.counts.connections,
      injectBadInput: () => sock.sendRawPacket('2{"not":"an array"}'),
      retry(path) {
        switch (path) {
          case 'login':
            api.rules.push((r) => (isLogin(r) ? { status: 500, body: { StatusCode: 500, Status: 'Internal error' } } : undefined));
            return { what: 'HTTP logins', count: count('login') };
          case 'subscription':
            // The socket opens; the server drops it at its login, before any snapshot.
            sock.dropOnLogin = true;
            return { what: 'socket logins', count: () => sock.counts.logins };
          case 'stream':
            sock.afterSnapshot = 'drop';
            return { what: 'socket connections', count: () => sock.counts.connections };
          case 'resync':
            // The monitored set "changes" right after every snapshot: log in again, snapshot again.
            sock.afterSnapshot = 'extensionsUpdated';
            return { what: 'socket logins', count: () => sock.counts.logins };
          case 'token refresh':
            // Every token expires 2 s after it is issued (issue 19 item 2).
            expiring(2000);
            return { what: 'token refreshes', count: count('refresh'), config: { extra: SCALED_REFRESH } };
          case 'token refresh (failing)':
            expiring(4000);
            api.rules.push((r) => (isRefresh(r) ? { status: 500, body: { StatusCode: 500, Status: 'Internal error' } } : undefined));
            return { what: 'token refreshes', count: count('refresh'), config: { extra: SCALED_REFRESH } };
          default:
            return undefined; // the server pushes its snapshot; there is no snapshot request
        }
      },
      echoSecrets() {
        let served = 0;
        let logins = 0;
        expiring(4000); // a refresh comes at once, and fails with an echo of the refresh token
        api.rules.push((r) => {
          const echo = echoText(`${r.body} ${JSON.stringify(r.headers)}`, VC_LOGIN);
          if (isLogin(r)) {
            logins++;
            if (logins === 1) return served++, { status: 500, body: { StatusCode: 500, Status: echo } };
            if (logins === 2) return served++, { status: 200, body: { StatusCode: 0, Status: echo, Data: { Socket: {} } } };
            return undefined;
          }
          if (isRefresh(r)) return served++, { status: 500, body: { StatusCode: 500, Status: echo, Message: `${r.headers.authorization ?? ''} ${[...api.minted].join(' ')}` } };
          return undefined;
        });
        return { served: () => served, config: { extra: SCALED_REFRESH } };
      },
      minted: () => [...api.minted],
      dropStream: () => sock.drop(),
      unreadableSnapshot() {
        const t = Math.floor(Date.now() / 1000);
        sock.emit('AllExtensionsStatus', { errorCode: 0, errorDesc: 'OK', servertime: t, servertimeoffset: 0, extensions: [null, 1, 'x'] });
        return { served: () => true };
      },
      async endDuringOutage(ref) {
        sock.hold((name) => name === 'ExtensionEvent');
        sim.pbx.callerHangsUp(ref);
        await sleep(200);
        sock.drop();
      },
      releaseLate: () => sock.release(),
      async stop() {
        await sock.close();
        await api.close();
        await sim.close();
      },
    };
  },
};

// ---- Asterisk (AMI) -------------------------------------------------------------------------------------

/** The AMI front-end has its faults built in (simulator/frontends/asterisk/server.ts `faults`): no peer in front. */
export const asterisk: PlatformEntry = {
  name: 'asterisk',
  create: (c) => createAsterisk(c),
  // Login, subscription and stream are one AMI session; a failed resync is a warning (the stream goes on).
  retryPaths: ['login', 'stream'],
  badConfig: () => ({ platform: 'asterisk', url: 'http://127.0.0.1:1', login: LOGIN, password: PASSWORD }),
  async start() {
    const sim = await startSimulator({ users: simUsers(), ringTimeoutMs: 60_000, asterisk: { accounts: { [LOGIN]: PASSWORD }, authFailDelayMs: 20 } });
    const fe = sim.asterisk!;
    const auth = () => fe.stats.logins + fe.stats.failedLogins;
    return {
      sim,
      config: (over = {}) => {
        const { extra, ...rest } = over;
        return {
          platform: 'asterisk', url: fe.url, login: LOGIN, password: PASSWORD, users: [NUMBER], requestTimeoutMs: 2000, ...rest,
          extra: { ...SCALED, keepaliveMs: 3000, ...extra },
        };
      },
      authRequests: auth,
      serverSessions: () => fe.sessions,
      streamsOpened: () => fe.stats.logins,
      injectBadInput: () => fe.sendBadLine(),
      retry(path) {
        switch (path) {
          case 'login':
            // Asterisk's authlimit: the connection is closed before the banner.
            fe.faults.refuseConnections = true;
            return { what: 'connections', count: () => fe.stats.connections };
          case 'stream':
            fe.faults.dropAfterLoginMs = 50;
            return { what: 'logins', count: () => fe.stats.logins };
          default:
            return undefined;
        }
      },
      echoSecrets() {
        fe.faults.echo = true;
        // Plain login: the secret itself crosses the wire, so the server has it to echo.
        return { served: () => fe.faults.echoed, config: { extra: { authType: 'plain', keepaliveMs: 100 } } };
      },
      minted: () => [],
      dropStream: () => fe.dropAll(),
      unreadableSnapshot() {
        const before = fe.faults.snapshotsServed;
        fe.faults.unreadableSnapshot = true;
        fe.dropAll();
        return { served: () => fe.faults.snapshotsServed > before && !fe.faults.unreadableSnapshot };
      },
      async endDuringOutage(ref) {
        fe.holdEvents();
        sim.pbx.callerHangsUp(ref);
        await sleep(200);
        fe.dropAll();
      },
      releaseLate: () => fe.releaseHeld(),
      async stop() {
        await sim.close();
      },
    };
  },
};

/** Every platform the suite runs over. A fifth platform joins with one more entry here. */
export const PLATFORMS: PlatformEntry[] = [alePlatform('opentouch'), alePlatform('o2g'), telservices, voicenter, asterisk];
