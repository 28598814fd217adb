/**
 * The TelServices driver: the TelServices protocol steps for the supervisor, nothing of the life cycle.
 *
 *   login      resolve TelServer, one UDP port per device (bound to the address that reaches TelServer), then
 *              openSession per device; a session given up earlier is closed first, so each device has one at most
 *   openStream the sessions are the stream: datagrams (or, with `eventSource: 'poll'`, the `snapshot` long poll per
 *              device, consecutive answers compared as events) flow through the pipeline. Keep-alive: a `snapshot`
 *              of a device keepAliveMs after its last one (it resets the session timeout and catches lost
 *              datagrams); an event that shows a loss asks for one too, at most one per snapshotMinIntervalMs per
 *              device, never two in flight for one device. Ends as `relogin` (reopen every session) when TelServer
 *              closed one (sessionClosedBy*), a request finds it gone (noOpenSession), a keep-alive or long poll fails
 *   resync     a snapshot per device (required: a failed one reopens); a session signal in it is acted on
 *   hold       pbxlinkOutOfService: the supervisor holds (`reconnecting`, sessions kept); pbxlinkInService, or a
 *              snapshot that works again (keep-alive or the supervisor's probe) -> `relogin`: reopen and resync
 *   shutdown   closeSession for every session opened, UDP sockets closed, requests in flight aborted
 * invalidCredentials is an AuthError: the supervisor stops for good after one attempt.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { zeroStats, type DriverStats } from '../../connection/stats';
import type { LoginContext, OperationContext, PlatformDriver, StreamEnd, StreamSink } from '../../connection/driver';
import type { ConnectionWarning } from '../../connection/types';
import { AuthError, PbxApiError, PbxError } from '../../errors';
import type { PbxEvent } from '../../model/events';
import type { OperationName } from '../../operations/catalogue';
import { validateInput } from '../../operations/validate';
import { decodeReturn, expectResult } from './codec';
import type { SessionSignal } from './normalizer';
import { runTelServicesOperation, telServicesSupports } from './operations';
import { TelServicesPipeline } from './pipeline';
import { NOT_SENT, TelServicesRequester } from './requests';
import type { RequestName } from './schema';
import { keepAliveOf, type TelServicesSettings } from './settings';
import { TelServicesTransport } from './transport';
import type { ResultName, TsSnapshot } from './types';
import { localAddressTowards, UdpEventListener } from './udp';

/**
 * snapshots: snapshot requests sent (resyncs, keep-alives), not counting the long poll; foreign: datagram PDUs naming
 * another device than their port's (dropped).
 */
export type TelServicesStats = DriverStats<'requests' | 'datagrams' | 'events' | 'decodeErrors' | 'duplicates' | 'sessionsOpened'
  | 'sessionsClosed' | 'snapshots' | 'foreign' | 'resyncs' | 'reopens' | 'polls'>;

interface DeviceSession {
  device: string;
  listener?: UdpEventListener;
  /** Open on the server as far as we know (or may be: an openSession whose answer never came). */
  open: boolean;
  snapshotSeq?: number;
  /** The snapshot in flight for this device (others join it). */
  snapshot?: Promise<void>;
  /** When the last snapshot was asked for, and the last one an event asked for. */
  lastSnapshotAt: number;
  lastGapSnapshotAt: number;
}

/** One opening of every device's session (the next login makes a new one). */
export interface TsOpening {
  readonly generation: number;
}

/** What the driver asks of its connection (which exists once the driver does). */
export interface TelServicesHooks {
  warn(kind: ConnectionWarning['kind'], message: string): void;
  /** Events for every listener: datagrams arrive whether or not a stream is open. */
  deliver(events: PbxEvent[]): void;
  scrub(text: string): string;
}

/** The open stream: how to end it, and the sink it reports to. */
interface Stream {
  sink: StreamSink;
  end(end: StreamEnd): void;
  timer?: NodeJS.Timeout;
  /** Keep-alive snapshots are on their way (the keep-alive plans its next wake-up when they are done). */
  busy?: boolean;
}

export class TelServicesDriver implements PlatformDriver<TsOpening> {
  readonly pipeline: TelServicesPipeline;
  readonly transport: TelServicesTransport;
  readonly stats: TelServicesStats = zeroStats(['requests', 'datagrams', 'events', 'decodeErrors', 'duplicates', 'sessionsOpened', 'sessionsClosed', 'snapshots', 'foreign', 'resyncs', 'reopens', 'polls']);
  readonly devices: string[];
  readonly resyncRequired = true;
  private readonly keepAliveMs: number;
  private readonly pollTransport?: TelServicesTransport;
  private readonly requests: TelServicesRequester;
  private readonly sessions = new Map<string, DeviceSession>();
  private readonly serverAddresses = new Set<string>();
  /** The address a connection to TelServer tries first (what the system's resolver gives first). */
  private serverAddress?: string;
  /** The local address the event ports bind to (configured, or the one that reaches TelServer). */
  private bindAddress?: string;
  /** Last time a once-a-minute warning of each kind was shown, and how many were held back since. */
  private readonly minuteWarnings = new Map<string, { at: number; held: number }>();
  private readonly gapDevices = new Set<string>();
  private generation = 0;
  /** Why the sessions must be reopened, asked for while no stream was open (the next stream ends at once). */
  private pendingReopen?: string;
  private linkDown = false;
  private stream?: Stream;

  constructor(private readonly s: TelServicesSettings, private readonly hooks: TelServicesHooks) {
    this.devices = s.users;
    this.keepAliveMs = keepAliveOf(s);
    this.bindAddress = s.udpHost;
    const transport = (): TelServicesTransport => new TelServicesTransport({
      url: s.url, connectTimeoutMs: s.connectTimeoutMs, responseTimeoutMs: s.requestTimeoutMs, endOfMessage: s.endOfMessage,
      tls: { rejectUnauthorized: !s.insecure, ...(s.ca ? { ca: s.ca } : {}) }, secrets: { scrub: (t) => hooks.scrub(t) },
    });
    // Created here so a URL that cannot work is refused before anything opens (no socket until a request).
    this.transport = transport();
    this.pollTransport = s.eventSource === 'poll' ? transport() : undefined;
    this.requests = new TelServicesRequester({
      transport: this.transport, scrub: (t) => hooks.scrub(t), stats: this.stats,
      sessionGone: (device) => {
        const ds = this.sessions.get(device);
        if (!ds) return;
        ds.open = false;
        this.reopen(`the session of ${device} is gone (noOpenSession)`);
      },
    });
    this.pipeline = new TelServicesPipeline({
      callTtlMs: s.callTtlMs,
      endOfMessage: s.endOfMessage,
      maxCallsPerDevice: s.maxCallsPerDevice,
      maxCalls: s.maxCalls,
      onLimit: (message) => this.warnOncePerMinute('calls', message),
    });
    for (const d of this.devices) this.sessions.set(d, { device: d, open: false, lastSnapshotAt: 0, lastGapSnapshotAt: 0 });
    if (s.eventSource === 'poll') this.probe = (o) => this.probeNow(o);
  }

  // ---- login: ports and sessions ------------------------------------------------------------------------

  async login(ctx: LoginContext): Promise<TsOpening> {
    const password = this.s.password ?? '';
    ctx.secret(password);
    if (password) ctx.secret(password.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    this.pendingReopen = undefined;
    this.linkDown = false;
    this.gapDevices.clear();
    const generation = ++this.generation;
    const closing = () => ctx.signal.aborted;
    await this.resolveServer();
    let i = 0;
    for (const s of this.sessions.values()) {
      if (closing()) break;
      const params: Record<string, unknown> = { deviceNumber: s.device };
      if (this.s.eventSource === 'udp') {
        if (!s.listener) {
          const port = this.s.udpPort ? this.s.udpPort + i : 0;
          const device = s.device;
          s.listener = new UdpEventListener(
            { host: await this.eventAddress(), port, allowFrom: () => (this.s.acceptEventsFromAnyHost ? new Set<string>() : this.serverAddresses) },
            (text) => this.onDatagram(text, device),
          );
        }
        params.eventUDPPort = await s.listener.start();
      }
      params.eventUpdate = this.s.eventUpdate;
      if (this.s.login) params.userID = this.s.login;
      if (password) params.userPassword = password;
      if (this.s.sessionTimeoutSeconds) params.sessionTimeout = this.s.sessionTimeoutSeconds;
      // One session per device: the one given up last time (a failed resync, a reopen) is closed first.
      if (s.open) await this.closeSession(s);
      if (closing()) break;
      // Open from the moment it is asked for: an answer lost to a timeout or to close() may still have opened it.
      s.open = true;
      try {
        await this.requests.call('openSession', params, 'standard', s.device);
      } catch (err) {
        // TelServer answered with an error, or refused the connection: nothing was opened.
        if (err instanceof PbxApiError || err instanceof AuthError || (err instanceof PbxError && err.code === 'NETWORK' && NOT_SENT.test(err.message))) s.open = false;
        throw err;
      }
      s.snapshotSeq = undefined;
      this.stats.sessionsOpened++;
      i++;
    }
    if (closing()) throw new PbxError('CLOSED', 'The connection was closed');
    return { generation };
  }

  sessionUsable(o: TsOpening): boolean {
    return o.generation === this.generation;
  }

  /** closeSession for one device (clientOnly: another application's client of the same session keeps it). */
  private async closeSession(s: DeviceSession, transport = this.transport): Promise<void> {
    const ret = await this.requests.request('closeSession', { deviceNumber: s.device, clientOnly: true }, undefined, transport);
    // Any answer settles it: done, or an error such as noOpenSession (TelServer had closed it already).
    s.open = false;
    if (ret.ok) this.stats.sessionsClosed++;
  }

  /**
   * Where the event ports listen: the configured address, else the local address that reaches TelServer (the one
   * it sends to), not every interface.
   */
  private async eventAddress(): Promise<string> {
    if (this.bindAddress) return this.bindAddress;
    try {
      this.bindAddress = await localAddressTowards(this.serverAddress ?? this.transport.host, this.transport.port);
    } catch (err) {
      throw this.requests.clean(err);
    }
    return this.bindAddress;
  }

  private async resolveServer(): Promise<void> {
    if (this.serverAddresses.size) return;
    const host = this.transport.host;
    if (isIP(host)) this.serverAddresses.add((this.serverAddress = host));
    else {
      try {
        this.serverAddress = (await lookup(host)).address;
        for (const a of await lookup(host, { all: true })) this.serverAddresses.add(a.address);
      } catch (err) {
        throw new PbxError('NETWORK', `cannot resolve the TelServer host ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    // An IPv4 sender may show up IPv4-mapped on a dual-stack socket.
    for (const a of [...this.serverAddresses]) if (isIP(a) === 4) this.serverAddresses.add(`::ffff:${a}`);
  }

  // ---- the stream: keep-alive, long polls, session signals ---------------------------------------------------

  openStream(_o: TsOpening, sink: StreamSink, signal: AbortSignal): Promise<StreamEnd> {
    return new Promise<StreamEnd>((resolve) => {
      const stream: Stream = {
        sink,
        end: (end) => {
          if (this.stream !== stream) return;
          this.stream = undefined;
          clearTimeout(stream.timer);
          signal.removeEventListener('abort', onAbort);
          if (end.kind !== 'aborted') this.stats.reopens++;
          resolve(end);
        },
      };
      const onAbort = () => stream.end({ kind: 'aborted' });
      this.stream = stream;
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      if (this.pendingReopen !== undefined) return stream.end({ kind: 'relogin', reason: this.pendingReopen });
      sink.up();
      if (this.linkDown) sink.hold('TelServer lost its link to the PBX (pbxlinkOutOfService)');
      if (this.s.eventSource === 'poll') for (const d of this.devices) void this.poll(d, stream);
      this.keepAlive(stream);
    });
  }

  /**
   * The next keep-alive: a device is snapshot keepAliveMs after its last snapshot (UDP mode; the long poll keeps
   * its session alive itself), and when its events showed a loss, no sooner than snapshotMinIntervalMs after the
   * last such snapshot. Due ones are asked one after the other, then the next is planned.
   */
  private keepAlive(stream: Stream): void {
    clearTimeout(stream.timer);
    if (this.stream !== stream) return;
    const now = Date.now();
    const due: string[] = [];
    let wake = Infinity;
    for (const s of this.sessions.values()) {
      const keepAlive = this.s.eventSource === 'udp' ? s.lastSnapshotAt + this.keepAliveMs : Infinity;
      const gap = this.gapDevices.has(s.device) ? s.lastGapSnapshotAt + this.s.snapshotMinIntervalMs : Infinity;
      const at = Math.min(keepAlive, gap);
      if (at <= now) due.push(s.device);
      else wake = Math.min(wake, at);
    }
    if (!due.length) {
      if (wake === Infinity) return; // nothing to keep alive (long poll): a loss re-plans
      stream.timer = setTimeout(() => this.keepAlive(stream), Math.min(wake - now, 3_600_000));
      stream.timer.unref();
      return;
    }
    stream.busy = true;
    void this.keepAliveNow(due, stream).finally(() => {
      stream.busy = false;
      this.keepAlive(stream);
    });
  }

  private async keepAliveNow(due: string[], stream: Stream): Promise<void> {
    for (const d of due) {
      const s = this.sessions.get(d)!;
      if (this.gapDevices.delete(d)) s.lastGapSnapshotAt = Date.now();
      try {
        await this.snapshot(d);
        // The link is back although its pbxlinkInService datagram was lost.
        if (this.linkDown) this.reopen('the PBX link is back in service: reopening the sessions');
      } catch (err) {
        if (this.stream !== stream) return;
        const e = err as PbxError;
        if (e instanceof AuthError) return stream.end({ kind: 'fatal', error: e });
        if (e instanceof PbxApiError && e.type === 'pbxlinkOutOfService') this.linkOut();
        else if (e instanceof PbxApiError && e.type === 'noOpenSession') this.reopen(`the session of ${d} is gone (noOpenSession)`);
        else if (e.code === 'NETWORK' || e.code === 'TIMEOUT' || e.code === 'DECODE') this.reopen(`keep-alive failed: ${e.message}`);
        else this.hooks.warn('resync', `snapshot of ${d} failed: ${e.message}`);
      }
      if (this.stream !== stream) return;
    }
  }

  /** The `snapshot` long poll of one device (eventSource 'poll'): it reads the stream; any failure ends it. */
  private async poll(device: string, stream: Stream): Promise<void> {
    const s = this.sessions.get(device)!;
    while (this.stream === stream && !this.linkDown) {
      const params: Record<string, unknown> = { deviceNumber: device, resultOnEvent: { timeout: this.s.pollTimeoutSeconds, ...(s.snapshotSeq !== undefined ? { snapshotSeq: s.snapshotSeq } : {}) } };
      try {
        const snap = await this.requests.call('snapshot', params, 'snapshot', device, (this.s.pollTimeoutSeconds + 10) * 1000, this.pollTransport);
        if (this.stream !== stream) return;
        this.stats.polls++;
        if (snap.snapshotSeq !== undefined) s.snapshotSeq = snap.snapshotSeq;
        const r = this.pipeline.pushPoll(snap, device);
        this.emit(r.events);
        for (const sig of r.sessions) this.onSession(sig);
      } catch (err) {
        if (this.stream !== stream) return;
        const e = err as PbxError;
        // The supervisor holds and probes; a probe that works reopens (and so starts new long polls).
        if (e instanceof PbxApiError && e.type === 'pbxlinkOutOfService') return this.linkOut();
        return this.reopen(`event long poll for ${device} failed: ${e.message}`);
      }
    }
  }

  /**
   * While held, with the long poll (stopped while the link is down): a snapshot of the first device says whether
   * TelServer serves again. UDP needs none: the keep-alive snapshots go on and see it.
   */
  readonly probe?: (o: TsOpening) => Promise<StreamEnd | undefined>;

  private async probeNow(o: TsOpening): Promise<StreamEnd | undefined> {
    if (!this.sessionUsable(o)) return undefined;
    try {
      await this.snapshot(this.devices[0]);
      return { kind: 'relogin', reason: 'the PBX link is back in service: reopening the sessions' };
    } catch (err) {
      const e = err as PbxError;
      if (e instanceof PbxApiError && e.type === 'pbxlinkOutOfService') return undefined;
      if (e instanceof AuthError) return { kind: 'fatal', error: e };
      return { kind: 'relogin', reason: `keep-alive failed: ${e.message}` };
    }
  }

  /** The sessions must be reopened: the open stream ends (or the next one, at once). */
  private reopen(reason: string): void {
    if (this.stream) this.stream.end({ kind: 'relogin', reason });
    else this.pendingReopen ??= reason;
  }

  private linkOut(): void {
    if (this.linkDown) return;
    this.linkDown = true;
    this.stream?.sink.hold('TelServer lost its link to the PBX (pbxlinkOutOfService)');
  }

  // ---- resync ---------------------------------------------------------------------------------------------

  async resync(): Promise<PbxEvent[]> {
    for (const d of this.devices) await this.snapshot(d);
    return [];
  }

  /**
   * Snapshot of one device, reconciled with the tracker. One in flight per device: a caller that asks while one
   * is on its way gets that one.
   */
  private snapshot(device: string): Promise<void> {
    const s = this.sessions.get(device);
    if (!s) return Promise.resolve();
    if (s.snapshot) return s.snapshot;
    const askedAt = Date.now();
    s.lastSnapshotAt = askedAt;
    this.stats.snapshots++;
    const p = (async () => {
      try {
        const snap: TsSnapshot = await this.requests.call('snapshot', { deviceNumber: device }, 'snapshot', device);
        this.stats.resyncs++;
        this.emit(this.pipeline.pushSnapshot(snap, device, askedAt));
        if (snap.session) this.onSession({ device, session: snap.session, time: Date.now() });
      } finally {
        s.snapshot = undefined;
      }
    })();
    s.snapshot = p;
    return p;
  }

  // ---- events ---------------------------------------------------------------------------------------------

  private onDatagram(text: string, device: string): void {
    this.stats.datagrams++;
    const r = this.pipeline.pushDatagram(text, device);
    this.stats.duplicates += r.duplicates;
    if (r.foreign) {
      // The port is the device's: an event naming another device is nobody's here (a forger, or a server mix-up).
      this.stats.foreign += r.foreign;
      this.warnOncePerMinute('foreign', `dropped an event for device ${r.foreignDevice} that came to the event port of ${device} (only ${device}'s events belong there)`);
    }
    for (const e of r.errors) {
      this.stats.decodeErrors++;
      this.hooks.warn('decode', `skipped a datagram part that is not a TelServices event (port of ${device}): ${e.message}${e.excerpt ? ` [${e.excerpt}]` : ''}`);
    }
    this.emit(r.events);
    for (const s of r.sessions) this.onSession(s);
    if (r.gaps.length) {
      for (const d of r.gaps) if (this.sessions.has(d)) this.gapDevices.add(d);
      // The keep-alive decides when (no sooner than snapshotMinIntervalMs after the last such snapshot).
      if (this.gapDevices.size && this.stream && !this.stream.busy) this.keepAlive(this.stream);
    }
  }

  private onSession(s: SessionSignal): void {
    switch (s.session) {
      case 'pbxlinkOutOfService':
        this.linkOut();
        break;
      case 'pbxlinkInService':
        if (this.linkDown) this.reopen('the PBX link is back in service (pbxlinkInService): reopening the sessions and resyncing');
        break;
      default:
        if (String(s.session).startsWith('sessionClosedBy')) {
          // TelServer has closed it: nothing to close on our side.
          const ds = this.sessions.get(s.device);
          if (ds) ds.open = false;
          this.reopen(`TelServer closed the session of ${s.device} (${s.session}): reopening it`);
        }
    }
  }

  private emit(events: PbxEvent[]): void {
    if (!events.length) return;
    this.stats.events += events.length;
    this.hooks.deliver(events);
  }

  /** A warning that may come with every datagram: the first at once, then one a minute saying how many more. */
  private warnOncePerMinute(key: string, message: string): void {
    const now = Date.now();
    const w = this.minuteWarnings.get(key);
    if (w && now - w.at < 60_000) {
      w.held++;
      return;
    }
    const held = w?.held ?? 0;
    this.minuteWarnings.set(key, { at: now, held: 0 });
    this.hooks.warn('decode', held ? `${message} (and ${held} more in the last minute)` : message);
  }

  // ---- operations -----------------------------------------------------------------------------------------

  supports(operation: OperationName): boolean {
    return telServicesSupports(operation);
  }

  async execute(_o: TsOpening, operation: OperationName, input: Record<string, unknown>, ctx: OperationContext): Promise<unknown> {
    try {
      return await this.run(operation, input, ctx.user ?? this.devices[0]);
    } catch (err) {
      // Whatever the server put in its answer (an echoed password in an error name) is scrubbed before a caller sees it.
      throw this.requests.clean(err);
    }
  }

  private run(operation: OperationName, input: Record<string, unknown>, device: string): Promise<unknown> {
    const valid = validateInput(operation, input);
    return runTelServicesOperation(operation, valid, {
      device,
      request: <K extends ResultName>(service: RequestName, params: Record<string, unknown>, expect: K) => this.requests.call(service, params, expect, device),
      findCall: (id) => this.pipeline.tracker.callsOf(device).find((c) => c.id === id),
      currentCalls: async () => {
        if (this.sessions.has(device)) await this.snapshot(device);
        return this.pipeline.tracker.callsOf(device);
      },
      expectDeparture: (cause, destination) => this.pipeline.normalizer.expectDeparture(device, cause, destination),
      makeCallShortcut: this.s.makeCallShortcut && this.transport.kind === 'http'
        ? async (dn, called) => {
          const body = await this.transport.makeCallShortcut(dn, called);
          // The shortcut's answer is not documented: a TelServiceReturn is read, anything else means done.
          if (body.includes('<TelServiceReturn')) expectResult(decodeReturn(body), 'standard', `makeCall for ${dn}`);
        }
        : undefined,
    });
  }

  sweep(): PbxEvent[] {
    return this.pipeline.tracker.sweep();
  }

  rawWanted(wanted: boolean): void {
    this.pipeline.tracker.includeRaw = wanted;
  }

  /** Where the event ports listen (tests, diagnostics): one local address and port per device. */
  eventPorts(): Array<{ device: string; address?: string; port?: number }> {
    return [...this.sessions.values()].map((s) => ({ device: s.device, address: s.listener?.address, port: s.listener?.address ? s.listener.port : undefined }));
  }

  /** Every session that is or may be open is closed (also after a fatal error, or an openSession cut short by close). */
  async shutdown(): Promise<void> {
    this.generation++;
    this.stream?.end({ kind: 'aborted' });
    // Requests in flight (a keep-alive to a server that never answers, a long poll) end now, not at their timeout.
    this.transport.close();
    this.pollTransport?.close();
    const open = [...this.sessions.values()].filter((s) => s.open);
    if (open.length) {
      const ms = Math.min(2000, this.s.requestTimeoutMs);
      const t = new TelServicesTransport({ url: this.s.url, endOfMessage: this.s.endOfMessage, connectTimeoutMs: ms, responseTimeoutMs: ms, tls: { rejectUnauthorized: !this.s.insecure, ...(this.s.ca ? { ca: this.s.ca } : {}) } });
      await Promise.allSettled(open.map((s) => this.closeSession(s, t)));
      t.close();
    }
    for (const s of this.sessions.values()) s.open = false;
    await Promise.allSettled([...this.sessions.values()].map((s) => s.listener?.close()));
  }
}

