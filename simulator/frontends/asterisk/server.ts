/**
 * The AMI front-end of the simulator: a TCP server speaking the Asterisk Manager Interface over the virtual PBX.
 * It is as strict as Asterisk where a client can get it wrong: banner first, CRLF framing, Permission denied before
 * login, `Authentication failed` then a closed socket for a wrong secret (plain or MD5 challenge), 1 024-byte input
 * lines and 128 headers per action, header names case-insensitive, unknown headers ignored, ActionID echoed on every
 * answer and list item, list answers ended by their `…Complete` event, the `Events` mask honoured, and a client that
 * stops reading disconnected after the write timeout (like Asterisk's `writetimeout`).
 *
 * Faults: restart (Shutdown event, then every socket closes), a bad line, flooding (for the write timeout), and the
 * login delay Asterisk applies to a wrong secret (shortened for tests).
 */
import { createHash, randomInt } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { AmiDecoder, encodeMessage, type AmiMessage } from '../../../shared/platforms/asterisk/codec';
import type { PbxChange, SimUser } from '../../pbx/types';
import { SimError, type VirtualPbx } from '../../pbx/virtual-pbx';
import { simFeatures } from '../ale/operation-routes/features';
import { snapshot } from './channels';
import { AmiQueues } from './queues';
import { AmiRenderer, type AmiOut, type EventClass } from './render';

export interface AsteriskFrontEndOptions {
  pbx: VirtualPbx;
  users: SimUser[];
  host?: string;
  port?: number;
  /** AMI accounts (manager.conf users): username -> secret. Default `{ pbxflow: 'ami-secret' }`. */
  accounts?: Record<string, string>;
  /** How long a wrong secret is held before `Authentication failed` (Asterisk: 1 s). */
  authFailDelayMs?: number;
  /** A client that does not read for this long while output waits is disconnected (Asterisk default 100 ms). */
  writeTimeoutMs?: number;
  /** Bytes waiting to be written before the write timeout starts counting. Default 64 KiB. */
  writeBufferBytes?: number;
  /** The AMI version in the banner. Default 9.0.0 (Asterisk 20). */
  amiVersion?: string;
  /** AMI over TLS (Asterisk's `tlsenable`, port 5039): the server's key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

interface Client {
  socket: Socket;
  authed: boolean;
  user?: string;
  challenge?: string;
  mask: Set<EventClass> | 'all' | 'none';
  stallTimer?: NodeJS.Timeout;
  /** Every header value this client sent (for the echo fault). */
  sent?: string[];
}

const ALL_CLASSES: EventClass[] = ['call', 'agent', 'system', 'user'];

export class AsteriskFrontEnd {
  readonly stats = { connections: 0, logins: 0, failedLogins: 0, actions: 0, events: 0, writeTimeouts: 0 };
  readonly accounts: Record<string, string>;
  private readonly server: Server;
  private readonly clients = new Set<Client>();
  private readonly renderer: AmiRenderer;
  private readonly queues: AmiQueues;
  private readonly onChange: (c: PbxChange) => void;
  private readonly db = new Map<string, string>();
  private readonly members = new Map<string, { queue: string; iface: string; paused: boolean }>();
  /** Atxfer in progress, per transferer login: Asterisk completes it when the transferer's channel hangs up. */
  private readonly atxfers = new Map<string, { heldRef: string; consultRef: string }>();
  private refusing = false;
  /** While a reload applies its changes: they make no events. */
  private muted = false;
  private port = 0;

  constructor(private readonly o: AsteriskFrontEndOptions) {
    this.accounts = o.accounts ?? { pbxflow: 'ami-secret' };
    this.renderer = new AmiRenderer((login) => o.users.find((u) => u.login === login && !u.admin));
    this.server = o.tls ? createTlsServer({ key: o.tls.key, cert: o.tls.cert }, (s) => this.accept(s)) : createServer((s) => this.accept(s));
    // The PBX's pilots and agents (shared with the other front-ends) are app_queue's queues and members here.
    const features = simFeatures(o.pbx);
    this.queues = new AmiQueues(o.pbx, features.agents, features.pilots, this.renderer, (login) => o.users.find((u) => u.login === login && !u.admin), (out) => this.emit(out));
    this.onChange = (c) => {
      this.emit(this.renderer.render(c));
      this.emit(this.queues.afterChange(c));
      if (c.kind === 'call' && c.action === 'removed') {
        // Trunk legs end when their call is over (the PBX drops it right after telling the parties).
        queueMicrotask(() => this.emit(this.renderer.sweepTrunks(new Set(this.o.pbx.calls().map((x) => x.uuid)))));
      }
    };
    o.pbx.on('change', this.onChange);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** `tcp://127.0.0.1:<port>`, or `tls://…` with the TLS option (ConnectionConfig.url). */
  get url(): string {
    return `${this.o.tls ? 'tls' : 'tcp'}://${this.o.host ?? '127.0.0.1'}:${this.port}`;
  }

  get listeningPort(): number {
    return this.port;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  // ---- faults ---------------------------------------------------------------------------------------------

  /** Asterisk restarts: `Shutdown` to every client, then every socket closes; new connections are refused for `downMs`. */
  restart(downMs = 0): void {
    this.emit([{ cls: 'system', pairs: [['Event', 'Shutdown'], ['Shutdown', 'Cleanly'], ['Restart', 'True']] }]);
    for (const c of this.clients) c.socket.end();
    if (downMs > 0) {
      this.refusing = true;
      setTimeout(() => (this.refusing = false), downMs).unref();
    }
  }

  /**
   * `core reload`: what `change` does happens without its own events (a reloaded queues.conf or dialplan changes
   * members and hints silently), then one `Reload` per module (AST:main/loader.c: Module, Status 0 = success).
   */
  reload(modules: string[] = ['All'], change?: () => void): void {
    this.muted = true;
    try {
      change?.();
    } finally {
      this.muted = false;
    }
    this.emit(modules.map((mod) => ({ cls: 'system', pairs: [['Event', 'Reload'], ['Module', mod], ['Status', 0]] })));
  }

  /** A message with a line that is not `Key: Value`, to every client. */
  sendBadLine(): void {
    this.sendRaw('Event: VarSet\r\nthis line has no colon\r\nPrivilege: dialplan,all\r\n\r\n');
  }

  /** A message with a 70 000-character line, to every client. */
  sendLongLine(): void {
    this.sendRaw(`Event: UserEvent\r\nUserEvent: ${'x'.repeat(70_000)}\r\n\r\n`);
  }

  /**
   * Switches for the conformance suite's faults: connections closed at once (Asterisk's `authlimit`), sessions cut
   * `dropAfterLoginMs` after login, every action but Login answered with an error that echoes everything the client
   * ever sent (secrets included), the next CoreShowChannels answered with unreadable entries, and events held back
   * (then released late).
   */
  readonly faults = { refuseConnections: false, dropAfterLoginMs: 0, echo: false, unreadableSnapshot: false, snapshotsServed: 0, echoed: 0 };
  private held?: AmiOut[];

  /** From now on rendered events are kept back (not sent) until `releaseHeld()`. */
  holdEvents(): void {
    this.held ??= [];
  }

  /** The kept-back events go out now, late, to whoever is logged in. */
  releaseHeld(): void {
    const out = this.held ?? [];
    this.held = undefined;
    this.emit(out);
  }

  /** Logged-in sessions now. */
  get sessions(): number {
    let n = 0;
    for (const c of this.clients) if (c.authed && !c.socket.destroyed) n++;
    return n;
  }

  /** `n` UserEvents to every client at once (a client that does not read is cut by the write timeout). */
  flood(n: number): void {
    const out: AmiOut[] = [];
    for (let i = 0; i < n; i++) out.push({ cls: 'user', pairs: [['Event', 'UserEvent'], ['Privilege', 'user,all'], ['UserEvent', 'Flood'], ['Seq', i]] });
    this.emit(out);
  }

  /** Raw AMI text (a recorded capture) to every logged-in client, as is. Returns how many clients got it. */
  sendRaw(text: string): number {
    let n = 0;
    for (const c of this.clients) {
      if (!c.authed) continue;
      this.write(c, text);
      n++;
    }
    return n;
  }

  /** Drops every socket at once (TCP reset), no Shutdown first. */
  dropAll(): void {
    for (const c of this.clients) c.socket.resetAndDestroy();
  }

  async close(): Promise<void> {
    this.o.pbx.off('change', this.onChange);
    this.queues.close();
    for (const c of this.clients) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- sessions ---------------------------------------------------------------------------------------------

  private accept(socket: Socket): void {
    if (this.refusing || this.faults.refuseConnections) {
      this.stats.connections++;
      socket.destroy();
      return;
    }
    this.stats.connections++;
    const c: Client = { socket, authed: false, mask: 'all' };
    this.clients.add(c);
    socket.setNoDelay(true);
    const dec = new AmiDecoder((m) => this.onAction(c, m), { maxLine: 1024, maxLines: 128, expectBanner: false });
    socket.on('data', (d: Buffer) => dec.pushBytes(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(c.stallTimer);
      this.clients.delete(c);
    });
    socket.on('drain', () => {
      clearTimeout(c.stallTimer);
      c.stallTimer = undefined;
    });
    socket.write(`Asterisk Call Manager/${this.o.amiVersion ?? '9.0.0'}\r\n`);
  }

  private write(c: Client, text: string): void {
    if (c.socket.destroyed) return;
    c.socket.write(text);
    if (c.stallTimer === undefined && c.socket.writableLength > (this.o.writeBufferBytes ?? 65_536)) {
      c.stallTimer = setTimeout(() => {
        if (c.socket.writableLength > 0) {
          this.stats.writeTimeouts++;
          c.socket.destroy();
        }
      }, this.o.writeTimeoutMs ?? 100);
      c.stallTimer.unref();
    }
  }

  private emit(out: AmiOut[]): void {
    if (out.length === 0 || this.muted) return;
    if (this.held) {
      this.held.push(...out);
      return;
    }
    for (const c of this.clients) {
      if (!c.authed || c.mask === 'none') continue;
      let text = '';
      for (const e of out) {
        if (c.mask !== 'all' && !c.mask.has(e.cls)) continue;
        text += encodeMessage([e.pairs[0], ['Privilege', `${e.cls},all`], ...e.pairs.slice(1)]);
        this.stats.events++;
      }
      if (text) this.write(c, text);
    }
  }

  private reply(c: Client, m: Headers, pairs: Array<[string, string | number | undefined]>): void {
    this.write(c, encodeMessage([...pairs.slice(0, 1), ['ActionID', m.get('actionid')], ...pairs.slice(1)]));
  }

  private error(c: Client, m: Headers, message: string): void {
    this.reply(c, m, [['Response', 'Error'], ['Message', message]]);
  }

  private list(c: Client, m: Headers, name: string, items: Array<Array<[string, string | number | undefined]>>, what = 'Events'): void {
    const id = m.get('actionid');
    let text = encodeMessage([['Response', 'Success'], ['ActionID', id], ['EventList', 'start'], ['Message', `${what} will follow`]]);
    for (const it of items) text += encodeMessage([it[0], ['ActionID', id], ...it.slice(1)]);
    text += encodeMessage([['Event', `${name}Complete`], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', items.length]]);
    this.write(c, text);
  }

  private onAction(c: Client, raw: AmiMessage): void {
    const m = headersOf(raw);
    this.stats.actions++;
    if (raw.bad) {
      this.error(c, m, /longer/.test(raw.bad) ? 'Failed to parse message: line too long' : /lines/.test(raw.bad) ? 'Too many lines in message or allocation failure' : 'Missing action in request');
      return;
    }
    const action = m.get('action')?.toLowerCase();
    if (!action) return this.error(c, m, 'Missing action in request');
    const sent = (c.sent ??= []);
    if (sent.length < 1000) for (const v of m.values()) sent.push(v);
    if (this.faults.echo && c.authed && action !== 'logoff') {
      this.faults.echoed++;
      return this.error(c, m, `Permission denied (you sent: ${sent.join(' ')})`);
    }
    if (!c.authed && action !== 'login' && action !== 'challenge') return this.error(c, m, 'Permission denied');
    try {
      this.run(c, action, m);
    } catch (err) {
      this.error(c, m, err instanceof SimError ? err.message : `Internal error: ${(err as Error).message}`);
    }
  }

  private run(c: Client, action: string, m: Headers): void {
    switch (action) {
      case 'challenge': {
        if ((m.get('authtype') ?? '').toLowerCase() !== 'md5') return this.error(c, m, 'Must specify AuthType');
        c.challenge ??= String(randomInt(100_000_000, 999_999_999));
        return this.reply(c, m, [['Response', 'Success'], ['Challenge', c.challenge]]);
      }
      case 'login': return this.login(c, m);
      case 'logoff':
        this.reply(c, m, [['Response', 'Goodbye'], ['Message', 'Thanks for all the fish.']]);
        c.socket.end();
        return;
      case 'ping': return this.reply(c, m, [['Response', 'Success'], ['Ping', 'Pong'], ['Timestamp', (Date.now() / 1000).toFixed(6)]]);
      case 'events': {
        c.mask = maskOf(m.get('eventmask'));
        return this.reply(c, m, [['Response', 'Success'], ['Events', c.mask === 'none' ? 'Off' : 'On']]);
      }
      case 'coreshowchannels':
        this.faults.snapshotsServed++;
        if (this.faults.unreadableSnapshot) {
          this.faults.unreadableSnapshot = false;
          return this.list(c, m, 'CoreShowChannels', [[['Event', 'CoreShowChannel'], ['Channel', '']], [['Event', 'CoreShowChannel'], ['ChannelState', 'x']], [['Event', 'CoreShowChannel'], ['Uniqueid', '']]], 'Channels');
        }
        return this.list(c, m, 'CoreShowChannels', this.renderer.live().map((ch) => [
          ['Event', 'CoreShowChannel'], ...snapshot(ch), ['BridgeId', ch.bridge ?? ''], ['Application', ch.state === 6 ? 'Dial' : 'AppDial'],
          ['ApplicationData', ''], ['Duration', duration(ch.startedAt)], ['BridgedChannel', ''], ['BridgedUniqueID', ''],
        ]), 'Channels');
      case 'extensionstatelist':
        return this.list(c, m, 'ExtensionStateList', this.phones().map((u) => {
          const busy = this.o.pbx.viewsOf(u.login).length > 0;
          return [['Event', 'ExtensionStatus'], ['Exten', u.number], ['Context', 'ext-local'], ['Hint', `PJSIP/${u.number}&Custom:DND${u.number}`], ['Status', busy ? 1 : 0], ['StatusText', busy ? 'InUse' : 'Idle']];
        }));
      case 'devicestatelist': {
        const items: Array<Array<[string, string | number]>> = [];
        for (const u of this.phones()) {
          const r = this.o.pbx.routing(u.login);
          items.push([['Event', 'DeviceStateChange'], ['Device', `PJSIP/${u.number}`], ['State', this.o.pbx.viewsOf(u.login).length ? 'INUSE' : 'NOT_INUSE']]);
          items.push([['Event', 'DeviceStateChange'], ['Device', `Custom:DND${u.number}`], ['State', r.dnd ? 'BUSY' : 'NOT_INUSE']]);
        }
        return this.list(c, m, 'DeviceStateList', items);
      }
      case 'queuestatus':
        return this.list(c, m, 'QueueStatus', [...this.queues.status(m.get('queue'), m.get('member')), ...[...this.members.values()].filter((x) => (!m.get('member') || x.iface === m.get('member')) && (!m.get('queue') || x.queue === m.get('queue'))).map((x): Array<[string, string | number]> => [
          ['Event', 'QueueMember'], ['Queue', x.queue], ['Name', x.iface], ['Location', x.iface], ['StateInterface', x.iface], ['Membership', 'dynamic'],
          ['Penalty', 0], ['CallsTaken', 0], ['LastCall', 0], ['InCall', 0], ['Status', 1], ['Paused', x.paused ? 1 : 0],
        ])]);
      case 'queuesummary':
        return this.list(c, m, 'QueueSummary', this.queues.summary(m.get('queue')));
      case 'pjsipshowendpoints':
        return this.list(c, m, 'EndpointList', this.phones().map((u) => [
          ['Event', 'EndpointList'], ['ObjectType', 'endpoint'], ['ObjectName', u.number], ['Transport', 'transport-udp'], ['Aor', u.number],
          ['Auths', `${u.number}-auth`], ['OutboundAuths', ''], ['Contacts', `${u.number}/sip:${u.number}@127.0.0.1`],
          ['DeviceState', this.o.pbx.viewsOf(u.login).length ? 'In use' : 'Not in use'], ['ActiveChannels', ''], ['CallerID', `"${u.name}" <${u.number}>`],
        ]));
      case 'originate': return this.originate(c, m);
      case 'hangup': {
        const ch = this.channel(m.get('channel'));
        if (!ch) return this.error(c, m, 'No such channel');
        if (ch.login && ch.ref && this.completeAtxfer(ch.login, ch.ref)) return this.reply(c, m, [['Response', 'Success'], ['Message', 'Channel Hungup']]);
        if (ch.login && ch.ref) this.o.pbx.hangUp(ch.ref, ch.login);
        else if (ch.outside) {
          const call = this.o.pbx.calls().find((x) => x.parties.some((p) => p.number === ch.outside));
          if (call) this.o.pbx.hangUp(call.id, ch.outside);
        }
        return this.reply(c, m, [['Response', 'Success'], ['Message', 'Channel Hungup']]);
      }
      case 'blindtransfer': {
        const ch = this.channel(m.get('channel'));
        const exten = m.get('exten');
        if (!ch?.login || !ch.ref) return this.error(c, m, 'No channel found');
        if (!exten) return this.error(c, m, 'No extension specified');
        this.o.pbx.blindTransfer(ch.ref, ch.login, exten);
        return this.reply(c, m, [['Response', 'Success'], ['Message', 'Transfer succeeded']]);
      }
      case 'atxfer': {
        // As the DTMF feature does: the transferee waits on hold, the transferer's side dials `Exten`.
        const ch = this.channel(m.get('channel'));
        const exten = m.get('exten');
        if (!m.get('channel')) return this.error(c, m, 'No channel specified');
        if (!exten) return this.error(c, m, 'No extension specified');
        if (!ch?.login || !ch.ref) return this.error(c, m, 'Channel specified does not exist');
        this.o.pbx.hold(ch.ref, ch.login);
        const consultRef = this.o.pbx.makeCall(ch.login, exten);
        this.atxfers.set(ch.login, { heldRef: ch.ref, consultRef });
        return this.reply(c, m, [['Response', 'Success'], ['Message', 'Atxfer successfully queued']]);
      }
      case 'redirect': {
        const ch = this.channel(m.get('channel'));
        const exten = m.get('exten');
        if (!ch || !exten) return this.error(c, m, ch ? 'Exten not specified' : 'Channel specified does not exist');
        // The dialling channel leaves Dial(): whoever it rings is let go, the call goes to `exten`.
        const rung = [...this.renderer.chans.values()].find((x) => x.dialedBy === ch && x.state === 5 && x.login && x.ref);
        if (!rung) return this.error(c, m, 'Redirect failed');
        this.o.pbx.redirect(rung.ref!, rung.login!, exten);
        return this.reply(c, m, [['Response', 'Success'], ['Message', 'Redirect successful']]);
      }
      case 'dbget': {
        const v = this.db.get(`${m.get('family')}/${m.get('key')}`);
        if (v === undefined) return this.error(c, m, 'Database entry not found');
        return this.list(c, m, 'DBGet', [[['Event', 'DBGetResponse'], ['Family', m.get('family')], ['Key', m.get('key')], ['Val', v]]], 'Result');
      }
      case 'dbput': {
        const fam = m.get('family') ?? '';
        const k = m.get('key') ?? '';
        this.db.set(`${fam}/${k}`, m.get('val') ?? '');
        this.applyDb(fam, k);
        return this.reply(c, m, [['Response', 'Success'], ['Message', 'Updated database successfully']]);
      }
      case 'dbdel': {
        const fam = m.get('family') ?? '';
        const k = m.get('key') ?? '';
        if (!this.db.delete(`${fam}/${k}`)) return this.error(c, m, 'Database entry not found');
        this.applyDb(fam, k);
        return this.reply(c, m, [['Response', 'Success'], ['Message', 'Key deleted successfully']]);
      }
      case 'setvar':
        // DEVICE_STATE(Custom:…) follows the AstDB change already rendered from the PBX's routing.
        return this.reply(c, m, [['Response', 'Success'], ['Message', 'Variable Set']]);
      case 'queuepause':
      case 'queueadd':
      case 'queueremove':
        return this.queueAction(c, action, m);
      default:
        return this.error(c, m, `Invalid/unknown command: ${m.get('action')}. Use Action: ListCommands to show available commands.`);
    }
  }

  private login(c: Client, m: Headers): void {
    if (c.authed) return this.error(c, m, 'Already authenticated');
    const user = m.get('username') ?? '';
    const secret = this.accounts[user];
    const key = m.get('key');
    const ok = secret !== undefined && ((m.get('authtype') ?? '').toLowerCase() === 'md5'
      ? c.challenge !== undefined && key === createHash('md5').update(c.challenge + secret).digest('hex')
      : m.get('secret') === secret);
    if (!ok) {
      this.stats.failedLogins++;
      setTimeout(() => {
        this.error(c, m, 'Authentication failed');
        c.socket.end();
      }, this.o.authFailDelayMs ?? 1000).unref();
      return;
    }
    this.stats.logins++;
    c.authed = true;
    c.user = user;
    c.mask = maskOf(m.get('events') ?? 'on');
    this.reply(c, m, [['Response', 'Success'], ['Message', 'Authentication accepted']]);
    if (this.faults.dropAfterLoginMs > 0) setTimeout(() => c.socket.destroy(), this.faults.dropAfterLoginMs).unref();
    if (c.mask === 'all' || (c.mask !== 'none' && c.mask.has('system'))) {
      this.write(c, encodeMessage([['Event', 'FullyBooted'], ['Privilege', 'system,all'], ['Uptime', 3600], ['LastReload', 3600], ['Status', 'Fully Booted']]));
    }
  }

  private originate(c: Client, m: Headers): void {
    const channel = m.get('channel') ?? '';
    const exten = m.get('exten');
    if (!channel) return this.error(c, m, 'Channel not specified');
    if (!exten || !m.get('context') || !m.get('priority')) return this.error(c, m, "Originate with 'Exten' requires 'Context' and 'Priority'");
    const ep = /^[A-Za-z0-9]+\/([^-/@]+)$/.exec(channel)?.[1];
    const u = this.phones().find((x) => x.number === ep);
    const id = m.get('actionid');
    const respond = (ok: boolean, reason: number, uniqueid: string) => {
      const pairs: Array<[string, string | number | undefined]> = [['Event', 'OriginateResponse'], ['Privilege', 'call,all'], ['ActionID', id], ['Response', ok ? 'Success' : 'Failure'],
        ['Channel', channel], ['Context', m.get('context')], ['Exten', exten], ['Application', ''], ['Data', ''], ['Reason', reason], ['Uniqueid', uniqueid],
        ['CallerIDNum', '<unknown>'], ['CallerIDName', '<unknown>']];
      this.write(c, encodeMessage(pairs));
    };
    if ((m.get('async') ?? '').toLowerCase() === 'true') this.reply(c, m, [['Response', 'Success'], ['Message', 'Originate successfully queued']]);
    if (!u) {
      respond(false, 0, '<null>');
      return;
    }
    const uniqueid = m.get('channelid') ?? `${Math.floor(Date.now() / 1000)}.${randomInt(1e6)}`;
    this.emit(this.renderer.originate(u.login, uniqueid, exten));
    try {
      this.o.pbx.makeCall(u.login, exten);
    } catch {
      this.emit(this.renderer.originateFailed(u.login));
      respond(false, 1, uniqueid);
      return;
    }
    respond(true, 4, uniqueid);
    if ((m.get('async') ?? '').toLowerCase() !== 'true') this.reply(c, m, [['Response', 'Success'], ['Message', 'Originate successfully queued']]);
  }

  /** The transferer hangs up its consultation: the held party and the target are joined (AttendedTransfer). */
  private completeAtxfer(login: string, ref: string): boolean {
    const x = this.atxfers.get(login);
    if (!x || x.consultRef !== ref) return false;
    this.atxfers.delete(login);
    if (!this.o.pbx.viewOf(x.heldRef, login) || this.o.pbx.viewOf(ref, login)?.state !== 'active') return false;
    this.o.pbx.transfer(ref, x.heldRef, login);
    return true;
  }

  /** FreePBX's AstDB keys drive the virtual PBX's routing: DND/<ext>, CF|CFB|CFU/<ext>. */
  private applyDb(family: string, key: string): void {
    const u = this.phones().find((x) => x.number === key);
    if (!u) return;
    if (family === 'DND') this.o.pbx.setDnd(u.login, this.db.has(`DND/${key}`));
    if (family === 'CF' || family === 'CFB' || family === 'CFU') {
      const cf = this.db.get(`CF/${key}`);
      const cfb = this.db.get(`CFB/${key}`);
      const cfu = this.db.get(`CFU/${key}`);
      const fwd = cf ? { destination: cf, condition: 'immediate' as const }
        : cfb && cfu ? { destination: cfb, condition: 'busy_no_answer' as const }
          : cfb ? { destination: cfb, condition: 'busy' as const }
            : cfu ? { destination: cfu, condition: 'no_answer' as const } : null;
      this.o.pbx.setForward(u.login, fwd);
    }
  }

  private queueAction(c: Client, action: string, m: Headers): void {
    const iface = m.get('interface');
    if (!iface) return this.error(c, m, "'Interface' not specified.");
    const queue = m.get('queue') ?? '';
    const ext = /(\d+)/.exec(iface)?.[1] ?? iface;
    if (this.pilotQueueAction(c, action, m, iface, queue, ext)) return;
    const out: AmiOut[] = [];
    const member = (x: { queue: string; iface: string; paused: boolean }, ev: string): AmiOut => ({ cls: 'agent', pairs: [
      ['Event', ev], ['Queue', x.queue], ['MemberName', ext], ['Interface', x.iface], ['StateInterface', `hint:${ext}@ext-local`], ['Membership', 'dynamic'],
      ['Penalty', 0], ['CallsTaken', 0], ['LastCall', 0], ['LastPause', 0], ['InCall', 0], ['Status', 1], ['Paused', x.paused ? 1 : 0], ['PausedReason', ''], ['Ringinuse', 0],
    ] });
    if (action === 'queueadd') {
      if (!queue) return this.error(c, m, "'Queue' not specified.");
      if (this.members.has(`${queue}|${iface}`)) return this.error(c, m, 'Unable to add interface: Already there');
      const x = { queue, iface, paused: (m.get('paused') ?? '').toLowerCase() === 'true' };
      this.members.set(`${queue}|${iface}`, x);
      out.push(member(x, 'QueueMemberAdded'));
      this.reply(c, m, [['Response', 'Success'], ['Message', 'Added interface to queue']]);
    } else if (action === 'queueremove') {
      const x = this.members.get(`${queue}|${iface}`);
      if (!x) return this.error(c, m, 'Unable to remove interface: Not there');
      this.members.delete(`${queue}|${iface}`);
      out.push(member(x, 'QueueMemberRemoved'));
      this.reply(c, m, [['Response', 'Success'], ['Message', 'Removed interface from queue']]);
    } else {
      const paused = (m.get('paused') ?? '').toLowerCase() === 'true';
      const hit = [...this.members.values()].filter((x) => x.iface === iface && (!queue || x.queue === queue));
      if (hit.length === 0) return this.error(c, m, 'Interface not found');
      for (const x of hit) {
        x.paused = paused;
        out.push(member(x, 'QueueMemberPause'));
      }
      this.reply(c, m, [['Response', 'Success'], ['Message', paused ? 'Interface paused successfully' : 'Interface unpaused successfully']]);
    }
    this.emit(out);
  }

  /**
   * A queue action on a pilot's queue drives the PBX's agents (log on into the pilot's group, ready / paused, log
   * off); their QueueMember* events come from the agents' changes. False when the action is not about a pilot.
   */
  private pilotQueueAction(c: Client, action: string, m: Headers, iface: string, queue: string, ext: string): boolean {
    const queues = this.queues.queuesOf(iface);
    const pilot = this.queues.isPilot(queue);
    if (!pilot && !(action === 'queuepause' && !queue && queues.length > 0)) return false;
    const u = this.phones().find((x) => x.number === ext);
    if (!u) {
      this.error(c, m, action === 'queueadd' ? 'Unable to add interface to queue: No such queue' : 'Interface not found');
      return true;
    }
    const agents = simFeatures(this.o.pbx).agents;
    if (action === 'queueadd') {
      if (queues.includes(queue)) {
        this.error(c, m, 'Unable to add interface: Already there');
        return true;
      }
      agents.logon(u.login, u.devices.includes(u.number) ? u.number : u.devices[0], this.queues.groupOf(queue));
      if ((m.get('paused') ?? '').toLowerCase() === 'true') agents.setActivity(u.login, 'paused');
      this.reply(c, m, [['Response', 'Success'], ['Message', 'Added interface to queue']]);
    } else if (action === 'queueremove') {
      if (!queues.includes(queue)) {
        this.error(c, m, 'Unable to remove interface: Not there');
        return true;
      }
      agents.logoff(u.login);
      this.reply(c, m, [['Response', 'Success'], ['Message', 'Removed interface from queue']]);
    } else {
      if (queues.length === 0) {
        this.error(c, m, 'Interface not found');
        return true;
      }
      const paused = (m.get('paused') ?? '').toLowerCase() === 'true';
      agents.setActivity(u.login, paused ? 'paused' : 'ready');
      this.reply(c, m, [['Response', 'Success'], ['Message', paused ? 'Interface paused successfully' : 'Interface unpaused successfully']]);
    }
    return true;
  }

  private channel(name: string | undefined) {
    if (!name) return undefined;
    return [...this.renderer.chans.values()].find((x) => x.name === name);
  }

  private phones(): SimUser[] {
    return this.o.users.filter((u) => !u.admin && /^\d+$/.test(u.number));
  }
}

/** Header look-up by lower-cased name (Asterisk compares names case-insensitively). */
type Headers = Map<string, string>;
function headersOf(m: AmiMessage): Headers {
  const h: Headers = new Map();
  for (const k in m.fields) h.set(k.toLowerCase(), m.fields[k]);
  return h;
}

function maskOf(v: string | undefined): Client['mask'] {
  const s = (v ?? 'on').trim().toLowerCase();
  if (s === 'on' || s === 'all' || s === 'yes' || s === 'true') return 'all';
  if (s === 'off' || s === 'no' || s === 'false' || s === '') return 'none';
  const set = new Set<EventClass>();
  for (const p of s.split(',')) if ((ALL_CLASSES as string[]).includes(p.trim())) set.add(p.trim() as EventClass);
  return set.size ? set : 'none';
}

function duration(since: number): string {
  const s = Math.floor((Date.now() - since) / 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}`;
}
