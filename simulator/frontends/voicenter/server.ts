/**
 * The Voicenter front-end of the simulator: the HTTP login API (user, token and account logins, token refresh,
 * server discovery) and socket.io servers (several, for fail-over) rendering the virtual PBX in Voicenter's event
 * shapes. Runs as socket.io 2.x (`socket.io-v2`, Engine.IO v3 like Voicenter's servers) or 4.x (`socket.io` with
 * `allowEIO3`, so 2.x clients connect too). Both are dev dependencies, loaded when the front-end starts:
 * `VoicenterFrontEnd.unavailable()` says why it cannot run (a published package without them).
 *
 * As Voicenter's official client (VoicenterTeam/VoicenterEventsSDK) expects it:
 * - a valid `?token=` in the socket.io handshake signs the socket in: loginSuccess, loginStatus and
 *   AllExtensionsStatus follow without any `login` event (src/classes/socket-io/socket-io.class.ts
 *   `initSocketConnection` sends the token in the query only); `login` / `loginUser` are still accepted;
 * - with `tls`, every server is HTTPS and the login answers name socket servers as bare host names, which the SDK
 *   prefixes with `https://` (src/sdk.js `_onLoginResponse` strips only "https://"; `_initSocketConnection`);
 * - `resync { cache }` is answered with a fresh loginStatus and AllExtensionsStatus (src/sdk.js `reSync`, sent every
 *   `idleInterval`, 5 minutes);
 * - POST /monitorAPI/Login/Account `{ username, password }` (src/utils/externalLogin.js `getExternalLoginUrl`,
 *   `externalLogin`);
 * - epochs as render.ts says (local clock with `servertimeoffset` by default; `epochs: 'utc'` for UTC).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { isRecord } from '../../../shared/model/fields';
import type { PbxChange, SimUser } from '../../pbx/types';
import type { VirtualPbx } from '../../pbx/virtual-pbx';
import { simFeatures } from '../ale/operation-routes/features';
import type { PilotChange } from '../../pbx/pilots';
import { extensionFields, queueEvent, userStatusEvent, VoicenterRenderer, wireClock, type QueueCallEntry, type SimExtension, type WireClock } from './render';

export type SimSocketVersion = '2' | '4';

export interface VoicenterFrontEndOptions {
  pbx: VirtualPbx;
  users: SimUser[];
  host?: string;
  /** socket.io major of the servers. Default '2'. */
  socketVersion?: SimSocketVersion;
  /** How many socket servers (the login answer lists them all, first preferred). Default 2. */
  servers?: number;
  tokenTtlSeconds?: number;
  /** The organization token (`token` logins). */
  organizationToken?: string;
  /** Epochs on the server's local clock (`servertimeoffset` minutes ahead of UTC; the SDK's reading, default) or UTC. */
  epochs?: 'local' | 'utc';
  /** The `servertimeoffset` field, minutes. Default 180 (Israel, the SDK's default). */
  serverTimeOffsetMinutes?: number;
  /** Serve the login API and the sockets over HTTPS; login answers then name servers as bare host names. */
  tls?: { key: string; cert: string };
}

interface IoSocket {
  id: string;
  handshake: { query: Record<string, unknown> };
  on(name: string, fn: (...a: unknown[]) => void): void;
  emit(name: string, ...a: unknown[]): void;
  disconnect(close?: boolean): void;
}
interface IoServer {
  use(fn: (s: IoSocket, next: (err?: Error) => void) => void): void;
  on(name: 'connection', fn: (s: IoSocket) => void): void;
  close(cb?: () => void): void;
}

/** The Engine.IO socket under a socket.io one (for raw fault frames). */
interface RawConn {
  write(data: string): void;
  transport?: { socket?: { send(data: string): void } };
}

interface Grant {
  scope: 'user' | 'account';
  login?: string;
  expiresAt: number;
}

interface Client {
  socket: IoSocket;
  grant?: Grant;
  token?: string;
}

interface SocketServer {
  http: Server;
  io?: IoServer;
  port: number;
  clients: Set<Client>;
  sockets: Set<NetSocket>;
}

const API = '/monitorAPI';

export class VoicenterFrontEnd {
  readonly socketVersion: SimSocketVersion;
  readonly organizationToken: string;
  readonly stats = { httpLogins: 0, failedHttpLogins: 0, refreshes: 0, discoveries: 0, socketLogins: 0, failedSocketLogins: 0, connections: 0, keepalives: 0, resyncs: 0 };
  readonly clock: WireClock;
  private readonly api: Server;
  private readonly apiSockets = new Set<NetSocket>();
  private readonly servers: SocketServer[] = [];
  private readonly tokens = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly extensions: SimExtension[];
  private readonly renderer: VoicenterRenderer;
  private readonly waiting = new Map<number, Map<string, QueueCallEntry>>();
  private readonly queues = new Map<string, { id: number; name: string }>();
  private readonly onChange: (c: PbxChange) => void;
  private readonly onPilot: (c: PilotChange) => void;
  private keepaliveErrors = 0;
  private silent = false;
  private muted = false;
  private refreshFailures = 0;
  private apiUrl = '';
  private host: string;

  /** Why the front-end cannot run here (socket.io servers are dev dependencies), or undefined. */
  static unavailable(version: SimSocketVersion = '2'): string | undefined {
    try {
      require.resolve(version === '2' ? 'socket.io-v2' : 'socket.io');
      return undefined;
    } catch {
      return `the Voicenter simulator needs the socket.io ${version}.x server (dev dependency ${version === '2' ? 'socket.io-v2' : 'socket.io'}), which is not installed`;
    }
  }

  constructor(private readonly o: VoicenterFrontEndOptions) {
    this.socketVersion = o.socketVersion ?? '2';
    this.organizationToken = o.organizationToken ?? 'sim-voicenter-org-token';
    this.host = o.host ?? '127.0.0.1';
    this.clock = wireClock(o.epochs ?? 'local', o.serverTimeOffsetMinutes ?? 180);
    this.extensions = o.users.filter((u) => !u.admin && /^\d+$/.test(u.number)).map((u, i) => ({ user: u, number: Number(u.number), userID: 7_000_000 + i, status: 1 }));
    this.renderer = new VoicenterRenderer((login) => this.extensions.find((e) => e.user.login === login), this.clock);
    this.api = this.httpServer((req, res) => void this.handle(req, res));
    this.api.on('connection', (s: NetSocket) => {
      this.apiSockets.add(s);
      s.on('close', () => this.apiSockets.delete(s));
    });
    const pilots = simFeatures(o.pbx).pilots;
    for (const p of pilots.pilots) this.queues.set(p.number, { id: Number(p.number), name: p.name });
    this.onChange = (c) => {
      const payload = this.renderer.render(c);
      if (!payload) return;
      const ext = this.extensions.find((e) => e.user.login === c.user)!;
      if (!this.muted) this.broadcast('ExtensionEvent', payload, ext.user.login);
    };
    this.onPilot = (c) => this.pilotChange(c);
    o.pbx.on('change', this.onChange);
    pilots.on('change', this.onPilot);
  }

  async start(): Promise<void> {
    const why = VoicenterFrontEnd.unavailable(this.socketVersion);
    if (why) throw new Error(why);
    await listen(this.api, 0, this.host);
    this.apiUrl = `${this.scheme}://${this.host}:${(this.api.address() as AddressInfo).port}`;
    for (let i = 0; i < (this.o.servers ?? 2); i++) {
      const s: SocketServer = { http: this.httpServer(), port: 0, clients: new Set(), sockets: new Set() };
      this.servers.push(s);
      await this.startServer(i);
    }
  }

  /** The login API URL (ConnectionConfig.url). */
  get loginUrl(): string {
    return `${this.apiUrl}${API}/Login`;
  }

  get monitorUrl(): string {
    return `${this.apiUrl}${API}/getMonitorUrls`;
  }

  /** Socket server URLs, preferred first. */
  get socketUrls(): string[] {
    return this.servers.map((s) => `${this.scheme}://${this.host}:${s.port}`);
  }

  /**
   * Socket servers as the login answers and discovery name them: bare host names with TLS, as the real service
   * (the SDK adds `https://`); full `http://` URLs without TLS, which no bare name could express.
   */
  get announcedServers(): string[] {
    return this.o.tls ? this.servers.map((s) => `${this.host}:${s.port}`) : this.socketUrls;
  }

  private get scheme(): 'http' | 'https' {
    return this.o.tls ? 'https' : 'http';
  }

  private httpServer(handler?: (req: IncomingMessage, res: ServerResponse) => void): Server {
    if (!this.o.tls) return handler ? createServer(handler) : createServer();
    const opts = { key: this.o.tls.key, cert: this.o.tls.cert };
    return (handler ? createHttpsServer(opts, handler) : createHttpsServer(opts)) as unknown as Server;
  }

  /** Demo credentials per login type. */
  get credentials(): { user: Array<{ email: string; password: string; extension: string }>; account: { username: string; password: string }; token: string } {
    const admin = this.o.users.find((u) => u.admin);
    return {
      user: this.extensions.map((e) => ({ email: emailOf(e.user), password: e.user.password, extension: String(e.number) })),
      account: { username: admin?.login ?? 'admin', password: admin?.password ?? 'admin-pw' },
      token: this.organizationToken,
    };
  }

  /** What `pbxflow simulate` prints: URLs, demo credentials and a command to try. */
  summary(): string {
    const c = this.credentials;
    const u = c.user[0];
    return [
      `Voicenter (socket.io ${this.socketVersion}.x${this.o.tls ? ', HTTPS' : ''}; epochs ${this.o.epochs ?? 'local'}, servertimeoffset ${this.clock.offset}):`,
      `  login API:  ${this.loginUrl}`,
      `  sockets:    ${this.socketUrls.join(', ')}`,
      `  user logins (email / password / extension): ${c.user.map((x) => `${x.email} ${x.password} ${x.extension}`).join('; ')}`,
      `  account login: ${c.account.username} / ${c.account.password}    token login: ${c.token}`,
      `  try: pbxflow listen --platform voicenter --login-type user --email ${u?.email ?? ''} --password ${u?.password ?? ''} --login-url ${this.loginUrl}`,
      '',
    ].join('\n');
  }

  /** Sockets logged in now, per server. */
  clients(): number[] {
    return this.servers.map((s) => [...s.clients].filter((c) => c.grant).length);
  }

  // ---- faults -----------------------------------------------------------------------------------------

  /** Every socket is dropped by the server (a restart); servers listen on. Tokens stay valid. */
  restart(): void {
    for (const s of this.servers) for (const c of [...s.clients]) c.socket.disconnect(true);
  }

  /** Server `i` goes away: its sockets drop and new connections are refused until `startServer(i)`. */
  async stopServer(i: number): Promise<void> {
    const s = this.servers[i];
    if (!s.io) return;
    for (const c of [...s.clients]) c.socket.disconnect(true);
    const io = s.io;
    s.io = undefined;
    for (const sock of s.sockets) sock.destroy();
    await new Promise<void>((resolve) => io.close(() => resolve()));
    if (s.http.listening) await new Promise<void>((resolve) => s.http.close(() => resolve()));
  }

  async startServer(i: number): Promise<void> {
    const s = this.servers[i];
    if (s.io) return;
    s.http = this.httpServer();
    s.http.on('connection', (sock: NetSocket) => {
      s.sockets.add(sock);
      sock.on('close', () => s.sockets.delete(sock));
    });
    await listen(s.http, s.port, this.host);
    s.port = (s.http.address() as AddressInfo).port;
    s.io = this.createIo(s.http);
    s.io.use((socket, next) => {
      const token = typeof socket.handshake.query.token === 'string' ? socket.handshake.query.token : '';
      if (token && !this.grantOf(token)) {
        this.stats.failedSocketLogins++;
        next(new Error('Unauthorized'));
        return;
      }
      next();
    });
    s.io.on('connection', (socket) => this.connection(s, socket));
  }

  /** The next `n` keepalive answers carry a non-zero errorCode. */
  keepaliveError(n = 1): void {
    this.keepaliveErrors = n;
  }

  /** Keepalives go unanswered (a server that hangs without closing the socket). */
  silence(on: boolean): void {
    this.silent = on;
  }

  /** The monitored set changed: every socket gets `ExtensionsUpdated`. */
  extensionsUpdated(): void {
    for (const s of this.servers) for (const c of s.clients) if (c.grant) c.socket.emit('ExtensionsUpdated', {});
  }

  /** Every issued token expires now (refresh tokens stay valid); sockets that used one are dropped. */
  expireTokens(): void {
    for (const t of [...this.tokens.keys()]) if (t !== this.organizationToken) this.tokens.delete(t);
    for (const s of this.servers) for (const c of [...s.clients]) if (c.token && c.token !== this.organizationToken) c.socket.disconnect(true);
  }

  /** A user changes their Voicenter status (1-13): `userStatusUpdate`. */
  setUserStatus(login: string, status: number): void {
    const ext = this.extensions.find((e) => e.user.login === login);
    if (!ext) throw new Error(`no extension for ${login}`);
    ext.status = status;
    this.broadcast('ExtensionEvent', userStatusEvent(ext, this.clock), login);
  }

  /** Sends raw events (name, payload) to every logged-in socket (bench, replays). */
  send(name: string, payload: unknown): void {
    for (const s of this.servers) for (const c of s.clients) if (c.grant) c.socket.emit(name, payload);
  }

  /**
   * Fault: a socket.io packet as text (e.g. `2{"not":"an array"}`), sent as one Engine.IO message to every
   * logged-in socket, past the server's encoder. With `engine: true`, the text is the whole WebSocket frame
   * (Engine.IO level garbage).
   */
  sendRaw(frame: string, engine = false): number {
    let n = 0;
    for (const s of this.servers) for (const c of s.clients) {
      if (!c.grant) continue;
      const conn = (c.socket as unknown as { conn: RawConn }).conn;
      if (engine) conn.transport?.socket?.send(frame);
      else conn.write(frame);
      n++;
    }
    return n;
  }

  /** Fault: the next `n` token refreshes answer 500. */
  failRefresh(n: number): void {
    this.refreshFailures = n;
  }

  /** Fault: call events are not sent (a server silently out of step); snapshots still tell the truth. */
  muteEvents(on: boolean): void {
    this.muted = on;
  }

  async close(): Promise<void> {
    this.o.pbx.off('change', this.onChange);
    simFeatures(this.o.pbx).pilots.off('change', this.onPilot);
    for (let i = 0; i < this.servers.length; i++) await this.stopServer(i);
    for (const s of this.apiSockets) s.destroy();
    if (this.api.listening) await new Promise<void>((resolve) => this.api.close(() => resolve()));
  }

  // ---- sockets ----------------------------------------------------------------------------------------

  private createIo(http: Server): IoServer {
    if (this.socketVersion === '2') {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const io2 = require('socket.io-v2') as (srv: Server, o: Record<string, unknown>) => IoServer;
      return io2(http, { serveClient: false, pingInterval: 25_000, pingTimeout: 60_000 });
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Server: Io4 } = require('socket.io') as { Server: new (srv: Server, o: Record<string, unknown>) => IoServer };
    return new Io4(http, { serveClient: false, allowEIO3: true, pingInterval: 25_000, pingTimeout: 60_000 });
  }

  private connection(s: SocketServer, socket: IoSocket): void {
    this.stats.connections++;
    const client: Client = { socket };
    s.clients.add(client);
    const query = typeof socket.handshake.query.token === 'string' ? socket.handshake.query.token : '';
    const accept = (grant: Grant, token?: string) => {
      this.stats.socketLogins++;
      client.grant = grant;
      client.token = token;
      this.snapshot(client);
    };
    // The SDK signs in with the handshake's token alone (the middleware has checked it).
    const handshakeGrant = query ? this.grantOf(query) : undefined;
    if (handshakeGrant) accept(handshakeGrant, query);
    const refuse = () => {
      this.stats.failedSocketLogins++;
      socket.emit('loginStatus', { errorCode: 401, errorDesc: 'Unauthorized' });
      socket.disconnect(true);
    };
    socket.on('login', (p: unknown) => {
      const token = isRecord(p) && typeof p.token === 'string' ? p.token : query;
      // Signed in by the handshake with this token already: nothing new to say (the snapshot was sent).
      if (client.grant && token === client.token && this.grantOf(token)) return;
      const g = token ? this.grantOf(token) : undefined;
      if (g) accept(g, token);
      else refuse();
    });
    socket.on('resync', () => {
      if (!client.grant) return;
      this.stats.resyncs++;
      this.snapshot(client, false);
    });
    socket.on('loginUser', (p: unknown) => {
      const admin = this.o.users.find((u) => u.admin);
      if (isRecord(p) && admin && p.user === admin.login && p.pass === admin.password) accept({ scope: 'account', expiresAt: Infinity });
      else refuse();
    });
    socket.on('keepalive', () => {
      this.stats.keepalives++;
      if (this.silent) return;
      const errorCode = this.keepaliveErrors > 0 ? 1 : 0;
      if (this.keepaliveErrors > 0) this.keepaliveErrors--;
      socket.emit('keepaliveResponse', { errorCode, errorDesc: errorCode ? 'token not valid' : 'OK' });
    });
    socket.on('disconnect', () => s.clients.delete(client));
  }

  /** loginSuccess (after a login), then the snapshot: loginStatus (queues) and AllExtensionsStatus (extensions and their calls). */
  private snapshot(c: Client, login = true): void {
    const t = this.clock.epoch();
    const off = this.clock.offset;
    if (login) c.socket.emit('loginSuccess', { errorCode: 0, errorDesc: 'OK', servertime: t, servertimeoffset: off });
    const account = c.grant!.scope === 'account';
    const queues = account ? [...this.queues.values()].map((q) => ({ QueueID: q.id, QueueName: q.name, Calls: [...(this.waiting.get(q.id)?.values() ?? [])] })) : [];
    c.socket.emit('loginStatus', { errorCode: 0, errorDesc: 'OK', servertime: t, servertimeoffset: off, queues });
    const exts = this.extensions.filter((e) => account || e.user.login === c.grant!.login);
    c.socket.emit('AllExtensionsStatus', {
      errorCode: 0, errorDesc: 'OK', servertime: t, servertimeoffset: off,
      extensions: exts.map((e) => ({ ...extensionFields(e, this.clock), calls: this.renderer.callsOf(this.o.pbx.viewsOf(e.user.login), e) })),
    });
  }

  /** An event about `login`'s extension goes to account sockets and to that user's own sockets. */
  private broadcast(name: string, payload: unknown, login: string): void {
    for (const s of this.servers) for (const c of s.clients) {
      if (c.grant && (c.grant.scope === 'account' || c.grant.login === login)) c.socket.emit(name, payload);
    }
  }

  /** Queue events are for account logins only (the doc: not sent to user logins). */
  private pilotChange(c: PilotChange): void {
    const q = this.queues.get(c.pilot.number);
    if (!q) return;
    const ivrid = `sim-${c.callRef}`;
    let w = this.waiting.get(q.id);
    if (!w) this.waiting.set(q.id, (w = new Map()));
    let reason: 'JOIN' | 'EXIT' | 'ABANDONED';
    if (c.kind === 'created') {
      const t = Math.floor(c.time / 1000) + (this.clock.epoch() - Math.floor(Date.now() / 1000));
      w.set(ivrid, { CallerID: c.caller.number, CallerName: c.caller.name ?? c.caller.number, IvrUniqueID: ivrid, ivrid, JoinTimeStamp: t, calldurationinterval: t });
      this.renderer.queued.set(ivrid, q.id);
      reason = 'JOIN';
    } else if (c.kind === 'removed') {
      w.delete(ivrid);
      reason = c.cause === 'distributed' ? 'EXIT' : 'ABANDONED';
      if (reason === 'ABANDONED') this.renderer.queued.delete(ivrid);
    } else return;
    const payload = queueEvent(reason, q, ivrid, [...w.values()], this.clock);
    if (this.muted) return;
    for (const s of this.servers) for (const cl of s.clients) if (cl.grant?.scope === 'account') cl.socket.emit('QueueEvent', payload);
  }

  private grantOf(token: string): Grant | undefined {
    if (token === this.organizationToken) return { scope: 'account', expiresAt: Infinity };
    const g = this.tokens.get(token);
    if (!g) return undefined;
    if (Date.now() >= g.expiresAt) {
      this.tokens.delete(token);
      return undefined;
    }
    return g;
  }

  // ---- login API ----------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const send = (status: number, json: unknown) => {
      const text = JSON.stringify(json);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.method === 'POST' && url.pathname === `${API}/Login/User`) {
      this.stats.httpLogins++;
      const e = this.extensions.find((x) => isRecord(body) && body.email === emailOf(x.user) && body.pin === x.user.password);
      if (!e) {
        this.stats.failedHttpLogins++;
        return send(401, { StatusCode: 401, Status: 'Unauthorized' });
      }
      return send(200, this.issue({ scope: 'user', login: e.user.login, expiresAt: 0 }));
    }
    if (req.method === 'POST' && url.pathname === `${API}/Login/Token`) {
      this.stats.httpLogins++;
      if (!isRecord(body) || body.token !== this.organizationToken) {
        this.stats.failedHttpLogins++;
        return send(401, { StatusCode: 401, Status: 'Unauthorized' });
      }
      return send(200, this.issue({ scope: 'account', expiresAt: 0 }));
    }
    if (req.method === 'POST' && url.pathname === `${API}/Login/Account`) {
      // The SDK's account login over HTTP (src/utils/externalLogin.js: `{ username, password }` to `<loginUrl>/Account`).
      this.stats.httpLogins++;
      const admin = this.o.users.find((u) => u.admin);
      if (!admin || !isRecord(body) || body.username !== admin.login || body.password !== admin.password) {
        this.stats.failedHttpLogins++;
        return send(401, { StatusCode: 401, Status: 'Unauthorized' });
      }
      return send(200, this.issue({ scope: 'account', expiresAt: 0 }));
    }
    if (req.method === 'GET' && url.pathname === `${API}/RefreshIdentityToken`) {
      this.stats.refreshes++;
      if (this.refreshFailures > 0) {
        this.refreshFailures--;
        return send(500, { StatusCode: 500, Status: 'Internal error' });
      }
      const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
      const g = m ? this.refreshTokens.get(m[1]) : undefined;
      if (!g) return send(401, { StatusCode: 401, Status: 'Unauthorized' });
      this.refreshTokens.delete(m![1]);
      return send(200, this.issue({ ...g }));
    }
    if (req.method === 'GET' && url.pathname.startsWith(`${API}/getMonitorUrls/`)) {
      this.stats.discoveries++;
      const token = decodeURIComponent(url.pathname.slice(`${API}/getMonitorUrls/`.length));
      if (!this.grantOf(token)) return send(401, { StatusCode: 401, Status: 'Unauthorized' });
      return send(200, this.announcedServers.map((u, i) => ({ Domain: u, Priority: i, URLID: i + 1, Version: this.clientVersion() })));
    }
    send(404, { StatusCode: 404, Status: 'Not found' });
  }

  private issue(g: Grant): Record<string, unknown> {
    const ttl = (this.o.tokenTtlSeconds ?? 3600) * 1000;
    const grant: Grant = { ...g, expiresAt: Date.now() + ttl };
    const token = `vct-${randomBytes(12).toString('hex')}`;
    const refreshToken = `vcr-${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, grant);
    this.refreshTokens.set(refreshToken, grant);
    const urls = this.announcedServers;
    return {
      StatusCode: 0, Status: 'OK',
      Data: {
        Socket: {
          Token: token, RefreshToken: refreshToken, TokenExpiry: new Date(grant.expiresAt).toISOString(),
          RefreshTokenExpiry: new Date(Date.now() + 30 * 24 * 3600_000).toISOString(),
          URLList: urls, Url: urls[0], Client: `${this.apiUrl}${API}/GetSocketClient?v=${this.clientVersion()}`, Version: this.clientVersion(),
        },
      },
    };
  }

  /** What `Client` names: 1.3.7 as Voicenter's servers today (Engine.IO v3), 4.x for a 4.x server. */
  private clientVersion(): string {
    return this.socketVersion === '2' ? '1.3.7' : '4.8.1';
  }
}

export const emailOf = (u: SimUser): string => `${u.login}@example.com`;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 65536) chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}
