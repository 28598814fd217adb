/**
 * The ALE session: discovery (`GET /api/rest`), authentication (Basic on `authenticate`, falling back to
 * `authenticatenosso`; token from `Set-Cookie: AlcUserId` or the JSON `credential`), session open, keepalive
 * before `timeToLive` runs out, fail-over to the other server (at login, or asked by the connection when the event
 * channel is unreachable), and close. Each new session bumps
 * `generation`, so holders of the old one (subscription, channel, a request in flight) can tell it is stale.
 */
import { EventEmitter } from 'node:events';
import { AuthError, PbxApiError, PbxError } from '../../errors';
import { HttpClient, type HttpResult } from './http';

export interface AleSessionOptions {
  url: string;
  secondaryUrl?: string;
  login: string;
  password: string;
  urlKind: 'public' | 'private';
  timeoutMs: number;
  applicationName: string;
  /** Told of each session token as soon as it is known (to scrub it from every later message). */
  onToken?: (token: string) => void;
}

interface SessionData {
  sessionsUrl: string;
  baseUrl: string;
  ttlSeconds: number;
  admin: boolean;
  /** `SessionInfo.services[]` as the server sent it (read by services.ts). */
  services: unknown;
  /** `SessionInfo.serverInfo.productType` (`O2G`, `OTMS`, `OTBE`...): which kind of server answered. */
  productType?: string;
}

type Json = Record<string, unknown>;

/** Strips a trailing slash and an `/api/rest...` suffix the user may have pasted. */
export function serverRoot(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/api\/rest(\/.*)?$/, '');
}

export class AleSession extends EventEmitter {
  generation = 0;
  private data?: SessionData;
  private token?: string;
  private inFlight?: Promise<void>;
  private keepaliveTimer?: NodeJS.Timeout;
  private useSecondary = false;
  /** Origin of the server of the current login (whose cookies are replayed). */
  private origin?: string;
  private closed = false;
  /** A session given up on but maybe alive on the server: closed there before the next login (no leaked sessions). */
  private dropped?: { url: string; headers: Record<string, string> };

  constructor(private readonly o: AleSessionOptions, readonly http: HttpClient) {
    super();
  }

  get valid(): boolean {
    return this.data !== undefined && !this.closed;
  }

  /** The session's announced services (`SessionInfo.services`), undefined without a session. */
  get services(): unknown {
    return this.data?.services;
  }

  /** The server's own product type, as its session said (`O2G`, `OTMS`...), undefined without one. */
  get productType(): string | undefined {
    return this.data?.productType;
  }

  get admin(): boolean {
    return this.data?.admin ?? false;
  }

  /** The service base (`.../api/rest/1.0`). */
  get baseUrl(): string {
    if (!this.data) throw new PbxError('CLOSED', 'No ALE session');
    return this.data.baseUrl;
  }

  /** The session token, for scrubbing it out of messages (never for display). */
  get secretToken(): string | undefined {
    return this.token;
  }

  /** Headers that identify the session: `AlcUserId` and every other cookie the server set (affinity cookies). */
  authHeaders(): Record<string, string> {
    if (!this.token) return {};
    const others = this.origin ? this.http.cookiesFor(this.origin).filter((c) => !c.startsWith('AlcUserId=')) : [];
    return { Cookie: [`AlcUserId=${this.token}`, ...others].join('; ') };
  }

  /** Logs in when there is no session; concurrent callers share one attempt. */
  ensure(): Promise<void> {
    if (this.closed) return Promise.reject(new PbxError('CLOSED', 'The connection is closed'));
    if (this.data) return Promise.resolve();
    this.inFlight ??= this.login().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The session of `generation` was refused: drop it (if still current) and log in again. */
  async renew(generation: number): Promise<void> {
    if (generation === this.generation) this.invalidate('session refused by the server');
    return this.ensure();
  }

  /** Forgets the current session (it expired or was refused), unless it is newer than `generation`. Emits `lost`. */
  invalidate(reason: string, generation = this.generation, tellServer = true): void {
    if (!this.data || generation !== this.generation) return;
    if (tellServer && this.token) this.dropped = { url: this.data.sessionsUrl, headers: this.authHeaders() };
    this.data = undefined;
    this.token = undefined;
    this.stopKeepalive();
    this.emit('lost', reason);
  }

  /** A secondary server is configured. */
  get hasSecondary(): boolean {
    return !!this.o.secondaryUrl;
  }

  /**
   * The server of the current session looks dead (its event channel cannot be reached): drop the session without
   * telling that server, and make the next login start at the other one (primary <-> secondary). False when there
   * is no other server to go to.
   */
  failover(reason: string): boolean {
    if (!this.o.secondaryUrl || this.closed) return false;
    this.useSecondary = !this.useSecondary;
    // The server looks dead: telling it would only wait for a timeout.
    if (this.data) this.invalidate(reason, this.generation, false);
    return true;
  }

  private async login(): Promise<void> {
    const old = this.dropped;
    this.dropped = undefined;
    if (old) await this.raw('DELETE', old.url, old.headers, undefined, 2000).catch(() => undefined);
    const roots = [serverRoot(this.o.url), ...(this.o.secondaryUrl ? [serverRoot(this.o.secondaryUrl)] : [])];
    let lastErr: unknown;
    // Try the server that answered last first; on a network failure move to the other one (HA fail-over).
    for (let i = 0; i < roots.length; i++) {
      const root = roots[(i + (this.useSecondary ? 1 : 0)) % roots.length];
      try {
        await this.loginAt(root);
        this.useSecondary = root !== roots[0];
        return;
      } catch (err) {
        lastErr = err;
        if (err instanceof AuthError || !(err instanceof PbxError) || (err.code !== 'NETWORK' && err.code !== 'TIMEOUT' && !(err instanceof PbxApiError && (err.status ?? 0) >= 500))) throw err;
      }
    }
    throw lastErr;
  }

  private async loginAt(root: string): Promise<void> {
    // A new login starts without the cookies of an earlier one (an affinity cookie names a node that may be gone).
    this.http.forgetCookies(root);
    this.origin = root;
    const descriptor = await this.json('GET', `${root}/api/rest`, {}, undefined, 'discovery');
    const versions = Array.isArray(descriptor.versions) ? (descriptor.versions as Json[]) : [];
    const v = versions.find((x) => x.id === '1.0') ?? versions.find((x) => x.status === 'CURRENT');
    if (!v) throw new PbxError('UNSUPPORTED', 'The server does not offer REST API version 1.0');
    const authUrl = this.pick(v.publicUrl, v.internalUrl) ?? `${root}/api/rest/authenticate?version=1.0`;

    const basic = { Authorization: `Basic ${Buffer.from(`${this.o.login}:${this.o.password}`, 'utf8').toString('base64')}` };
    let auth = await this.raw('GET', authUrl, basic);
    const challenge = String(auth.headers['www-authenticate'] ?? '');
    if (auth.status === 401 && !/^basic/i.test(challenge) && /\/authenticate(\?|$)/.test(authUrl)) {
      // OpenTouch: `authenticate` may want Kerberos/CAS; `authenticatenosso` takes a login and password.
      // A Basic challenge means the password itself was refused: asking again would only count a second failure.
      auth = await this.raw('GET', authUrl.replace('/authenticate', '/authenticatenosso'), basic);
    }
    if (auth.status === 401 || auth.status === 403) throw new AuthError(`Login refused for "${this.o.login}": wrong login or password`);
    const authBody = this.check(auth, 'authentication');
    const token = cookieValue(auth.headers['set-cookie'], 'AlcUserId') ?? (typeof authBody.credential === 'string' ? authBody.credential : undefined);
    if (!token) throw new PbxError('PBX', 'Authentication answered without a session token (no AlcUserId cookie, no credential)');
    const sessionsUrl = this.pick(authBody.publicUrl, authBody.internalUrl) ?? `${root}/api/rest/1.0/sessions`;
    // The discovery descriptor says which kind of server this is (O2G SDK: RestAPI descriptor `serverInfo`).
    const serverInfo = descriptor.serverInfo && typeof descriptor.serverInfo === 'object' ? (descriptor.serverInfo as Json) : undefined;

    this.token = token;
    this.o.onToken?.(token);
    let info: Json;
    try {
      info = await this.json('POST', sessionsUrl, this.authHeaders(), JSON.stringify({ applicationName: this.o.applicationName }), 'session open');
    } catch (err) {
      this.token = undefined;
      if (err instanceof PbxApiError && err.type === 'NOT_ALLOWED') throw new AuthError(`Session refused for "${this.o.login}": ${err.message}`, { cause: err });
      throw err;
    }
    const baseUrl = this.pick(info.publicBaseUrl, info.privateBaseUrl) ?? `${root}/api/rest/1.0`;
    const ttl = typeof info.timeToLive === 'number' && info.timeToLive > 0 ? info.timeToLive : 600;
    const productType = typeof serverInfo?.productType === 'string' ? serverInfo.productType.slice(0, 32) : undefined;
    this.data = { sessionsUrl, baseUrl: baseUrl.replace(/\/+$/, ''), ttlSeconds: ttl, admin: info.admin === true, services: info.services, productType };
    this.generation++;
    this.startKeepalive();
    this.emit('renewed', this.generation);
  }

  private pick(pub: unknown, priv: unknown): string | undefined {
    const p = typeof pub === 'string' && pub ? pub : undefined;
    const q = typeof priv === 'string' && priv ? priv : undefined;
    return this.o.urlKind === 'public' ? (p ?? q) : (q ?? p);
  }

  private startKeepalive(): void {
    this.stopKeepalive();
    // Renew with 10 % of the session's life to spare, but never less than half of it up to 5 s: on a short
    // session a 10 % margin is a few hundred ms, which a busy event loop can eat and let the session lapse.
    const ttlMs = this.data!.ttlSeconds * 1000;
    const period = Math.max(500, ttlMs - Math.max(ttlMs * 0.1, Math.min(ttlMs / 2, 5000)));
    this.keepaliveTimer = setInterval(() => void this.keepalive(), period);
    this.keepaliveTimer.unref();
  }

  private stopKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  /** One keepalive; a refusal or a failure means the session is gone. */
  async keepalive(): Promise<void> {
    const d = this.data;
    if (!d) return;
    try {
      const r = await this.raw('POST', `${d.sessionsUrl}/keepalive`, this.authHeaders());
      if (r.status >= 400 && this.data === d) this.invalidate(`keepalive refused (HTTP ${r.status})`);
    } catch (err) {
      if (this.data === d) this.invalidate(`keepalive failed: ${(err as Error).message}`);
    }
  }

  /** Deletes the session on the server (best effort) and stops the keepalive. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopKeepalive();
    const d = this.data;
    const headers = this.authHeaders();
    const old = this.dropped;
    this.dropped = undefined;
    this.data = undefined;
    this.token = undefined;
    if (old) await this.raw('DELETE', old.url, old.headers, undefined, 2000).catch(() => undefined);
    if (d) await this.raw('DELETE', d.sessionsUrl, headers, undefined, 2000).catch(() => undefined);
  }

  private raw(method: string, url: string, headers: Record<string, string>, body?: string, timeoutMs = this.o.timeoutMs): Promise<HttpResult> {
    const h = body !== undefined ? { ...headers, 'Content-Type': 'application/json' } : headers;
    return this.http.request(url, { method, headers: h, body, timeoutMs });
  }

  private async json(method: string, url: string, headers: Record<string, string>, body: string | undefined, step: string): Promise<Json> {
    return this.check(await this.raw(method, url, headers, body), step);
  }

  private check(r: HttpResult, step: string): Json {
    if (r.status < 200 || r.status >= 300) throw apiError(r, step);
    try {
      const v = JSON.parse(r.text) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Json;
    } catch {
      // fall through
    }
    throw new PbxError('PBX', `${step}: the server answered with something that is not a JSON object`);
  }
}

/** A `RestErrorInfo` body (or a bare status) as a typed error. `innerMessage` is left out: it may echo tokens. */
export function apiError(r: HttpResult, what: string): PbxApiError {
  let info: Json = {};
  try {
    const v = JSON.parse(r.text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) info = v as Json;
  } catch {
    // not JSON: status only
  }
  const type = typeof info.type === 'string' ? info.type : undefined;
  const help = typeof info.helpMessage === 'string' ? info.helpMessage : undefined;
  const code = typeof info.code === 'number' || typeof info.code === 'string' ? info.code : undefined;
  const canRetry = typeof info.canRetry === 'boolean' ? info.canRetry : r.status >= 500 || r.status === 429;
  return new PbxApiError(`${what}: HTTP ${r.status}${type ? ` ${type}` : ''}${help ? ` - ${help}` : ''}`, { status: r.status, type, code, canRetry, helpMessage: help });
}

function cookieValue(setCookie: string[] | undefined, name: string): string | undefined {
  for (const c of setCookie ?? []) {
    const first = c.split(';')[0];
    const i = first.indexOf('=');
    if (i > 0 && first.slice(0, i).trim() === name) return first.slice(i + 1).trim();
  }
  return undefined;
}
