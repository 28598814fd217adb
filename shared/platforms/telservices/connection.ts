/**
 * One TelServices connection per credential, on the shared BaseConnection. A single loop owns the life cycle:
 *
 *   bind one UDP port per device -> openSession per device -> snapshot per device (resync) -> connected
 *     keep-alive: a `snapshot` of a device keepAliveMs after its last one (resets the session timeout, catches lost
 *       datagrams); an event that shows a loss asks for one too, at most one per snapshotMinIntervalMs per device,
 *       and never two in flight for one device
 *     session event sessionClosedBy*          -> reopen the sessions (through the back-off), resync
 *     pbxlinkOutOfService                     -> reconnecting; pbxlinkInService (or a snapshot that works) -> reopen, resync
 *     TelServer unreachable / noOpenSession   -> reconnecting, capped back-off with jitter, reopen
 *     invalidCredentials                      -> failed, stop for good (one attempt)
 *   close(): closeSession for every session opened, UDP sockets closed, requests in flight aborted.
 *   A session is "open" from its openSession until a closeSession is answered or TelServer says it is gone: one
 *   given up (a failed resync) is closed before its device's next openSession, so each device has one at most.
 *
 * With `eventSource: 'poll'` (UDP cannot reach us: NAT), each device runs the `snapshot` long poll
 * (`resultOnEvent` with `snapshotSeq`) instead, and consecutive answers are compared as events.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { BaseConnection } from '../../connection/base';
import type { ConnectionConfig, OperationOptions, PbxConnection } from '../../connection/types';
import { AuthError, PbxApiError, PbxError } from '../../errors';
import type { PbxEvent } from '../../model/events';
import { int } from '../../model/fields';
import type { OperationName } from '../../operations/catalogue';
import { validateInput } from '../../operations/validate';
import { decodeReturn, encodeRequest, expectResult } from './codec';
import { checkTelServicesConfig, type TelServicesExtra } from './config';
import type { SessionSignal } from './normalizer';
import { runTelServicesOperation, telServicesSupports } from './operations';
import { TelServicesPipeline } from './pipeline';
import type { RequestName } from './schema';
import { TelServicesTransport } from './transport';
import type { ResultMap, ResultName, TsReturn, TsSnapshot } from './types';
import { localAddressTowards, UdpEventListener } from './udp';

export { DEVICE_NUMBER, readExtra, type TelServicesExtra } from './config';

export interface TelServicesStats {
  requests: number;
  datagrams: number;
  events: number;
  decodeErrors: number;
  duplicates: number;
  sessionsOpened: number;
  sessionsClosed: number;
  /** Snapshot requests sent (resyncs, keep-alives), not counting the long poll. */
  snapshots: number;
  /** Datagram PDUs naming another device than their port's (dropped). */
  foreign: number;
  resyncs: number;
  reopens: number;
  polls: number;
}

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

export class TelServicesConnection extends BaseConnection {
  readonly pipeline: TelServicesPipeline;
  readonly transport: TelServicesTransport;
  readonly stats: TelServicesStats = { requests: 0, datagrams: 0, events: 0, decodeErrors: 0, duplicates: 0, sessionsOpened: 0, sessionsClosed: 0, snapshots: 0, foreign: 0, resyncs: 0, reopens: 0, polls: 0 };
  readonly devices: string[];
  private readonly x: TelServicesExtra;
  private readonly sessions = new Map<string, DeviceSession>();
  private readonly serverAddresses = new Set<string>();
  /** The address a connection to TelServer tries first (what the system's resolver gives first). */
  private serverAddress?: string;
  private readonly pollTransport?: TelServicesTransport;
  /** The local address the event ports bind to (configured, or the one that reaches TelServer). */
  private bindAddress?: string;
  /** Last time a once-a-minute warning of each kind was shown, and how many were held back since. */
  private readonly minuteWarnings = new Map<string, { at: number; held: number }>();
  private pendingReopen?: string;
  private linkDown = false;
  private readonly gapDevices = new Set<string>();
  private runGeneration = 0;
  private readonly loopDone: Promise<void>;

  constructor(private readonly config: ConnectionConfig) {
    // Checked before the base class exists: a refused configuration leaves no timer or socket behind.
    const checked = checkTelServicesConfig(config);
    super({
      platform: 'telservices',
      user: config.login || checked.devices[0],
      backoff: { initialMs: int(config.extra?.backoffInitialMs, 1, 600_000), maxMs: int(config.extra?.backoffMaxMs, 1, 3_600_000) },
    });
    this.devices = checked.devices;
    this.x = checked.extra;
    this.transport = checked.transport;
    this.pollTransport = checked.pollTransport;
    this.bindAddress = this.x.udpHost;
    this.secrets.add(config.password);
    if (config.password) this.secrets.add(config.password.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    this.pipeline = new TelServicesPipeline({
      callTtlMs: config.callTtlMs,
      endOfMessage: this.x.endOfMessage,
      maxCallsPerDevice: this.x.maxCallsPerDevice,
      maxCalls: this.x.maxCalls,
      onLimit: (message) => this.warnOncePerMinute('calls', message),
    });
    for (const d of this.devices) this.sessions.set(d, { device: d, open: false, lastSnapshotAt: 0, lastGapSnapshotAt: 0 });
    this.watchExpiry(() => this.pipeline.tracker.sweep());
    this.loopDone = this.loop();
  }

  supports(operation: OperationName): boolean {
    return telServicesSupports(operation);
  }

  async execute(operation: OperationName, input: Record<string, unknown>, options: OperationOptions = {}): Promise<unknown> {
    if (this.closed) throw new PbxError('CLOSED', 'The connection is closed');
    if (this.fatal) throw this.fatal;
    try {
      const valid = validateInput(operation, input);
      const device = options.user ?? this.devices[0];
      return await runTelServicesOperation(operation, valid, {
        device,
        request: <K extends ResultName>(service: RequestName, params: Record<string, unknown>, expect: K) => this.call(service, params, expect, device),
        findCall: (id) => this.pipeline.tracker.callsOf(device).find((c) => c.id === id),
        currentCalls: async () => {
          if (this.sessions.has(device)) await this.resync(device);
          return this.pipeline.tracker.callsOf(device);
        },
        expectDeparture: (cause, destination) => this.pipeline.normalizer.expectDeparture(device, cause, destination),
        makeCallShortcut: this.x.makeCallShortcut && this.transport.kind === 'http'
          ? async (dn, called) => {
            const body = await this.transport.makeCallShortcut(dn, called);
            // The shortcut's answer is not documented: a TelServiceReturn is read, anything else means done.
            if (body.includes('<TelServiceReturn')) expectResult(decodeReturn(body), 'standard', `makeCall for ${dn}`);
          }
          : undefined,
      });
    } catch (err) {
      // Whatever the server put in its answer (an echoed password in an error name, a call's capabilities) is
      // scrubbed before it reaches a caller, a host's output or the CLI.
      throw this.clean(err);
    }
  }

  /** `scrubError`, plus the wire names a PbxApiError carries (an unknown error name is server text too). */
  private clean(err: unknown): PbxError {
    const e = this.scrubError(err);
    if (!(e instanceof PbxApiError)) return e;
    const type = e.type === undefined ? undefined : this.scrub(e.type);
    const code = typeof e.pbxCode === 'string' ? this.scrub(e.pbxCode) : e.pbxCode;
    if (type === e.type && code === e.pbxCode) return e;
    return new PbxApiError(e.message, { status: e.status, type, code, canRetry: e.canRetry, helpMessage: e.helpMessage });
  }

  // ---- requests ---------------------------------------------------------------------------------------

  private async request(service: RequestName, params: Record<string, unknown>, timeoutMs?: number, transport = this.transport): Promise<TsReturn> {
    const xml = encodeRequest(service, params);
    this.stats.requests++;
    let body: string;
    try {
      body = await transport.send(xml, { timeoutMs });
    } catch (err) {
      throw this.clean(err);
    }
    try {
      return decodeReturn(body);
    } catch (err) {
      throw new PbxError('DECODE', this.scrub(`TelServer answered ${service} with something unreadable: ${(err as Error).message}`));
    }
  }

  private async call<K extends ResultName>(service: RequestName, params: Record<string, unknown>, expect: K, device: string, timeoutMs?: number, transport?: TelServicesTransport): Promise<ResultMap[K]> {
    const ret = await this.request(service, params, timeoutMs, transport);
    try {
      return expectResult(ret, expect, `${service} for ${device}`);
    } catch (err) {
      // A request that finds the session gone: the loop reopens it (the caller still gets this error).
      if (err instanceof PbxApiError && err.type === 'noOpenSession') {
        const s = this.sessions.get(device);
        if (s) {
          s.open = false;
          this.requestReopen(`the session of ${device} is gone (noOpenSession)`);
        }
      }
      throw this.clean(err);
    }
  }

  // ---- life cycle -------------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    while (!this.closed) {
      try {
        await this.establish();
        if (this.closed) break;
        this.streamUp();
        this.linkDown = false;
        this.connected();
        const reason = await this.run();
        if (this.closed) break;
        this.stats.reopens++;
        this.warn({ kind: 'session', message: reason });
        this.setState({ state: 'reconnecting', reason, attempt: this.backoff.attempts + 1 });
        await this.sleep(this.retryDelay());
      } catch (err) {
        if (this.closed) break;
        const e = this.clean(err instanceof PbxError ? err : new PbxError('NETWORK', String((err as Error)?.message ?? err)));
        if (e instanceof AuthError) {
          this.fail(e);
          return;
        }
        // Sessions opened in this attempt stay marked open: the next attempt closes them before opening again.
        this.warn({ kind: 'session', message: e.message });
        this.setState({ state: 'reconnecting', reason: e.message, attempt: this.backoff.attempts + 1 });
        this.rejectWaiters(e);
        await this.sleep(this.retryDelay());
      }
    }
  }

  /** Ports, sessions, resync. Throws on the first failure (the loop backs off and starts over). */
  private async establish(): Promise<void> {
    this.pendingReopen = undefined;
    this.gapDevices.clear();
    await this.resolveServer();
    let i = 0;
    for (const s of this.sessions.values()) {
      if (this.closed) return;
      const params: Record<string, unknown> = { deviceNumber: s.device };
      if (this.x.eventSource === 'udp') {
        if (!s.listener) {
          const port = this.x.udpPort ? this.x.udpPort + i : 0;
          const device = s.device;
          s.listener = new UdpEventListener(
            { host: await this.eventAddress(), port, allowFrom: () => (this.x.acceptEventsFromAnyHost ? new Set<string>() : this.serverAddresses) },
            (text) => this.onDatagram(text, device),
          );
        }
        params.eventUDPPort = await s.listener.start();
      }
      params.eventUpdate = this.x.eventUpdate;
      if (this.config.login) params.userID = this.config.login;
      if (this.config.password) params.userPassword = this.config.password;
      if (this.x.sessionTimeoutSeconds) params.sessionTimeout = this.x.sessionTimeoutSeconds;
      // One session per device: the one given up last time (a failed resync, a reopen) is closed first.
      if (s.open) await this.closeSession(s);
      if (this.closed) return;
      // Open from the moment it is asked for: an answer lost to a timeout or to close() may still have opened it.
      s.open = true;
      try {
        await this.call('openSession', params, 'standard', s.device);
      } catch (err) {
        // TelServer answered with an error, or refused the connection: nothing was opened.
        if (err instanceof PbxApiError || err instanceof AuthError || (err instanceof PbxError && err.code === 'NETWORK' && NOT_SENT.test(err.message))) s.open = false;
        throw err;
      }
      s.snapshotSeq = undefined;
      this.stats.sessionsOpened++;
      i++;
    }
    for (const d of this.devices) {
      if (this.closed) return;
      await this.resync(d);
    }
  }

  /** closeSession for one device (clientOnly: another application's client of the same session keeps it). */
  private async closeSession(s: DeviceSession, transport = this.transport): Promise<void> {
    const ret = await this.request('closeSession', { deviceNumber: s.device, clientOnly: true }, undefined, transport);
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
      throw this.clean(err);
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

  /**
   * Connected: keep the sessions alive and the view right until something needs a reopen; returns why. A device
   * is snapshot keepAliveMs after its last snapshot (UDP mode; the long poll keeps its session alive itself), and
   * when its events showed a loss, no sooner than snapshotMinIntervalMs after the last such snapshot.
   */
  private async run(): Promise<string> {
    const gen = ++this.runGeneration;
    if (this.x.eventSource === 'poll') for (const d of this.devices) void this.pollLoop(d, gen);
    while (!this.closed && this.pendingReopen === undefined) {
      const now = Date.now();
      const due: string[] = [];
      let wake = Infinity;
      for (const s of this.sessions.values()) {
        const keepAlive = this.x.eventSource === 'udp' ? s.lastSnapshotAt + this.x.keepAliveMs : Infinity;
        const gap = this.gapDevices.has(s.device) ? s.lastGapSnapshotAt + this.x.snapshotMinIntervalMs : Infinity;
        const at = Math.min(keepAlive, gap);
        if (at <= now) due.push(s.device);
        else wake = Math.min(wake, at);
      }
      if (!due.length) {
        // Woken early by a datagram that shows a loss, by a reopen request, or by close().
        await this.sleep(Math.min(wake - now, 3_600_000));
        continue;
      }
      for (const d of due) {
        const s = this.sessions.get(d)!;
        if (this.gapDevices.delete(d)) s.lastGapSnapshotAt = Date.now();
        try {
          await this.resync(d);
          if (this.linkDown) {
            // The link is back although its pbxlinkInService datagram was lost.
            this.linkDown = false;
            this.requestReopen('the PBX link is back in service: reopening the sessions');
          }
        } catch (err) {
          if (this.closed) break;
          const e = err as PbxError;
          if (e instanceof AuthError) throw e;
          if (e instanceof PbxApiError && e.type === 'pbxlinkOutOfService') this.linkOut();
          else if (e instanceof PbxApiError && e.type === 'noOpenSession') this.requestReopen(`the session of ${d} is gone (noOpenSession)`);
          else if (e.code === 'NETWORK' || e.code === 'TIMEOUT' || e.code === 'DECODE') this.requestReopen(`keep-alive failed: ${e.message}`);
          else this.warn({ kind: 'resync', message: `snapshot of ${d} failed: ${e.message}` });
        }
        if (this.closed || this.pendingReopen !== undefined) break;
      }
    }
    this.runGeneration++;
    return this.pendingReopen ?? 'closed';
  }

  /** The `snapshot` long poll of one device (eventSource 'poll'). */
  private async pollLoop(device: string, gen: number): Promise<void> {
    const s = this.sessions.get(device)!;
    while (!this.closed && gen === this.runGeneration) {
      const params: Record<string, unknown> = { deviceNumber: device, resultOnEvent: { timeout: this.x.pollTimeoutSeconds, ...(s.snapshotSeq !== undefined ? { snapshotSeq: s.snapshotSeq } : {}) } };
      try {
        const snap = await this.call('snapshot', params, 'snapshot', device, (this.x.pollTimeoutSeconds + 10) * 1000, this.pollTransport);
        if (this.closed || gen !== this.runGeneration) return;
        this.stats.polls++;
        if (snap.snapshotSeq !== undefined) s.snapshotSeq = snap.snapshotSeq;
        const r = this.pipeline.pushPoll(snap, device);
        this.emit(r.events);
        for (const sig of r.sessions) this.onSession(sig);
      } catch (err) {
        if (this.closed || gen !== this.runGeneration) return;
        const e = err as PbxError;
        if (e instanceof PbxApiError && e.type === 'pbxlinkOutOfService') {
          this.linkOut();
          await pause(Math.min(5000, this.x.keepAliveMs)); // not this.sleep(): the keep-alive loop owns that one
          continue;
        }
        this.requestReopen(`event long poll for ${device} failed: ${e.message}`);
        return;
      }
    }
  }

  /**
   * Snapshot of one device, reconciled with the tracker. One in flight per device: a caller that asks while one
   * is on its way gets that one.
   */
  private resync(device: string): Promise<void> {
    const s = this.sessions.get(device);
    if (!s) return Promise.resolve();
    if (s.snapshot) return s.snapshot;
    const askedAt = Date.now();
    s.lastSnapshotAt = askedAt;
    this.stats.snapshots++;
    const p = (async () => {
      try {
        const snap: TsSnapshot = await this.call('snapshot', { deviceNumber: device }, 'snapshot', device);
        if (this.closed) return;
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

  private requestReopen(reason: string): void {
    if (this.closed || this.pendingReopen !== undefined) return;
    this.pendingReopen = reason;
    this.interrupt();
  }

  private linkOut(): void {
    if (this.linkDown) return;
    this.linkDown = true;
    this.warn({ kind: 'session', message: 'TelServer lost its link to the PBX (pbxlinkOutOfService): waiting for it to come back' });
    this.setState({ state: 'reconnecting', reason: 'TelServer lost its link to the PBX (pbxlinkOutOfService)' });
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
    this.warn({ kind: 'decode', message: held ? `${message} (and ${held} more in the last minute)` : message });
  }

  // ---- events -----------------------------------------------------------------------------------------

  private onDatagram(text: string, device: string): void {
    if (this.closed) return;
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
      this.warn({ kind: 'decode', message: `skipped a datagram part that is not a TelServices event (port of ${device}): ${e.message}${e.excerpt ? ` [${e.excerpt}]` : ''}` });
    }
    this.emit(r.events);
    for (const s of r.sessions) this.onSession(s);
    if (r.gaps.length) {
      for (const d of r.gaps) if (this.sessions.has(d)) this.gapDevices.add(d);
      // The keep-alive loop decides when (no sooner than snapshotMinIntervalMs after the last such snapshot).
      if (this.gapDevices.size && this.pendingReopen === undefined) this.interrupt();
    }
  }

  private onSession(s: SessionSignal): void {
    switch (s.session) {
      case 'pbxlinkOutOfService':
        this.linkOut();
        break;
      case 'pbxlinkInService':
        if (this.linkDown) this.requestReopen('the PBX link is back in service (pbxlinkInService): reopening the sessions and resyncing');
        break;
      default:
        if (String(s.session).startsWith('sessionClosedBy')) {
          // TelServer has closed it: nothing to close on our side.
          const ds = this.sessions.get(s.device);
          if (ds) ds.open = false;
          this.requestReopen(`TelServer closed the session of ${s.device} (${s.session}): reopening it`);
        }
    }
  }

  private emit(events: PbxEvent[]): void {
    if (!events.length) return;
    this.stats.events += events.length;
    this.deliver(events);
  }

  protected rawWanted(wanted: boolean): void {
    this.pipeline.tracker.includeRaw = wanted;
  }

  /** Where the event ports listen (tests, diagnostics): one local address and port per device. */
  eventPorts(): Array<{ device: string; address?: string; port?: number }> {
    return [...this.sessions.values()].map((s) => ({ device: s.device, address: s.listener?.address, port: s.listener?.address ? s.listener.port : undefined }));
  }

  // ---- shutdown ---------------------------------------------------------------------------------------

  protected async shutdown(): Promise<void> {
    this.interrupt();
    // Requests in flight (a keep-alive to a server that never answers, a long poll) end now, not at their timeout.
    this.transport.close();
    this.pollTransport?.close();
    await this.loopDone;
    // Every session that is or may be open (also after a fatal error, or an openSession cut short by this close).
    const open = [...this.sessions.values()].filter((s) => s.open);
    if (open.length) {
      const ms = Math.min(2000, this.config.requestTimeoutMs ?? 2000);
      const t = new TelServicesTransport({ url: this.config.url, endOfMessage: this.x.endOfMessage, connectTimeoutMs: ms, responseTimeoutMs: ms });
      await Promise.allSettled(open.map((s) => this.closeSession(s, t)));
      t.close();
    }
    for (const s of this.sessions.values()) s.open = false;
    await Promise.allSettled([...this.sessions.values()].map((s) => s.listener?.close()));
  }
}

/** Network failures where the request never reached TelServer (nothing can have been opened). */
const NOT_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/;

/** An unref'd wait (a poll loop's own; shutdown does not wait for it). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function createTelServicesConnection(config: ConnectionConfig): PbxConnection {
  return new TelServicesConnection(config);
}
