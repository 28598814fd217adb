/**
 * Voicenter login: what to connect to and with which token, per login type.
 *
 * Wire facts (Voicenter's Real Time API doc says only "login type user / account / token"; the rest is from
 * Voicenter's Events SDK, VoicenterTeam/VoicenterEventsSDK):
 * - Default URLs: `src/classes/events-sdk/events-sdk-default-options.ts` (loginUrl
 *   `https://loginapi.voicenter.co.il/monitorAPI/Login`, refreshTokenUrl `.../monitorAPI/RefreshIdentityToken`,
 *   server discovery `https://monitorapi.voicenter.co.il/monitorAPI/getMonitorUrls`, fallback server
 *   `monitor5.voicenter.co.il` with Priority 0).
 * - `user`: POST `<loginUrl>/User` `{ email, pin }`; `token` through the login API: POST `<loginUrl>/Token`
 *   `{ token }`. The answer is `{ StatusCode, Status, Data: { Socket: { Token, RefreshToken, TokenExpiry,
 *   RefreshTokenExpiry, URLList, Url, Client, Version } } }` (docs/content/api/interfaces/ExternalLoginResponse.md,
 *   ExternalLoginOldStackResponseData.md, LoginSessionData.md); `Client` is a script URL ending in `v=<socket.io
 *   version>` (src/classes/socket-io/socket-io.class.ts `getSocketIoFunction`); servers in a `MonitorList` are
 *   `{ Domain, Priority, URLID, Version }` (docs/content/api/interfaces/Server.md), lowest Priority first.
 * - Refresh: GET `<refreshTokenUrl>` with `Authorization: Bearer <RefreshToken>`, a few seconds before
 *   `TokenExpiry` (read-out of the SDK's next branch: 5 s before).
 * - `account` through the login API (useLoginApi): POST `<loginUrl>/Account` `{ username, password }`
 *   (src/utils/externalLogin.js `getExternalLoginUrl`, `externalLogin`).
 * - `account` logs in on the socket (`loginUser { user, pass }`) and `token` without the login API on the socket
 *   (`login { token }`, with the token also in the handshake query): see the connection.
 * - Token expiry is on the login API's clock: with its `Date` header, the expiry is moved onto this host's clock,
 *   so a host clock ahead of Voicenter's does not read every token as expired.
 */
import { AuthError, PbxApiError, PbxError } from '../../errors';
import { int, isRecord, list, nonEmpty, text } from '../../model/fields';
import { requestJson } from './http';

export { DEFAULT_LOGIN_URL, DEFAULT_MONITOR_URL } from './settings';
export const DEFAULT_SERVERS = ['https://monitor5.voicenter.co.il'];

export type LoginType = 'user' | 'account' | 'token';
export type SocketVersion = '2' | '4';

export interface LoginSettings {
  loginType: LoginType;
  loginUrl: string;
  refreshUrl: string;
  monitorUrl: string;
  /** email (user) or username (account). */
  login: string;
  /** password, or the organization token for `token`. */
  secret: string;
  /** `token` logins: exchange the token through the login API (else: straight on the socket). */
  useLoginApi: boolean;
  serverUrl?: string;
  socketVersion: 'auto' | SocketVersion;
  timeoutMs: number;
  rejectUnauthorized?: boolean;
  ca?: string;
  /** This host's clock (injected in tests). */
  now: () => number;
  /** Takes known secrets out of server text before it is cut to size (a cut secret would escape the scrubber). */
  scrub?: (text: string) => string;
}

export interface VoicenterSession {
  /** The token for the socket (query and `login`), and the keepalive payload. */
  token?: string;
  refreshToken?: string;
  /** Epoch ms, on this host's clock. */
  expiresAt?: number;
  /** When the token was received (this host's clock). */
  issuedAt?: number;
  /** Socket server URLs, preferred first. */
  servers: string[];
  socketVersion: SocketVersion;
  /** Came from the HTTP login API (so a refused token is worth one fresh login). */
  fromLoginApi: boolean;
}

/** Derives the refresh URL from a login URL ending in `/Login` (Voicenter's layout and the simulator's). */
export function refreshUrlOf(loginUrl: string): string {
  return /\/Login\/?$/i.test(loginUrl) ? loginUrl.replace(/\/Login\/?$/i, '/RefreshIdentityToken') : `${loginUrl.replace(/\/$/, '')}/RefreshIdentityToken`;
}

export async function login(s: LoginSettings, remember: (secret: string) => void): Promise<VoicenterSession> {
  const forced = s.socketVersion === 'auto' ? undefined : s.socketVersion;
  if (usesLoginApi(s)) {
    const path = s.loginType === 'user' ? '/User' : s.loginType === 'token' ? '/Token' : '/Account';
    const body = s.loginType === 'user' ? { email: s.login, pin: s.secret } : s.loginType === 'token' ? { token: s.secret } : { username: s.login, password: s.secret };
    const res = await requestJson(`${s.loginUrl.replace(/\/$/, '')}${path}`, { method: 'POST', body, timeoutMs: s.timeoutMs, rejectUnauthorized: s.rejectUnauthorized, ca: s.ca, wantDate: true });
    const session = sessionOf(res.status, res.body, 'login', remember, s.scrub);
    onLocalClock(session, res.serverDate, s.now());
    if (s.serverUrl) session.servers = [s.serverUrl];
    if (forced) session.socketVersion = forced;
    if (session.servers.length === 0) session.servers = [...DEFAULT_SERVERS];
    return session;
  }
  if (s.loginType === 'token') {
    // Voicenter's SDK connects with the token in the handshake query (src/classes/socket-io/socket-io.class.ts).
    return { token: s.secret, servers: s.serverUrl ? [s.serverUrl] : await discover(s), socketVersion: forced ?? '2', fromLoginApi: false };
  }
  return { servers: s.serverUrl ? [s.serverUrl] : [...DEFAULT_SERVERS], socketVersion: forced ?? '2', fromLoginApi: false };
}

/** A new token before the current one expires. AuthError when the refresh token is refused. */
export async function refresh(s: LoginSettings, old: VoicenterSession, remember: (secret: string) => void): Promise<VoicenterSession> {
  if (!old.refreshToken) throw new AuthError('Voicenter gave no refresh token');
  const res = await requestJson(s.refreshUrl, { method: 'GET', headers: { authorization: `Bearer ${old.refreshToken}` }, timeoutMs: s.timeoutMs, rejectUnauthorized: s.rejectUnauthorized, ca: s.ca, wantDate: true });
  const next = sessionOf(res.status, res.body, 'token refresh', remember, s.scrub);
  onLocalClock(next, res.serverDate, s.now());
  return {
    ...old,
    token: next.token,
    refreshToken: next.refreshToken ?? old.refreshToken,
    expiresAt: next.expiresAt,
    issuedAt: next.issuedAt,
    // A refresh answer may leave out the server list: keep the one we have.
    servers: next.servers.length > 0 && !s.serverUrl ? next.servers : old.servers,
  };
}

/** Whether this login type goes through the HTTP login API. */
export function usesLoginApi(s: Pick<LoginSettings, 'loginType' | 'useLoginApi'>): boolean {
  return s.loginType === 'user' || (s.useLoginApi && (s.loginType === 'token' || s.loginType === 'account'));
}

/**
 * The expiry the server stated is on its clock: moved onto ours by the difference its `Date` header shows (1 s
 * resolution, so differences under 2 s are left alone).
 */
function onLocalClock(session: VoicenterSession, serverDate: number | undefined, now: number): void {
  session.issuedAt = now;
  if (session.expiresAt === undefined || serverDate === undefined) return;
  const skew = serverDate - now;
  if (Math.abs(skew) >= 2000) session.expiresAt -= skew;
}

/** Token on the socket: the servers the discovery API names for it, else Voicenter's fallback server. */
async function discover(s: LoginSettings): Promise<string[]> {
  try {
    const res = await requestJson(`${s.monitorUrl.replace(/\/$/, '')}/${encodeURIComponent(s.secret)}`, { method: 'GET', timeoutMs: s.timeoutMs, rejectUnauthorized: s.rejectUnauthorized, ca: s.ca });
    const servers = res.status === 200 ? serverList(res.body) : [];
    return servers.length > 0 ? servers : [...DEFAULT_SERVERS];
  } catch {
    return [...DEFAULT_SERVERS];
  }
}

function sessionOf(status: number, body: unknown, what: string, remember: (secret: string) => void, scrub: (t: string) => string = (t) => t): VoicenterSession {
  const b = isRecord(body) ? body : undefined;
  const code = int(b?.StatusCode, 0, 999_999);
  // Scrubbed whole, then cut: the login API may echo what it was sent (the password, the token) in its text.
  const desc = scrub(text(b?.Status, 4096) ?? text(b?.Message, 4096) ?? (typeof body === 'string' ? body : '')).slice(0, 200);
  // The doc: wrong credentials get 401 ("Unauthorized") or 500 ("Unexpected token").
  if (status === 401 || status === 403 || code === 401 || code === 403 || (status === 500 && /unexpected token/i.test(desc))) {
    throw new AuthError(`Voicenter refused the ${what} (HTTP ${status}${desc ? `: ${desc}` : ''})`);
  }
  if (status < 200 || status >= 300) {
    throw new PbxApiError(`Voicenter ${what} failed (HTTP ${status}${desc ? `: ${desc}` : ''})`, { status, canRetry: status >= 500 });
  }
  const data = isRecord(b?.Data) ? b!.Data as Record<string, unknown> : b;
  const sock = isRecord(data?.Socket) ? data!.Socket as Record<string, unknown> : data;
  const token = nonEmpty(sock?.Token, 8192) ?? nonEmpty(sock?.IdentityCode, 8192);
  if (!token) {
    if (code !== undefined && code !== 0 && code !== 200) throw new AuthError(`Voicenter refused the ${what} (${desc || `status ${code}`})`);
    throw new PbxError('PBX', `Voicenter ${what}: the answer holds no token`);
  }
  remember(token);
  const refreshToken = nonEmpty(sock?.RefreshToken, 8192);
  if (refreshToken) remember(refreshToken);
  const servers = serverList(sock?.MonitorList ?? data?.MonitorList);
  const url = nonEmpty(sock?.Url) ?? nonEmpty(sock?.URL);
  if (servers.length === 0) {
    for (const u of [url, ...serverList(sock?.URLList)]) if (u && !servers.includes(serverUrlOf(u)!)) servers.push(serverUrlOf(u)!);
  }
  return {
    token,
    refreshToken,
    expiresAt: expiryOf(sock?.TokenExpiry ?? sock?.IdentityCodeExpiry),
    servers: servers.filter(Boolean),
    socketVersion: versionOf(text(sock?.Client, 2048), text(sock?.Version, 64)),
    fromLoginApi: true,
  };
}

/** `["host", "https://host"]` or `[{ Domain, Priority }]` as socket URLs, lowest Priority first. */
export function serverList(v: unknown): string[] {
  const items = list(v);
  if (!items) return [];
  const withPriority: Array<{ url: string; priority: number; i: number }> = [];
  items.forEach((item, i) => {
    const domain = typeof item === 'string' ? item : isRecord(item) ? nonEmpty(item.Domain) ?? nonEmpty(item.URL) : undefined;
    const url = domain ? serverUrlOf(domain) : undefined;
    if (!url) return;
    const priority = isRecord(item) ? int(item.Priority, 0, 1e6) ?? i : i;
    withPriority.push({ url, priority, i });
  });
  withPriority.sort((a, b) => a.priority - b.priority || a.i - b.i);
  const out: string[] = [];
  for (const s of withPriority) if (!out.includes(s.url)) out.push(s.url);
  return out;
}

/** A domain or URL as an http(s) URL, or undefined. */
function serverUrlOf(v: string): string | undefined {
  const s = /^[a-z]+:\/\//i.test(v) ? v : `https://${v}`;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? s.replace(/\/$/, '') : undefined;
  } catch {
    return undefined;
  }
}

function expiryOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string' && v.length <= 64) {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

/** The socket.io major the server speaks: `Client` ends in `v=1.3.7` today (Engine.IO v3, the 2.x client). */
export function versionOf(client: string | undefined, version: string | undefined): SocketVersion {
  const v = client?.match(/v=(\d+)(?:[._]\d+)*\s*$/)?.[1] ?? version?.match(/^v?(\d+)/)?.[1];
  return v !== undefined && Number(v) >= 3 ? '4' : '2';
}
