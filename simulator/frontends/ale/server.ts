/**
 * The ALE front-end of the simulator: an HTTP(S) server on loopback speaking the OpenTouch / O2G REST framework
 * (discovery, authentication, sessions, keepalive, subscriptions, the chunked event channel) over the virtual PBX.
 * OpenTouch flavour: `authenticate` wants SSO (401), `authenticatenosso` takes Basic and the token comes back in the
 * JSON `credential` only. O2G flavour: `authenticate` takes Basic and sets the `AlcUserId` cookie.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { VirtualPbx } from '../../pbx/virtual-pbx';
import { SimError } from '../../pbx/virtual-pbx';
import type { SimUser } from '../../pbx/types';
import { AleRenderer, renderCall, renderRouting, toRtsm } from './render';
import { matchRoute, restError, type AleFlavour, type AleRoute, type RouteMethod, type SimRequest, type SimResponse } from './routes';
import { AleState, isPilotSelector, newToken, type Selector, type SimSubscription } from './state';
import { simFeatures } from './operation-routes';
import { operationRoutes } from './operation-routes';
import { defaultServices, internalPath, prefixedServices, type SimService } from './services';

export interface AleFrontEndOptions {
  flavour: AleFlavour;
  pbx: VirtualPbx;
  users: SimUser[];
  host?: string;
  port?: number;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** Session lifetime announced and enforced. Default 600 s. */
  sessionTtlSeconds?: number;
  /** O2G only: send telephony events in the internal `RTSM_*` form. */
  rtsm?: boolean;
  /** The services announced in `SessionInfo.services` (default: services.ts `defaultServices`). */
  services?: SimService[];
  /** Announce every service root under this path prefix (services.ts `prefixedServices`); ignored with `services`. */
  servicePrefix?: string;
}

/** One request as the server received it (tests compare these with what the official client sends). */
export interface RecordedRequest {
  method: string;
  /** Full path, e.g. `/api/rest/1.0/voicemail/abc/voicemails`. */
  path: string;
  /** Query parameters; a flag without a value (`withUserPwd`) has `''`. */
  query: Record<string, string>;
  body: unknown;
  headers: { accept?: string; range?: string; contentType?: string; cookie?: string };
}

const MAX_RECORDED = 2000;
/** The affinity cookie the O2G flavour sets at authentication, as a load balancer would. */
export const AFFINITY_COOKIE = 'O2GSERVERID';

const API = '/api/rest';
const V1 = '/api/rest/1.0';
const POLLING = '/OTEvents';

export class AleFrontEnd {
  readonly flavour: AleFlavour;
  readonly state: AleState;
  readonly stats = { logins: 0, failedLogins: 0, channelsOpened: 0, requests: 0 };
  /** Every request received, oldest first (bounded). */
  readonly requests: RecordedRequest[] = [];
  /** What sessions announce; tests may change it (a session opened later sees the new list). */
  services: SimService[];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly renderer = new AleRenderer();
  private readonly routes: AleRoute[];
  private readonly onChange: (c: Parameters<AleRenderer['render']>[0]) => void;
  private slowMs = 0;
  /** Token -> the affinity cookie value set with it (O2G). */
  private readonly affinity = new Map<string, string>();
  private rtsmSeq = 0;
  private baseUrl = '';

  constructor(private readonly o: AleFrontEndOptions) {
    this.flavour = o.flavour;
    this.state = new AleState(o.sessionTtlSeconds ?? 600);
    this.services = o.services ?? (o.servicePrefix ? prefixedServices(o.flavour, o.servicePrefix) : defaultServices(o.flavour));
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    this.server = o.tls ? createHttpsServer({ key: o.tls.key, cert: o.tls.cert, noDelay: true }, handler) : createHttpServer({ noDelay: true }, handler);
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.routes = [...operationRoutes({ flavour: o.flavour, pbx: o.pbx, users: o.users, publish: (e) => this.publish(e) }), ...this.readRoutes()];
    this.onChange = (c) => {
      for (const e of this.renderer.render(c)) this.publish(e);
    };
    o.pbx.on('change', this.onChange);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => resolve());
    });
    const a = this.server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    this.baseUrl = `${this.o.tls ? 'https' : 'http'}://${host}:${a.port}`;
  }

  /** What to put in `ConnectionConfig.url`. */
  get url(): string {
    return this.baseUrl;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Sends an ALE event (public form) to every subscription that wants it. */
  publish(e: Record<string, unknown>): void {
    const name = String(e.eventName);
    // Pilot events carry no login: subscribers select them by pilot number.
    const login = typeof e.loginName === 'string' ? e.loginName : typeof e.pilot === 'string' ? e.pilot : undefined;
    let line: string | undefined;
    for (const sub of this.state.subscriptions.values()) {
      if (!this.state.wants(sub, name, login)) continue;
      line ??= `${JSON.stringify(this.o.rtsm && this.flavour === 'o2g' ? toRtsm(e, ++this.rtsmSeq, Date.now()) : e)}\n`;
      this.state.send(sub, line);
    }
  }

  /** Writes raw lines (a recorded trace) to every subscription, as they are. */
  replay(lines: string[]): void {
    const chunk = lines.map((l) => `${l}\n`).join('');
    for (const sub of this.state.subscriptions.values()) this.state.send(sub, chunk);
  }

  /** Open event channels. */
  get openChannels(): number {
    let n = 0;
    for (const s of this.state.subscriptions.values()) if (s.channel && !s.channel.writableEnded) n++;
    return n;
  }

  // ---- faults -----------------------------------------------------------------------------------------

  /** Breaks every event channel's TCP connection; subscriptions and their queues stay. */
  dropChannels(): void {
    for (const sub of this.state.subscriptions.values()) {
      const ch = sub.channel;
      sub.channel = undefined;
      ch?.socket?.destroy();
    }
  }

  /** Every session ends (as on timeout): subscriptions and queued events are gone, channels end. */
  expireSessions(): void {
    for (const token of [...this.state.sessions.keys()]) this.state.closeSession(token);
  }

  /** A server restart: every session, subscription and connection is lost at once. Calls go on in the PBX. */
  restart(): void {
    this.state.clear();
    for (const s of this.sockets) s.destroy();
  }

  slowAnswers(ms: number): void {
    this.slowMs = ms;
  }

  sendMalformedLine(text = '{"eventName":"OnCallCreated","callRef": oops'): void {
    for (const sub of this.state.subscriptions.values()) if (sub.channel) this.state.send(sub, `${text}\n`);
  }

  async close(): Promise<void> {
    this.o.pbx.off('change', this.onChange);
    this.state.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP -------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    try {
      const url = new URL(req.url ?? '/', 'http://sim');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (path === `${V1}${POLLING}`) {
        this.record(req, url, undefined);
        return this.openChannel(url, req, res);
      }
      const body = await readBody(req);
      this.record(req, url, parseJson(body));
      const out = await this.route(req, path, url.searchParams, body);
      if (this.slowMs > 0) await new Promise((r) => setTimeout(r, this.slowMs));
      send(res, out);
    } catch (err) {
      if (!res.headersSent) send(res, restError(500, 'SERVER_PROBLEM', (err as Error).message));
      else res.destroy();
    }
  }

  private record(req: IncomingMessage, url: URL, body: unknown): void {
    const h = req.headers;
    const headers: RecordedRequest['headers'] = {};
    if (typeof h.accept === 'string') headers.accept = h.accept;
    if (typeof h.range === 'string') headers.range = h.range;
    if (typeof h['content-type'] === 'string') headers.contentType = h['content-type'];
    if (typeof h.cookie === 'string') headers.cookie = h.cookie;
    if (this.requests.length >= MAX_RECORDED) this.requests.shift();
    this.requests.push({ method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: Object.fromEntries(url.searchParams), body, headers });
  }

  private async route(req: IncomingMessage, path: string, query: URLSearchParams, body: string): Promise<SimResponse> {
    const method = (req.method ?? 'GET').toUpperCase() as RouteMethod;
    if (path === API) {
      if (method !== 'GET') return { status: 405 };
      return { status: 200, body: this.descriptor() };
    }
    if (path === `${API}/authenticate` || path === `${API}/authenticatenosso`) {
      if (method !== 'GET') return { status: 405 };
      // OpenTouch's standard resource is for Kerberos/CAS; Basic goes to `authenticatenosso`.
      if (this.flavour === 'opentouch' && path.endsWith('/authenticate')) {
        return { status: 401, headers: { 'WWW-Authenticate': 'Negotiate' }, body: restError(401, 'NOT_ALLOWED').body };
      }
      return this.authenticate(req);
    }
    if (!path.startsWith(V1)) return restError(404, 'NOT_FOUND');
    const announced = path.slice(V1.length) || '/';
    // Served at the announced service URLs only (services.ts): a hard-coded internal path is not a resource here.
    const sub = internalPath(announced, this.services);
    if (sub === undefined) return restError(404, 'NOT_FOUND', `no resource ${req.method ?? 'GET'} ${announced}`);
    const token = cookie(req, 'AlcUserId');
    // Without its affinity cookie a request would reach another node, which knows no such session.
    if (this.flavour === 'o2g' && token && this.affinity.has(token) && cookie(req, AFFINITY_COOKIE) !== this.affinity.get(token)) {
      return restError(403, 'INVALID_SESSION', 'no session on this node (affinity cookie missing)');
    }
    if (sub === '/sessions' && method === 'POST') {
      const user = token ? this.state.tokens.get(token) : undefined;
      if (!token || !user) return restError(403, 'INVALID_SESSION');
      if (this.state.sessions.has(token)) return restError(403, 'NOT_ALLOWED', 'a session is already open for this identifier');
      this.state.openSession(token, user);
      return { status: 200, body: this.sessionInfo(user) };
    }
    const session = this.state.session(token);
    if (!session) return restError(403, 'INVALID_SESSION', 'AlcChameleonException.BAD_FRAMEWORK_SESSION_IDENTIFIER');
    if (sub === '/sessions' && method === 'DELETE') {
      this.state.closeSession(session.token);
      return { status: 204 };
    }
    if (sub === '/sessions' && method === 'GET') return { status: 200, body: this.sessionInfo(session.user) };
    if (sub === '/sessions/keepalive' && method === 'POST') return { status: 204 };
    if (sub === '/subscriptions' && method === 'POST') return this.subscribe(session.token, session.admin, parseJson(body));
    const del = matchRoute('/subscriptions/:id', sub);
    if (del && method === 'DELETE') {
      if (!this.state.subscriptions.has(del.id)) return restError(404, 'NOT_FOUND');
      this.state.deleteSubscription(del.id);
      return { status: 204 };
    }
    const loginName = query.get('loginName') ?? undefined;
    if (session.admin && loginName && !this.o.users.some((u) => u.login === loginName)) return restError(404, 'NOT_FOUND', `unknown login ${loginName}`);
    // Requests the SDK sends without `loginName` (answer, alternate, sendDtmf, pickup) name the user by their device.
    const deviceOwner = session.admin && !loginName ? this.ownerOfDevice(sub, parseJson(body)) : undefined;
    const acting = session.admin ? (loginName ?? deviceOwner ?? session.user.login) : session.user.login;
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const params = matchRoute(r.path, sub);
      if (!params) continue;
      const simReq: SimRequest = { method, path: sub, params, query, body: parseJson(body), user: acting, session: { login: session.user.login, admin: session.admin }, headers: req.headers };
      try {
        return await r.handle(simReq);
      } catch (err) {
        if (err instanceof SimError) return restError(err.kind === 'not_found' ? 404 : err.kind === 'bad_state' ? 403 : 400, err.kind === 'not_found' ? 'NOT_FOUND' : err.kind === 'bad_state' ? 'NOT_EXPECTED' : 'BAD_PARAMETER', err.message);
        throw err;
      }
    }
    return restError(404, 'NOT_FOUND', `no resource ${method} ${sub}`);
  }

  private ownerOfDevice(sub: string, body: unknown): string | undefined {
    const fromBody = body && typeof body === 'object' && typeof (body as { deviceId?: unknown }).deviceId === 'string' ? (body as { deviceId: string }).deviceId : undefined;
    const fromPath = /^\/telephony\/devices\/([^/]+)/.exec(sub)?.[1];
    const device = fromBody ?? (fromPath ? decodeURIComponent(fromPath) : undefined);
    return device ? this.o.users.find((u) => u.devices.includes(device))?.login : undefined;
  }

  private descriptor(): unknown {
    const auth = `${this.baseUrl}${API}/authenticate?version=1.0`;
    return {
      serverInfo: { productName: this.flavour === 'o2g' ? 'OmniPCX Open Gateway (simulator)' : 'OpenTouch Multimedia Solution (simulator)', productType: this.flavour === 'o2g' ? 'O2G' : 'OTMS', productVersion: { major: '2.7', minor: '0' }, haMode: false },
      versions: [{ id: '1.0', status: 'CURRENT', publicUrl: auth, internalUrl: auth }],
    };
  }

  private authenticate(req: IncomingMessage): SimResponse {
    const h = req.headers.authorization ?? '';
    const m = /^Basic\s+(.+)$/i.exec(h);
    if (!m) return { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="pbx"' }, body: restError(401, 'NOT_ALLOWED').body };
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const login = decoded.slice(0, i);
    const password = decoded.slice(i + 1);
    const user = this.o.users.find((u) => u.login === login);
    if (i < 0 || !user || user.password !== password) {
      this.stats.failedLogins++;
      return { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="pbx"' }, body: restError(401, 'NOT_ALLOWED').body };
    }
    this.stats.logins++;
    const token = newToken();
    this.state.tokens.set(token, user);
    const sessions = `${this.baseUrl}${V1}/sessions`;
    const out: SimResponse = { status: 200, body: { credential: token, publicUrl: sessions, internalUrl: sessions } };
    // O2G: the session cookie, and an affinity cookie as a load balancer or HA pair in front of it sets: a client
    // must send back every cookie it was given (the SDK keeps a cookie jar, o2g-node-sdk src/internal/util/http-client.ts).
    const affinity = `node-${newToken(4)}`;
    this.affinity.set(token, affinity);
    if (this.flavour === 'o2g') out.headers = { 'Set-Cookie': [`AlcUserId=${token}; Path=/; HttpOnly`, `${AFFINITY_COOKIE}=${affinity}; Path=/`] };
    return out;
  }

  private sessionInfo(user: SimUser): unknown {
    const base = `${this.baseUrl}${V1}`;
    const services = this.services.map((x) => ({ serviceName: x.serviceName, serviceVersion: '1.0', relativeUrl: x.relativeUrl }));
    return {
      admin: user.admin === true,
      login: user.login,
      timeToLive: this.o.sessionTtlSeconds ?? 600,
      publicBaseUrl: base,
      privateBaseUrl: base,
      services,
      capabilities: ['TELEPHONY_ADVANCED'],
    };
  }

  private subscribe(token: string, admin: boolean, body: unknown): SimResponse {
    const b = (body ?? {}) as { filter?: { selectors?: Array<{ ids?: unknown; names?: unknown }> }; timeout?: unknown; keepalive?: unknown; version?: unknown };
    const raw = b.filter?.selectors;
    if (!Array.isArray(raw) || raw.length === 0) return restError(400, 'BAD_PARAMETER', 'filter.selectors is required');
    const selectors: Selector[] = [];
    for (const s of raw) {
      const names = Array.isArray(s.names) ? s.names.map(String) : [];
      const ids = Array.isArray(s.ids) ? s.ids.map(String) : [];
      if (names.length === 0) return restError(400, 'BAD_PARAMETER', 'a selector needs names');
      if (isPilotSelector(names)) {
        // Pilot monitoring exists on O2G only, for pilots the PBX has (as a server without the licence, it refuses).
        const pilots = simFeatures(this.o.pbx).pilots;
        if (this.flavour !== 'o2g' || ids.length === 0 || ids.some((id) => !pilots.pilot(id))) {
          return { status: 200, body: { status: 'REFUSED', message: 'pilot monitoring refused: unknown pilot or no contact-center service' } };
        }
        selectors.push({ ids, names });
        continue;
      }
      if (admin && ids.length === 0) return restError(400, 'BAD_PARAMETER', 'an administrator selector needs ids');
      if (admin && ids.some((id) => !this.o.users.some((u) => u.login === id))) {
        return { status: 200, body: { status: 'REFUSED', message: 'unknown login in selector ids' } };
      }
      selectors.push({ ids, names });
    }
    const id = newToken(16);
    const timeout = typeof b.timeout === 'number' ? b.timeout : 10;
    const sub: SimSubscription = { id, token, selectors, queue: [], keepaliveMinutes: typeof b.keepalive === 'number' ? b.keepalive : 0, timeoutMinutes: timeout };
    this.state.subscriptions.set(id, sub);
    this.state.sessions.get(token)?.subscriptions.add(id);
    const polling = `${this.baseUrl}${V1}${POLLING}?subscriptionId=${id}`;
    return { status: 200, body: { subscriptionId: id, status: 'ACCEPTED', mode: 'CHUNK', format: 'JSON', publicPollingUrl: polling, privatePollingUrl: polling } };
  }

  private openChannel(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'POST') return send(res, { status: 405 });
    const sub = this.state.subscriptions.get(url.searchParams.get('subscriptionId') ?? '');
    // The subscription id in the URL is what authorises the channel (no cookie needed).
    if (!sub || !this.state.session(sub.token)) return send(res, restError(404, 'NOT_FOUND', 'unknown subscription'));
    req.resume();
    if (sub.channel && !sub.channel.writableEnded) sub.channel.end();
    this.state.stopTimers(sub);
    this.stats.channelsOpened++;
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' });
    res.socket?.setNoDelay(true);
    sub.channel = res;
    const queued = sub.queue.splice(0).join('');
    res.write(`${JSON.stringify({ eventName: 'OnChannelInformation', text: 'Chunk started' })}\n${queued}`);
    res.on('close', () => {
      if (sub.channel === res) sub.channel = undefined;
    });
    if (sub.keepaliveMinutes > 0) {
      sub.keepaliveTimer = setInterval(() => this.state.send(sub, `${JSON.stringify({ eventName: 'OnChannelInformation', text: 'keepalive' })}\n`), sub.keepaliveMinutes * 60_000);
      sub.keepaliveTimer.unref();
    }
    if (sub.timeoutMinutes > 0) {
      // The channel's lifetime: the server ends it and the client is expected to reopen it.
      sub.lifetimeTimer = setTimeout(() => {
        if (sub.channel === res) res.end();
      }, sub.timeoutMinutes * 60_000);
      sub.lifetimeTimer.unref();
    }
  }

  /** Read-only telephony resources the event client needs (resync); feature routes come first. */
  private readRoutes(): AleRoute[] {
    const pbx = this.o.pbx;
    return [
      { method: 'GET', path: '/telephony/calls', handle: (r) => ({ status: 200, body: { calls: pbx.viewsOf(r.user).map(renderCall) } }) },
      {
        method: 'GET', path: '/telephony/calls/:callRef', handle: (r) => {
          const v = pbx.viewOf(r.params.callRef, r.user);
          return v ? { status: 200, body: renderCall(v) } : restError(404, 'NOT_FOUND', 'no such call');
        },
      },
      {
        method: 'GET', path: '/telephony/state', handle: (r) => {
          const calls = pbx.viewsOf(r.user);
          const u = pbx.user(r.user);
          return { status: 200, body: { calls: calls.map(renderCall), userState: calls.length ? 'BUSY' : 'FREE', deviceStates: (u?.devices ?? []).map((d) => ({ deviceId: d, state: calls.some((c) => c.legs.some((l) => l.device === d)) ? 'BUSY' : 'FREE' })) } };
        },
      },
      {
        method: 'POST', path: '/telephony/state/snapshot', handle: (r) => {
          this.publish({ eventName: 'OnTelephonyState', loginName: r.user, state: { calls: pbx.viewsOf(r.user).map(renderCall) } });
          return { status: 204 };
        },
      },
      { method: 'GET', path: '/routing/state', handle: (r) => ({ status: 200, body: renderRouting(pbx.routing(r.user)) }) },
    ];
  }
}

function send(res: ServerResponse, out: SimResponse): void {
  const headers: Record<string, string | string[]> = { ...(out.headers ?? {}) };
  let payload: Buffer | undefined;
  if (Buffer.isBuffer(out.body)) payload = out.body;
  else if (out.body !== undefined) {
    payload = Buffer.from(typeof out.body === 'string' ? JSON.stringify(out.body) : JSON.stringify(out.body));
    headers['Content-Type'] ??= 'application/json; charset=utf-8';
  }
  headers['Content-Length'] = String(payload?.length ?? 0);
  res.writeHead(out.status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
