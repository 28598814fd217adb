/**
 * One Voicenter Real Time API connection per credential. A single loop owns the life cycle:
 *
 *   log in (HTTP login API for `user`, and for `token` with useLoginApi) -> socket.io to the preferred server
 *     -> log in on the socket -> loginStatus + AllExtensionsStatus (the snapshot that reconciles the tracker)
 *     -> connected
 *   socket cannot connect / drops / keepalive refused or unanswered -> the one back-off, next server on failure
 *   ExtensionsUpdated / QueuesUpdated / DialersUpdated -> log in again (the monitored set changed)
 *   token about to expire -> refreshed over HTTP in the background (the socket stays up), never more often than
 *     a floor allows and at most `refreshesPerWindow` (10) a minute whatever the server says of expiry; failures
 *     retry on a back-off; three in a row (or a refused refresh token) -> a full login through the loop's back-off
 *   no data event for `idleResyncMs` (5 min) -> `resync { cache: false }`, as the SDK's idle interval (src/sdk.js
 *     `_initKeepAlive` / `reSync`): the fresh snapshot reconciles a server that silently fell out of step
 *   a frame the socket.io client cannot take -> one rate-limited `decode` warning, the frame skipped (socket.ts)
 *   wrong password / refused token -> failed, for good (a token from the login API gets one fresh login first)
 *
 * Event times: clock.ts calibrates the server's epochs (local or UTC) against the receive time.
 *
 * Voicenter's socket has no call control: every operation is unsupported ("Voicenter supports events only").
 *
 * ConnectionConfig: `url` = login API URL (default Voicenter's public one), `login` = email (user) or username
 * (account), `password` = password or the token (`token`); `tls` (`rejectUnauthorized`, `ca`); `extra`:
 * `loginType`, `serverUrl` (skip discovery), `socketVersion` ('auto' | '2' | '4'), `useLoginApi` (token, account),
 * `refreshUrl`, `monitorUrl`, `keepaliveMs`, `idleResyncMs` (0: off), `refreshFloorMs`, `refreshWindowMs`,
 * `refreshesPerWindow`, `backoffInitialMs`, `backoffMaxMs`, `healthyAfterMs`.
 */
import { AuthError, PbxError } from '../../errors';
import { Backoff } from '../../connection/backoff';
import { BaseConnection } from '../../connection/base';
import { guardLine } from '../../connection/line-guard';
import type { ConnectionConfig, PbxConnection } from '../../connection/types';
import { int, isRecord, text } from '../../model/fields';
import type { OperationName } from '../../operations/catalogue';
import { ServerClock } from './clock';
import { decodeVoicenterPair } from './decoder';
import { DEFAULT_LOGIN_URL, DEFAULT_MONITOR_URL, login, refresh, refreshUrlOf, usesLoginApi, type LoginSettings, type LoginType, type VoicenterSession } from './login';
import { VoicenterPipeline } from './pipeline';
import { openSocket, type VoicenterSocket } from './socket';

export interface VoicenterStats {
  /** HTTP logins (login API), successful or not. */
  httpLogins: number;
  /** Logins sent on a socket. */
  socketLogins: number;
  refreshes: number;
  sockets: number;
  keepalives: number;
  events: number;
  decodeErrors: number;
  snapshots: number;
  /** `resync` requests sent (idle resync). */
  resyncs: number;
}

/** What tests (and only tests) may inject. */
export interface VoicenterDeps {
  /** This host's clock: receive times, token expiry. Default Date.now. */
  now?: () => number;
}

/** After this many refresh failures in a row, a full login. */
const REFRESH_FAILURES_BEFORE_LOGIN = 3;

type SocketEnd =
  | { kind: 'refused'; reason: string }
  | { kind: 'relogin'; reason: string }
  | { kind: 'lost'; reason: string }
  | { kind: 'closed'; reason: string };

const LOGIN_TYPES: readonly LoginType[] = ['user', 'account', 'token'];

export class VoicenterConnection extends BaseConnection {
  readonly pipeline: VoicenterPipeline;
  readonly stats: VoicenterStats = { httpLogins: 0, socketLogins: 0, refreshes: 0, sockets: 0, keepalives: 0, events: 0, decodeErrors: 0, snapshots: 0, resyncs: 0 };
  /** How the server's epochs are read (local, UTC or measured). */
  readonly clock: ServerClock;
  private readonly settings: LoginSettings;
  private readonly keepaliveMs: number;
  private readonly idleResyncMs: number;
  private readonly now: () => number;
  private session?: VoicenterSession;
  private serverIndex = 0;
  private endSocket?: (end: SocketEnd) => void;
  private refreshTimer?: NodeJS.Timeout;
  private readonly refresh: { floorMs: number; windowMs: number; perWindow: number; backoff: Backoff; times: number[]; failures: number };
  private readonly loopDone: Promise<void>;

  constructor(config: ConnectionConfig, deps: VoicenterDeps = {}) {
    // Checked before the base class starts anything (its alive handle): a bad configuration leaves nothing open.
    const now = deps.now ?? Date.now;
    const settings = settingsOf(config, now);
    const extra = config.extra ?? {};
    super({
      platform: 'voicenter',
      user: config.login || settings.loginType,
      backoff: { initialMs: int(extra.backoffInitialMs, 1) ?? 500, maxMs: int(extra.backoffMaxMs, 1) ?? 30_000 },
      healthyAfterMs: int(extra.healthyAfterMs) ?? 10_000,
    });
    this.settings = { ...settings, scrub: (t) => this.scrub(t) };
    this.now = now;
    this.remember(config.password);
    // The SDK's keepAliveTimeout: 60 s of silence before a keepalive; its idleInterval: a resync every 5 minutes.
    this.keepaliveMs = int(extra.keepaliveMs, 50) ?? 60_000;
    this.idleResyncMs = int(extra.idleResyncMs, 0) ?? 300_000;
    const floorMs = int(extra.refreshFloorMs, 1) ?? 2_000; // the per-minute ceiling, not the floor, bounds a burst
    this.refresh = {
      floorMs,
      windowMs: int(extra.refreshWindowMs, 1) ?? 60_000,
      perWindow: int(extra.refreshesPerWindow, 1, 1000) ?? 10,
      // The shared back-off class, floored: a failing refresh endpoint is never asked more often than the floor.
      backoff: new Backoff({ initialMs: floorMs, maxMs: Math.max(floorMs, int(extra.backoffMaxMs, 1) ?? 30_000) }),
      times: [],
      failures: 0,
    };
    this.clock = new ServerClock(now, (message) => this.warn({ kind: 'decode', message }));
    this.pipeline = new VoicenterPipeline({ callTtlMs: config.callTtlMs, now, clock: this.clock });
    this.watchExpiry(() => this.pipeline.sweep());
    this.loopDone = this.loop();
  }

  supports(_operation: OperationName): boolean {
    return false;
  }

  async execute(operation: OperationName, _input: Record<string, unknown>): Promise<unknown> {
    throw new PbxError('UNSUPPORTED', `Voicenter supports events only: its Real Time API has no call control (${operation} is not available)`);
  }

  protected rawWanted(wanted: boolean): void {
    this.pipeline.tracker.includeRaw = wanted;
  }

  protected async shutdown(): Promise<void> {
    clearTimeout(this.refreshTimer);
    this.endSocket?.({ kind: 'closed', reason: 'closed' });
    await this.loopDone;
  }

  // ---- life cycle -------------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    // A token from the login API that a socket refuses gets one fresh login; a second refusal is final.
    let refusedOnce = false;
    while (!this.closed) {
      let delay = 0;
      try {
        if (!this.session || this.expired(this.session)) {
          this.session = undefined;
          clearTimeout(this.refreshTimer);
          if (usesLoginApi(this.settings)) this.stats.httpLogins++;
          this.session = await login(this.settings, (s) => this.remember(s));
          this.refresh.failures = 0;
          this.scheduleRefresh();
        }
        if (this.closed) break;
        const session = this.session;
        const url = session.servers[this.serverIndex % session.servers.length];
        const end = await this.runSocket(url, session);
        if (this.closed || end.kind === 'closed') break;
        if (end.kind === 'refused') {
          if (session.fromLoginApi && !refusedOnce) {
            refusedOnce = true;
            this.session = undefined;
            this.warn({ kind: 'session', message: `the socket server refused the token (${end.reason}): logging in again` });
          } else {
            this.fail(new AuthError(`Voicenter refused the login: ${end.reason}`));
            return;
          }
        } else if (end.kind === 'relogin') {
          this.warn({ kind: 'session', message: `${end.reason}: logging in again` });
        } else {
          // The server did not take us or let us go: the next one in the list next time.
          this.serverIndex++;
          this.warn({ kind: 'channel', message: `${url}: ${end.reason}` });
        }
        if (end.kind !== 'refused') refusedOnce = false;
        delay = this.retryDelay();
        this.setState({ state: 'reconnecting', reason: end.reason, attempt: this.backoff.attempts });
      } catch (err) {
        if (this.closed) break;
        const e = err instanceof PbxError ? err : new PbxError('NETWORK', (err as Error)?.message ?? String(err));
        if (e instanceof AuthError) {
          this.fail(e);
          return;
        }
        if (e.code === 'INVALID_INPUT' || e.code === 'UNSUPPORTED') {
          this.fail(e);
          return;
        }
        this.rejectWaiters(this.scrubError(e));
        this.warn({ kind: 'session', message: e.message });
        delay = this.retryDelay();
        this.setState({ state: 'reconnecting', reason: e.message, attempt: this.backoff.attempts });
      }
      if (delay > 0 && !this.closed) await this.sleep(delay);
    }
  }

  private expired(s: VoicenterSession): boolean {
    return s.expiresAt !== undefined && this.now() >= s.expiresAt - 1000;
  }

  /** A secret and the forms a server may echo it in (the core's scrubber takes the rest). */
  private remember(value: string): void {
    for (const v of secretForms(value, this.settings?.login)) this.secrets.add(v);
  }

  /** Runs one socket until it ends; resolves with why. */
  private runSocket(url: string, session: VoicenterSession): Promise<SocketEnd> {
    return new Promise<SocketEnd>((resolve) => {
      let done = false;
      let lastHeard = this.now();
      let lastData = lastHeard;
      let lastResync = lastHeard;
      let pingSent: number | undefined;
      let loginDeadline: NodeJS.Timeout | undefined;
      let sock: VoicenterSocket | undefined;
      let up = false;
      // Silence is judged once connected; until then socket.io's own connect timeout applies.
      const idle = this.idleResyncMs;
      const keepalive = setInterval(() => {
        if (!up) return;
        const now = this.now();
        // No data event for a while: ask for a fresh snapshot (the answer reconciles), at most once per period.
        if (idle > 0 && now - lastData >= idle && now - lastResync >= idle) {
          lastResync = now;
          this.stats.resyncs++;
          sock?.emit('resync', { cache: false });
        }
        if (pingSent !== undefined) {
          if (now - pingSent >= this.keepaliveMs) finish({ kind: 'lost', reason: 'no answer to keepalive' });
          return;
        }
        if (now - lastHeard >= this.keepaliveMs) {
          pingSent = now;
          this.stats.keepalives++;
          sock?.emit('keepalive', this.session?.token ?? session.token ?? '');
        }
      }, Math.max(25, Math.floor((idle > 0 ? Math.min(this.keepaliveMs, idle) : this.keepaliveMs) / 4)));
      keepalive.unref();
      const finish = (end: SocketEnd) => {
        if (done) return;
        done = true;
        clearInterval(keepalive);
        clearTimeout(loginDeadline);
        this.endSocket = undefined;
        sock?.close();
        resolve(end);
      };
      this.endSocket = finish;
      this.stats.sockets++;
      try {
        sock = openSocket(session.socketVersion, url, { token: session.token, timeoutMs: this.settings.timeoutMs, rejectUnauthorized: this.settings.rejectUnauthorized, ca: this.settings.ca }, {
          connect: () => {
            up = true;
            lastHeard = lastData = lastResync = this.now();
            this.streamUp();
            this.sendLogin(sock!, session);
            loginDeadline = setTimeout(() => finish({ kind: 'lost', reason: 'no answer to the login' }), this.settings.timeoutMs);
            loginDeadline.unref();
          },
          event: (name, payload) => {
            lastHeard = this.now();
            if (name !== 'keepaliveResponse') lastData = lastHeard;
            pingSent = undefined;
            if (name === 'loginStatus' || name === 'AllExtensionsStatus') clearTimeout(loginDeadline);
            const end = this.onSocketEvent(name, payload);
            if (end) finish(end);
          },
          closed: (reason, refused) => finish(refused ? { kind: 'refused', reason } : { kind: 'lost', reason }),
          bad: (reason) => {
            this.stats.decodeErrors++;
            this.warn({ kind: 'decode', message: `skipped a Voicenter frame: ${reason}` });
          },
        });
        if (done) sock.close();
      } catch (err) {
        finish({ kind: 'lost', reason: (err as Error).message });
      }
    });
  }

  /** Voicenter's SDK: `loginUser { user, pass }` for account, `login { token }` for a token (also in the query). */
  private sendLogin(sock: VoicenterSocket, session: VoicenterSession): void {
    this.stats.socketLogins++;
    if (this.settings.loginType === 'account') sock.emit('loginUser', { user: this.settings.login, pass: this.settings.secret });
    else sock.emit('login', { token: session.token });
  }

  /** One server event; a control event may end the socket. */
  private onSocketEvent(name: string, payload: unknown): SocketEnd | undefined {
    switch (name) {
      case 'keepaliveResponse': {
        const code = isRecord(payload) ? int(payload.errorCode, -1e9, 1e9) : undefined;
        return code !== undefined && code !== 0 ? { kind: 'lost', reason: `keepalive refused (errorCode ${code})` } : undefined;
      }
      case 'ExtensionsUpdated':
      case 'QueuesUpdated':
      case 'DialersUpdated':
        return { kind: 'relogin', reason: `${name}: the monitored set changed` };
      case 'closeme':
        return { kind: 'lost', reason: 'the server asked us to close' };
      case 'loginSuccess':
      case 'loginStatus':
      case 'loginResponse': {
        const code = isRecord(payload) ? int(payload.errorCode, -1e9, 1e9) : undefined;
        if (code !== undefined && code !== 0) {
          const desc = isRecord(payload) ? text(payload.errorDesc, 200) : undefined;
          return { kind: 'refused', reason: `${name} errorCode ${code}${desc ? ` (${desc})` : ''}` };
        }
        if (name === 'loginResponse' && isRecord(payload)) this.takeLoginResponse(payload);
        if (name !== 'loginStatus') return undefined;
        break;
      }
      default:
        break;
    }
    this.ingest(name, payload);
    if (name === 'AllExtensionsStatus') {
      this.stats.snapshots++;
      this.connected();
    }
    return undefined;
  }

  /** Data events: decode -> normalize -> tracker, each under the per-event guard. */
  private ingest(name: string, payload: unknown): void {
    this.stats.events++;
    const r = guardLine(name, () => this.pipeline.pushEvent(decodeVoicenterPair(name, payload)));
    if (r.ok) {
      if (r.value.length > 0) this.deliver(r.value);
      return;
    }
    this.stats.decodeErrors++;
    this.warn({ kind: 'decode', message: `skipped a Voicenter ${name} event: ${r.error.message}` });
  }

  /** The SDK also accepts a login answer on the socket: same fields as the HTTP one. */
  private takeLoginResponse(p: Record<string, unknown>): void {
    const token = text(p.Token, 8192);
    const refreshToken = text(p.RefreshToken, 8192);
    if (refreshToken) this.remember(refreshToken);
    if (!token || !this.session) return;
    this.remember(token);
    this.session = { ...this.session, token };
  }

  // ---- token refresh ----------------------------------------------------------------------------------

  /**
   * The next refresh: a little before expiry (the SDK: 5 s before, src/sdk.js `_handleTokenExpiry`), but never
   * sooner than the floor after the last one (or after the token was issued) nor more than `perWindow` in a window,
   * whatever the server says of expiry (a token issued already expiring, a host clock ahead of Voicenter's).
   */
  private scheduleRefresh(delayMs?: number): void {
    clearTimeout(this.refreshTimer);
    const s = this.session;
    if (!s?.expiresAt || !s.refreshToken || this.closed) return;
    const now = this.now();
    const left = s.expiresAt - now;
    let wait = delayMs ?? Math.max(0, left - Math.max(5000, left / 10));
    wait = Math.max(wait, this.refreshAllowedAt(s) - now);
    this.refreshTimer = setTimeout(() => void this.refreshNow(), wait);
    this.refreshTimer.unref();
  }

  /** The earliest time the floor and the per-window ceiling allow the next refresh. */
  private refreshAllowedAt(s: VoicenterSession): number {
    const r = this.refresh;
    const now = this.now();
    while (r.times.length > 0 && now - r.times[0] >= r.windowMs) r.times.shift();
    const last = r.times.at(-1) ?? s.issuedAt ?? now - r.floorMs;
    let at = last + r.floorMs;
    if (r.times.length >= r.perWindow) at = Math.max(at, r.times[r.times.length - r.perWindow] + r.windowMs);
    return at;
  }

  private async refreshNow(): Promise<void> {
    const s = this.session;
    if (!s || this.closed) return;
    this.stats.refreshes++;
    this.refresh.times.push(this.now());
    try {
      const next = await refresh(this.settings, s, (v) => this.remember(v));
      if (this.closed || this.session !== s) return;
      this.session = next;
      this.refresh.failures = 0;
      this.refresh.backoff.reset();
      this.scheduleRefresh();
    } catch (err) {
      if (this.closed || this.session !== s) return;
      const e = this.scrubError(err);
      const failures = ++this.refresh.failures;
      this.warn({ kind: 'session', message: `token refresh failed: ${e.message}` });
      if (e instanceof AuthError || failures >= REFRESH_FAILURES_BEFORE_LOGIN) {
        // A full login instead, through the loop (and so its back-off): the socket ends, the loop logs in afresh.
        this.session = undefined;
        this.refresh.failures = 0;
        this.endSocket?.({ kind: 'relogin', reason: e instanceof AuthError ? 'the refresh token was refused' : `token refresh failed ${failures} times` });
        return;
      }
      this.scheduleRefresh(this.refresh.backoff.next());
    }
  }
}

/** The login settings a configuration stands for; PbxError INVALID_INPUT when it cannot work. */
function settingsOf(config: ConnectionConfig, now: () => number): LoginSettings {
  const extra = config.extra ?? {};
  const loginType = (extra.loginType ?? 'user') as LoginType;
  if (config.platform !== 'voicenter') throw new PbxError('INVALID_INPUT', `Not a Voicenter configuration: ${config.platform}`);
  if (!LOGIN_TYPES.includes(loginType)) throw new PbxError('INVALID_INPUT', 'extra.loginType must be user, account or token');
  if (!config.password) throw new PbxError('INVALID_INPUT', loginType === 'token' ? 'A Voicenter token login needs the token' : 'A Voicenter login needs a password');
  if (loginType !== 'token' && !config.login) throw new PbxError('INVALID_INPUT', loginType === 'user' ? 'A Voicenter user login needs the email' : 'A Voicenter account login needs the username');
  const sv = extra.socketVersion ?? 'auto';
  if (sv !== 'auto' && sv !== '2' && sv !== '4') throw new PbxError('INVALID_INPUT', "extra.socketVersion must be 'auto', '2' or '4'");
  const serverUrl = typeof extra.serverUrl === 'string' && extra.serverUrl ? extra.serverUrl : undefined;
  if (serverUrl && !/^https?:\/\//i.test(serverUrl)) throw new PbxError('INVALID_INPUT', 'extra.serverUrl must be an http(s) URL');
  if (config.url && !/^https?:\/\//i.test(config.url)) throw new PbxError('INVALID_INPUT', 'The Voicenter login API URL must be an http(s) URL');
  const loginUrl = config.url || DEFAULT_LOGIN_URL;
  return {
    loginType,
    loginUrl,
    refreshUrl: typeof extra.refreshUrl === 'string' && extra.refreshUrl ? extra.refreshUrl : refreshUrlOf(loginUrl),
    monitorUrl: typeof extra.monitorUrl === 'string' && extra.monitorUrl ? extra.monitorUrl : DEFAULT_MONITOR_URL,
    login: config.login ?? '',
    secret: config.password,
    useLoginApi: extra.useLoginApi === true,
    serverUrl,
    socketVersion: sv,
    timeoutMs: config.requestTimeoutMs ?? 10_000,
    rejectUnauthorized: config.tls?.rejectUnauthorized,
    ca: typeof config.tls?.ca === 'string' && config.tls.ca ? config.tls.ca : undefined,
    now,
  };
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

export function createVoicenterConnection(config: ConnectionConfig): PbxConnection {
  return new VoicenterConnection(config);
}
