/**
 * The TelServices front-end of the simulator (uniGone TelServer's TelServices gateway) on the virtual PBX:
 * a TCP request server (one short connection per request), the same requests over HTTP (POST of the XML, and the
 * `GET /makeCall` shortcut), UDP events to every client of a device session, session rules (open/close per
 * device, several clients, timeout reset by each request, credentials), the `snapshot` long poll, and faults:
 * PBX link down/up, session closed by the administrator, garbled datagrams, duplicated datagrams, a server that
 * never answers, a service that fails, error answers that echo the password.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { decodeRequest, encodeEvent, encodeReturn } from '../../../shared/platforms/telservices/codec';
import type { SessionEventName } from '../../../shared/platforms/telservices/schema';
import type { TsEvent, TsReturn } from '../../../shared/platforms/telservices/types';
import { simFeatures } from '../ale/operation-routes';
import type { PbxChange, SimUser } from '../../pbx/types';
import type { VirtualPbx } from '../../pbx/virtual-pbx';
import { renderCall, type RenderedCall } from './render';
import { TelServicesServices } from './services';

export interface TelServicesFrontEndOptions {
  pbx: VirtualPbx;
  users: SimUser[];
  host?: string;
  /** TCP port of the gateway; 0 or absent: any free port. */
  port?: number;
  /** HTTP port; 0 or absent: any free port. */
  httpPort?: number;
  /** telserver.TelServices.endOfPDU.sequence: appended to every PDU over TCP and UDP (none by default). */
  endOfMessage?: string;
  /** Licence limit of open sessions. Default 50. */
  sessionLimit?: number;
  /** Put `callReference` in call events (a real server may not). Default true. */
  callReference?: boolean;
}

interface Client {
  address: string;
  port?: number;
}

export interface SimSession {
  device: string;
  user: SimUser;
  clients: Map<string, Client>;
  eventUpdate: 'full' | 'restricted';
  timeoutSec?: number;
  timer?: NodeJS.Timeout;
  /** Changes sent so far (the long poll's snapshotSeq). */
  seq: number;
  waiters: Set<() => void>;
}

export class TelServicesFrontEnd {
  readonly sessions = new Map<string, SimSession>();
  readonly stats = { requests: 0, byService: {} as Record<string, number>, datagrams: 0, openSessions: 0, rejectedCredentials: 0 };
  /** The PBX link: down, every request that needs the PBX fails with pbxlinkOutOfService. */
  linkUp = true;
  /** Fault: accept connections, read requests, never answer. */
  neverAnswer = false;
  /** Fault: every datagram is sent twice. */
  duplicateDatagrams = false;
  /** Fault: a service answers this error (`times` answers, then normally again; absent: until removed). */
  readonly failures = new Map<string, { error: string; times?: number }>();
  /**
   * Fault: a careless server that echoes the password in its errors: every error answer names an error element
   * made of the error and the last password an openSession of that device carried (`<reject-Secret1/>`).
   */
  echoPassword = false;
  /** Every request decoded, in order of arrival (tests count and order them per device). */
  onRequest?: (service: string, params: Record<string, unknown>) => void;
  private readonly passwords = new Map<string, string>();
  readonly endOfMessage?: string;
  private readonly tcp: Server;
  private readonly http: HttpServer;
  private udp?: UdpSocket;
  private readonly sockets = new Set<Socket>();
  private readonly services: TelServicesServices;
  /** Per device: its calls in order of arrival (prim first), and the call id it reports them under. */
  private readonly calls = new Map<string, { id: number; list: RenderedCall[] }>();
  private callIds = 0;
  private readonly pending = new Map<string, { client: Client; pdus: string[] }>();
  private flushScheduled = false;
  private readonly onChange = (c: PbxChange) => this.render(c);
  private readonly offFeatures: Array<() => void> = [];

  constructor(private readonly o: TelServicesFrontEndOptions) {
    this.endOfMessage = o.endOfMessage || undefined;
    this.services = new TelServicesServices(o.pbx, this);
    this.tcp = createServer((s) => this.onTcp(s));
    this.http = createHttpServer((req, res) => void this.onHttp(req, res));
    for (const srv of [this.tcp, this.http]) {
      srv.on('connection', (s: Socket) => {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
    }
    o.pbx.on('change', this.onChange);
    const f = simFeatures(o.pbx);
    const onMsg = (c: { kind: string; user: string; unread?: number }) => {
      if (c.kind === 'voicemail') this.toUser(c.user, { event: { name: 'msgWaiting', value: (c.unread ?? 0) > 0 ? 'on' : 'off' } });
    };
    f.messaging.on('change', onMsg);
    this.offFeatures.push(() => f.messaging.off('change', onMsg));
    const onAgent = (c: { user: string }) => this.toUser(c.user, { event: { name: 'agent', value: this.services.agentInfo(c.user) } });
    f.agents.on('change', onAgent);
    this.offFeatures.push(() => f.agents.off('change', onAgent));
  }

  async start(): Promise<void> {
    const host = this.o.host ?? '127.0.0.1';
    const listen = (srv: Server | HttpServer, port: number) => new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, host, () => resolve());
    });
    await listen(this.tcp, this.o.port ?? 0);
    await listen(this.http, this.o.httpPort ?? 0);
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => udp.bind(0, host, () => resolve()));
    udp.on('error', () => undefined);
    this.udp = udp;
  }

  get port(): number {
    return (this.tcp.address() as AddressInfo).port;
  }

  get httpPort(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** `ConnectionConfig.url` for the TCP binding. */
  get url(): string {
    return `tcp://${this.o.host ?? '127.0.0.1'}:${this.port}`;
  }

  get httpUrl(): string {
    return `http://${this.o.host ?? '127.0.0.1'}:${this.httpPort}`;
  }

  /** What `pbxflow simulate` prints about this front-end. */
  summary(): string {
    const devices = this.o.users.filter((u) => !u.admin).map((u) => `${u.number} (${u.login})`).join(', ');
    return [
      'TelServices (uniGone TelServer):',
      `  tcp:  ${this.url}`,
      `  http: ${this.httpUrl}   (POST the XML; GET /makeCall?deviceNumber=..&calledDeviceNumber=..)`,
      `  devices: ${devices}; end-of-message: ${this.endOfMessage ? JSON.stringify(this.endOfMessage) : 'none'}`,
      `  try: pbxflow listen --platform telservices --host ${this.o.host ?? '127.0.0.1'} --port ${this.port} --devices ${this.o.users.filter((u) => !u.admin).slice(0, 2).map((u) => u.number).join(',')}`,
      '',
    ].join('\n');
  }

  get sessionLimit(): number {
    return this.o.sessionLimit ?? 50;
  }

  async close(): Promise<void> {
    this.o.pbx.off('change', this.onChange);
    for (const off of this.offFeatures) off();
    for (const s of this.sessions.values()) this.dropSession(s);
    for (const s of this.sockets) s.destroy();
    await Promise.all([
      new Promise<void>((r) => this.tcp.close(() => r())),
      new Promise<void>((r) => this.http.close(() => r())),
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
    ]);
    this.udp = undefined;
  }

  // ---- faults -----------------------------------------------------------------------------------------

  /** The PBX link goes down (`up = false`) or comes back: every session hears it. */
  setLink(up: boolean): void {
    if (this.linkUp === up) return;
    this.linkUp = up;
    for (const s of this.sessions.values()) this.sessionEvent(s, up ? 'pbxlinkInService' : 'pbxlinkOutOfService');
  }

  /** The administrator closes the session of `device` (all of them when omitted). */
  closeByAdmin(device?: string): void {
    for (const s of [...this.sessions.values()]) {
      if (device && s.device !== device) continue;
      this.sessionEvent(s, 'sessionClosedByAdmin');
      this.dropSession(s);
    }
  }

  /** A datagram of broken XML to every client of `device` (all sessions when omitted). */
  sendGarbled(device?: string): void {
    for (const s of this.sessions.values()) if (!device || s.device === device) this.sendRaw(s.device, '<TelServiceEvent><event><call><id>1</id><primCall><state><alert');
  }

  /** One raw datagram to every client of `device` (tests: reordering, several PDUs). */
  sendRaw(device: string, text: string): void {
    const s = this.sessions.get(device);
    if (!s) return;
    for (const c of s.clients.values()) this.datagram(c, text);
  }

  /** Sends one event to the device's clients as TelServer would (an event without deviceNumber, say). */
  sendEvent(device: string, ev: TsEvent): void {
    const s = this.sessions.get(device);
    if (s) this.deliver(s, ev);
  }

  // ---- sessions (used by the services) ---------------------------------------------------------------

  openSession(device: string, user: SimUser, client: Client, eventUpdate: 'full' | 'restricted', timeoutSec?: number): void {
    let s = this.sessions.get(device);
    if (!s) {
      s = { device, user, clients: new Map(), eventUpdate, seq: 0, waiters: new Set() };
      this.sessions.set(device, s);
      this.stats.openSessions++;
    }
    s.clients.set(`${client.address}|${client.port ?? ''}`, client);
    s.eventUpdate = eventUpdate;
    s.timeoutSec = timeoutSec;
    this.touch(s);
  }

  closeSession(device: string, client: Client, clientOnly: boolean): void {
    const s = this.sessions.get(device);
    if (!s) return;
    if (clientOnly) {
      for (const [k, c] of s.clients) if (c.address === client.address) s.clients.delete(k);
    } else s.clients.clear();
    if (s.clients.size === 0) this.dropSession(s);
  }

  /** A request from a session's client: its timeout starts again. */
  touch(s: SimSession): void {
    if (s.timer) clearTimeout(s.timer);
    s.timer = undefined;
    if (s.timeoutSec && s.timeoutSec > 0) {
      s.timer = setTimeout(() => {
        this.sessionEvent(s, 'sessionClosedByTimeout');
        this.dropSession(s);
      }, s.timeoutSec * 1000);
      s.timer.unref();
    }
  }

  /** The calls of a device as the front-end renders them (snapshot). */
  callsOf(device: string): RenderedCall[] {
    return (this.calls.get(device)?.list ?? []).filter((c) => !c.ended);
  }

  callIdOf(device: string): string {
    return String(this.calls.get(device)?.id ?? 0);
  }

  /** Waits until the device changes (or `ms`); the long poll. */
  waitChange(s: SimSession, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        s.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      t.unref();
      s.waiters.add(done);
    });
  }

  private dropSession(s: SimSession): void {
    if (s.timer) clearTimeout(s.timer);
    if (this.sessions.get(s.device) === s) this.sessions.delete(s.device);
    for (const w of [...s.waiters]) w();
  }

  private sessionEvent(s: SimSession, name: SessionEventName): void {
    this.deliver(s, { event: { name: 'session', value: name } });
  }

  // ---- events -----------------------------------------------------------------------------------------

  private render(c: PbxChange): void {
    if (c.kind === 'call') {
      const u = this.o.pbx.user(c.user);
      if (!u) return;
      for (const device of this.devicesOf(u)) this.renderCallChange(device, c);
    } else if (c.kind === 'routing') {
      this.services.routingChanged(c.user, c.routing);
    }
  }

  private renderCallChange(device: string, c: Extract<PbxChange, { kind: 'call' }>): void {
    let d = this.calls.get(device);
    if (!d) this.calls.set(device, (d = { id: ++this.callIds, list: [] }));
    if (d.list.length === 0) d.id = ++this.callIds;
    // A conference merges the held call into this one: it leaves the device's list (no longer reported).
    const previousRef = 'previousRef' in c ? c.previousRef : undefined;
    if (previousRef !== undefined && previousRef !== c.view.ref) d.list = d.list.filter((x) => x.view.ref !== previousRef);
    let rc = d.list.find((x) => x.view.ref === c.view.ref);
    if (!rc) {
      if (c.action === 'removed') return;
      rc = { view: c.view };
      d.list.push(rc);
    }
    rc.view = c.view;
    rc.cause = c.cause;
    if (c.view.state === 'active' && !rc.connectedAt) rc.connectedAt = Date.now();
    // The PBX's forward on no answer takes the ringing call to another number: TelServer reports a diversion with
    // cause "redirect" (TS "Call" parameters: `lastRedirectionParty` "has diverted the call (cause is 'redirect')",
    // TS:L1793). The diverting device's event names no destination (the spec shows the one the call reaches).
    if (c.action === 'removed') rc.ended = { cause: c.cause === 'no_answer' && c.newDestination ? 'redirected' : c.cause };
    const call = renderCall(String(d.id), d.list, Date.now(), this.o.callReference !== false);
    d.list = d.list.filter((x) => !x.ended);
    for (const x of d.list) x.cause = undefined;
    const s = this.sessions.get(device);
    // Without its PBX link TelServer hears nothing of the calls: the client must resync when it is back.
    if (!s || !this.linkUp) return;
    if (s.eventUpdate === 'restricted' && call.primCall?.state !== 'alerting' && call.secCall?.state !== 'alerting') return;
    this.deliver(s, { deviceNumber: device, event: { name: 'call', value: call } });
  }

  /** The device numbers a user's sessions can be on. */
  devicesOf(u: SimUser): string[] {
    return [...new Set([u.number, ...u.devices].filter(Boolean))];
  }

  /** An event for every session of a user's devices (forward, DND, message waiting, agent carry no device). */
  toUser(login: string, ev: TsEvent): void {
    const u = this.o.pbx.user(login);
    if (!u) return;
    for (const d of this.devicesOf(u)) {
      const s = this.sessions.get(d);
      if (s && s.eventUpdate === 'full') this.deliver(s, ev);
    }
  }

  private deliver(s: SimSession, ev: TsEvent): void {
    s.seq++;
    for (const w of [...s.waiters]) w();
    const pdu = encodeEvent(ev);
    for (const c of s.clients.values()) if (c.port) this.queue(c, pdu);
  }

  /** PDUs for one client in the same tick share a datagram when an end-of-message sequence delimits them. */
  private queue(c: Client, pdu: string): void {
    const key = `${c.address}|${c.port}`;
    let p = this.pending.get(key);
    if (!p) this.pending.set(key, (p = { client: c, pdus: [] }));
    p.pdus.push(pdu);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const eom = this.endOfMessage;
    for (const p of this.pending.values()) {
      if (eom) {
        let chunk = '';
        for (const pdu of p.pdus) {
          if (chunk.length + pdu.length > 60_000) {
            this.datagram(p.client, chunk);
            chunk = '';
          }
          chunk += pdu + eom;
        }
        if (chunk) this.datagram(p.client, chunk);
      } else for (const pdu of p.pdus) this.datagram(p.client, pdu);
    }
    this.pending.clear();
  }

  private datagram(c: Client, text: string): void {
    if (!this.udp || !c.port) return;
    const buf = Buffer.from(text, 'utf8');
    const n = this.duplicateDatagrams ? 2 : 1;
    for (let i = 0; i < n; i++) {
      this.stats.datagrams++;
      this.udp.send(buf, c.port, c.address, () => undefined);
    }
  }

  // ---- request servers --------------------------------------------------------------------------------

  private onTcp(s: Socket): void {
    s.setEncoding('utf8');
    let buf = '';
    let handled = false;
    s.on('error', () => undefined);
    s.on('data', (d: string) => {
      if (handled) return;
      buf += d;
      const eom = this.endOfMessage;
      const end = eom ? buf.indexOf(eom) : buf.search(/<\/TelServiceRequest\s*>/);
      if (end < 0) {
        if (buf.length > 1_000_000) s.destroy();
        return;
      }
      handled = true;
      const xml = eom ? buf.slice(0, end) : buf.slice(0, buf.indexOf('>', end) + 1);
      if (this.neverAnswer) {
        this.stats.requests++; // read, never answered
        return;
      }
      void this.answer(xml, clientOf(s.remoteAddress)).then((ret) => {
        if (!s.destroyed) s.end(eom ? ret + eom : ret);
      });
    });
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (this.neverAnswer) {
      this.stats.requests++;
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/makeCall') {
      const dn = url.searchParams.get('deviceNumber') ?? '';
      const cdn = url.searchParams.get('calledDeviceNumber') ?? '';
      this.stats.requests++;
      this.stats.byService.makeCallShortcut = (this.stats.byService.makeCallShortcut ?? 0) + 1;
      const ret = this.services.handle({ service: 'makeCall', params: { deviceNumber: dn, calledDeviceNumber: cdn } }, clientOf(req.socket.remoteAddress));
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(encodeReturn(await ret));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const ret = await this.answer(Buffer.concat(chunks).toString('utf8'), clientOf(req.socket.remoteAddress));
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(ret);
  }

  private async answer(xml: string, client: Client): Promise<string> {
    this.stats.requests++;
    let ret: TsReturn;
    let device = '';
    try {
      const req = decodeRequest(xml);
      this.stats.byService[req.service] = (this.stats.byService[req.service] ?? 0) + 1;
      this.onRequest?.(req.service, req.params);
      device = typeof req.params.deviceNumber === 'string' ? req.params.deviceNumber : '';
      if (req.service === 'openSession' && typeof req.params.userPassword === 'string') this.passwords.set(device, req.params.userPassword);
      const failure = this.failures.get(req.service);
      if (failure) {
        if (failure.times !== undefined && --failure.times <= 0) this.failures.delete(req.service);
        ret = { ok: false, error: failure.error };
      } else ret = await this.services.handle(req, client);
    } catch {
      ret = { ok: false, error: 'reject' };
    }
    const pw = this.passwords.get(device);
    if (!ret.ok && this.echoPassword && pw) return `<TelServiceReturn><error><${ret.error}-${pw}/></error></TelServiceReturn>`;
    return encodeReturn(ret);
  }
}

function clientOf(address: string | undefined): Client {
  const a = address ?? '127.0.0.1';
  return { address: a.startsWith('::ffff:') ? a.slice(7) : a };
}
