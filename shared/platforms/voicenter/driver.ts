/**
 * The Voicenter driver: the Real Time API's protocol steps for the supervisor, nothing of the life cycle.
 *
 *   login      the HTTP login API (`user`, and `token`/`account` with useLoginApi) or nothing (the socket logs in):
 *              the token, its expiry and the socket servers (login.ts)
 *   openStream socket.io to the server at the fail-over position -> log in on the socket (`loginUser` / `login`)
 *              -> loginStatus + AllExtensionsStatus. Ends: the socket cannot connect, drops, a keepalive is refused
 *              or unanswered -> `failover` (the next server, same token); ExtensionsUpdated / QueuesUpdated /
 *              DialersUpdated -> `lost` (same server: log in on a new socket, a fresh snapshot); a refused login ->
 *              `refused` for a token from the login API (one fresh login), else `fatal`
 *   resync     the snapshot the server pushes after the socket login (AllExtensionsStatus) reconciles the tracker
 *   renew      the token refresh (login.ts `refresh`), when the supervisor's schedule says (5 s before expiry, as the
 *              SDK's `_handleTokenExpiry`); the stream stays up
 *   keepalive  after `keepaliveMs` of silence; no data event for `idleResyncMs` -> `resync { cache: false }`, as the
 *              SDK's idle interval (src/sdk.js `_initKeepAlive` / `reSync`)
 *   a frame the socket.io client cannot take -> one rate-limited `decode` warning, the frame skipped (socket.ts)
 *
 * Event times: clock.ts calibrates the server's epochs (local or UTC) against the receive time. Voicenter's socket
 * has no call control: every operation is unsupported ("Voicenter supports events only").
 */
import { zeroStats, type DriverStats } from '../../connection/stats';
import type { OperationContext, LoginContext, PlatformDriver, RenewalDue, StreamEnd, StreamSink } from '../../connection/driver';
import { guardLine } from '../../connection/line-guard';
import type { ConnectionWarning } from '../../connection/types';
import { AuthError, PbxError } from '../../errors';
import type { PbxEvent } from '../../model/events';
import { int, isRecord, text } from '../../model/fields';
import type { OperationName } from '../../operations/catalogue';
import { ServerClock } from './clock';
import { decodeVoicenterPair } from './decoder';
import { login, refresh, refreshUrlOf, usesLoginApi, type LoginSettings, type VoicenterSession } from './login';
import { VoicenterPipeline } from './pipeline';
import type { VoicenterSettings } from './settings';
import { openSocket, type VoicenterSocket } from './socket';

/**
 * httpLogins: HTTP logins (login API), successful or not; socketLogins: logins sent on a socket; resyncs: `resync`
 * requests sent (idle resync).
 */
export type VoicenterStats = DriverStats<'httpLogins' | 'socketLogins' | 'refreshes' | 'sockets' | 'keepalives' | 'events' | 'decodeErrors' | 'snapshots' | 'resyncs'>;

/** A login's result; a refresh (or a login answer on the socket) replaces the token in place. */
export interface VoicenterLink {
  current: VoicenterSession;
}

/** What the driver asks of its connection (which exists once the driver does). */
export interface VoicenterHooks {
  warn(kind: ConnectionWarning['kind'], message: string): void;
  /** The connection's scrubber: server text is cleaned before it is cut to size. */
  scrub(text: string): string;
  /** This host's clock: receive times, token expiry. */
  now: () => number;
}

/** The snapshot a stream's socket login brings: the resync waits for it. */
interface Snapshot {
  promise: Promise<void>;
  resolve(): void;
}

export class VoicenterDriver implements PlatformDriver<VoicenterLink> {
  readonly pipeline: VoicenterPipeline;
  readonly clock: ServerClock;
  readonly stats: VoicenterStats = zeroStats(['httpLogins', 'socketLogins', 'refreshes', 'sockets', 'keepalives', 'events', 'decodeErrors', 'snapshots', 'resyncs']);
  readonly renewalName = 'token refresh';
  private readonly auth: LoginSettings;
  private secret: (value: string) => void = () => undefined;
  private snapshot?: Snapshot;

  constructor(private readonly s: VoicenterSettings, private readonly hooks: VoicenterHooks) {
    const now = hooks.now;
    this.auth = {
      loginType: s.loginType as LoginSettings['loginType'],
      loginUrl: s.url,
      refreshUrl: s.refreshUrl ?? refreshUrlOf(s.url),
      monitorUrl: s.monitorUrl,
      login: s.login ?? '',
      secret: s.password,
      useLoginApi: s.useLoginApi,
      serverUrl: s.serverUrl,
      socketVersion: s.socketVersion as LoginSettings['socketVersion'],
      timeoutMs: s.requestTimeoutMs,
      rejectUnauthorized: s.insecure ? false : undefined,
      ca: s.ca,
      now,
      scrub: (t) => hooks.scrub(t),
    };
    this.clock = new ServerClock(now, (message) => hooks.warn('decode', message));
    this.pipeline = new VoicenterPipeline({ callTtlMs: s.callTtlMs, now, clock: this.clock });
  }

  /** A secret and the forms a server may echo it in (the core's scrubber takes the rest). */
  private remember(value: string): void {
    for (const v of secretForms(value, this.s.login)) this.secret(v);
  }

  async login(ctx: LoginContext): Promise<VoicenterLink> {
    this.secret = ctx.secret;
    this.remember(this.s.password);
    if (usesLoginApi(this.auth)) this.stats.httpLogins++;
    return { current: await login(this.auth, (v) => this.remember(v)) };
  }

  /** A token past its expiry (with a second to spare) cannot open a socket: log in again. */
  sessionUsable(link: VoicenterLink): boolean {
    const e = link.current.expiresAt;
    return e === undefined || this.hooks.now() < e - 1000;
  }

  /** A little before expiry: the SDK's 5 s (or a tenth of the token's life, when longer). */
  renewal(link: VoicenterLink): RenewalDue | undefined {
    const { expiresAt, refreshToken, issuedAt } = link.current;
    if (!expiresAt || !refreshToken) return undefined;
    const left = expiresAt - this.hooks.now();
    return { dueAt: expiresAt - Math.max(5000, left / 10), issuedAt };
  }

  async renew(link: VoicenterLink): Promise<void> {
    this.stats.refreshes++;
    link.current = await refresh(this.auth, link.current, (v) => this.remember(v));
  }

  openStream(link: VoicenterLink, sink: StreamSink, signal: AbortSignal, server: number): Promise<StreamEnd> {
    const servers = link.current.servers;
    const url = servers[server % servers.length];
    return new Promise<StreamEnd>((resolve) => {
      const now = () => this.hooks.now();
      let done = false;
      let lastHeard = now();
      let lastData = lastHeard;
      let lastResync = lastHeard;
      let pingSent: number | undefined;
      let loginDeadline: NodeJS.Timeout | undefined;
      let sock: VoicenterSocket | undefined;
      let up = false;
      const snapshot = (this.snapshot = deferred());
      // Silence is judged once connected; until then socket.io's own connect timeout applies.
      const idle = this.s.idleResyncMs;
      const keepaliveMs = this.s.keepaliveMs;
      const keepalive = setInterval(() => {
        if (!up) return;
        const t = now();
        // No data event for a while: ask for a fresh snapshot (the answer reconciles), at most once per period.
        if (idle > 0 && t - lastData >= idle && t - lastResync >= idle) {
          lastResync = t;
          this.stats.resyncs++;
          sock?.emit('resync', { cache: false });
        }
        if (pingSent !== undefined) {
          if (t - pingSent >= keepaliveMs) finish({ kind: 'failover', sameSession: true, reason: `${url}: no answer to keepalive` });
          return;
        }
        if (t - lastHeard >= keepaliveMs) {
          pingSent = t;
          this.stats.keepalives++;
          sock?.emit('keepalive', link.current.token ?? '');
        }
      }, Math.max(25, Math.floor((idle > 0 ? Math.min(keepaliveMs, idle) : keepaliveMs) / 4)));
      keepalive.unref();
      const onAbort = () => finish({ kind: 'aborted' });
      const finish = (end: StreamEnd) => {
        if (done) return;
        done = true;
        clearInterval(keepalive);
        clearTimeout(loginDeadline);
        signal.removeEventListener('abort', onAbort);
        // A resync still waiting for this snapshot is let go unsettled (nothing holds it): the end is classified
        // on its own, and settling it could race the supervisor's view of which stream is live.
        if (this.snapshot === snapshot) this.snapshot = undefined;
        sock?.close();
        resolve(end);
      };
      if (signal.aborted) return finish({ kind: 'aborted' });
      signal.addEventListener('abort', onAbort, { once: true });
      this.stats.sockets++;
      try {
        sock = openSocket(link.current.socketVersion, url, { token: link.current.token, timeoutMs: this.s.requestTimeoutMs, rejectUnauthorized: this.auth.rejectUnauthorized, ca: this.s.ca }, {
          connect: () => {
            up = true;
            lastHeard = lastData = lastResync = now();
            sink.up();
            this.sendLogin(sock!, link);
            loginDeadline = setTimeout(() => finish({ kind: 'failover', sameSession: true, reason: `${url}: no answer to the login` }), this.s.requestTimeoutMs);
            loginDeadline.unref();
          },
          event: (name, payload) => {
            lastHeard = now();
            if (name !== 'keepaliveResponse') lastData = lastHeard;
            pingSent = undefined;
            if (name === 'loginStatus' || name === 'AllExtensionsStatus') clearTimeout(loginDeadline);
            const end = this.onSocketEvent(name, payload, link, sink, url);
            if (end) finish(end);
            else if (name === 'AllExtensionsStatus') snapshot.resolve();
          },
          closed: (reason, refused) => finish(refused ? this.refused(link, reason) : { kind: 'failover', sameSession: true, reason: `${url}: ${reason}` }),
          bad: (reason) => {
            this.stats.decodeErrors++;
            sink.warn({ kind: 'decode', message: `skipped a Voicenter frame: ${reason}` });
          },
        });
        if (done) sock.close();
      } catch (err) {
        finish({ kind: 'failover', sameSession: true, reason: `${url}: ${(err as Error).message}` });
      }
    });
  }

  /** The stream's snapshot (pushed after the socket login) has reconciled the tracker; its events went out as they came. */
  async resync(): Promise<PbxEvent[]> {
    await this.snapshot?.promise;
    return [];
  }

  supports(_operation: OperationName): boolean {
    return false;
  }

  unsupported(operation: OperationName): string {
    return `Voicenter supports events only: its Real Time API has no call control (${operation} is not available)`;
  }

  execute(_link: VoicenterLink, operation: OperationName, _input: Record<string, unknown>, _ctx: OperationContext): Promise<unknown> {
    return Promise.reject(new PbxError('UNSUPPORTED', this.unsupported(operation)));
  }

  sweep(): PbxEvent[] {
    return this.pipeline.sweep();
  }

  rawWanted(wanted: boolean): void {
    this.pipeline.tracker.includeRaw = wanted;
  }

  /** Nothing to release: the socket closes with its stream, and Voicenter has no log-off. */
  async shutdown(): Promise<void> {}

  /** A token from the login API that a socket refuses gets one fresh login; otherwise the refusal is final. */
  private refused(link: VoicenterLink, reason: string): StreamEnd {
    if (link.current.fromLoginApi) return { kind: 'refused', reason: `the socket server refused the token (${reason})` };
    return { kind: 'fatal', error: new AuthError(`Voicenter refused the login: ${reason}`) };
  }

  /** Voicenter's SDK: `loginUser { user, pass }` for account, `login { token }` for a token (also in the query). */
  private sendLogin(sock: VoicenterSocket, link: VoicenterLink): void {
    this.stats.socketLogins++;
    if (this.s.loginType === 'account') sock.emit('loginUser', { user: this.s.login, pass: this.s.password });
    else sock.emit('login', { token: link.current.token });
  }

  /** One server event; a control event may end the socket. */
  private onSocketEvent(name: string, payload: unknown, link: VoicenterLink, sink: StreamSink, url: string): StreamEnd | undefined {
    switch (name) {
      case 'keepaliveResponse': {
        const code = isRecord(payload) ? int(payload.errorCode, -1e9, 1e9) : undefined;
        return code !== undefined && code !== 0 ? { kind: 'failover', sameSession: true, reason: `${url}: keepalive refused (errorCode ${code})` } : undefined;
      }
      case 'ExtensionsUpdated':
      case 'QueuesUpdated':
      case 'DialersUpdated':
        return { kind: 'lost', reason: `${name}: the monitored set changed: logging in again` };
      case 'closeme':
        return { kind: 'failover', sameSession: true, reason: `${url}: the server asked us to close` };
      case 'loginSuccess':
      case 'loginStatus':
      case 'loginResponse': {
        const code = isRecord(payload) ? int(payload.errorCode, -1e9, 1e9) : undefined;
        if (code !== undefined && code !== 0) {
          const desc = isRecord(payload) ? text(payload.errorDesc, 200) : undefined;
          return this.refused(link, `${name} errorCode ${code}${desc ? ` (${desc})` : ''}`);
        }
        if (name === 'loginResponse' && isRecord(payload)) this.takeLoginResponse(payload, link);
        if (name !== 'loginStatus') return undefined;
        break;
      }
      default:
        break;
    }
    this.ingest(name, payload, sink);
    if (name === 'AllExtensionsStatus') this.stats.snapshots++;
    return undefined;
  }

  /** Data events: decode -> normalize -> tracker, each under the per-event guard. */
  private ingest(name: string, payload: unknown, sink: StreamSink): void {
    this.stats.events++;
    const r = guardLine(name, () => this.pipeline.pushEvent(decodeVoicenterPair(name, payload)));
    if (r.ok) {
      sink.deliver(r.value);
      return;
    }
    this.stats.decodeErrors++;
    sink.warn({ kind: 'decode', message: `skipped a Voicenter ${name} event: ${r.error.message}` });
  }

  /** The SDK also accepts a login answer on the socket: same fields as the HTTP one. */
  private takeLoginResponse(p: Record<string, unknown>, link: VoicenterLink): void {
    const token = text(p.Token, 8192);
    const refreshToken = text(p.RefreshToken, 8192);
    if (refreshToken) this.remember(refreshToken);
    if (!token) return;
    this.remember(token);
    link.current = { ...link.current, token };
  }
}

function deferred(): Snapshot {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}

/**
 * A secret as a server may echo it: raw, JSON- and XML-escaped, base64 of itself and of `login:secret` (a Basic
 * header). URL-encoding is the core scrubber's own. Forms shorter than 4 characters are ignored there.
 */
export function secretForms(value: string, login?: string): string[] {
  if (!value) return [];
  const out = new Set<string>([value]);
  out.add(JSON.stringify(value).slice(1, -1));
  out.add(value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;'));
  out.add(Buffer.from(value, 'utf8').toString('base64'));
  out.add(Buffer.from(value, 'utf8').toString('base64').replace(/=+$/, ''));
  if (login) out.add(Buffer.from(`${login}:${value}`, 'utf8').toString('base64'));
  return [...out];
}
