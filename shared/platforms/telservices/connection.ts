/**
 * One TelServices connection per credential, on the shared BaseConnection. A single loop owns the life cycle:
 *
 *   bind one UDP port per device -> openSession per device -> snapshot per device (resync) -> connected
 *     keep-alive: a `snapshot` per device every keepAliveMs (resets the session timeout, catches lost datagrams)
 *     session event sessionClosedBy*          -> reopen the sessions (through the back-off), resync
 *     pbxlinkOutOfService                     -> reconnecting; pbxlinkInService (or a snapshot that works) -> reopen, resync
 *     TelServer unreachable / noOpenSession   -> reconnecting, capped back-off with jitter, reopen
 *     invalidCredentials                      -> failed, stop for good (one attempt)
 *   close(): closeSession for every session opened, UDP sockets closed, requests in flight aborted.
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
import type { SessionSignal } from './normalizer';
import { runTelServicesOperation, telServicesSupports } from './operations';
import { TelServicesPipeline } from './pipeline';
import type { RequestName } from './schema';
import { TelServicesTransport } from './transport';
import type { ResultMap, ResultName, TsReturn, TsSnapshot } from './types';
import { UdpEventListener } from './udp';

export interface TelServicesStats {
  requests: number;
  datagrams: number;
  events: number;
  decodeErrors: number;
  duplicates: number;
  sessionsOpened: number;
  resyncs: number;
  reopens: number;
  polls: number;
}

interface DeviceSession {
  device: string;
  listener?: UdpEventListener;
  open: boolean;
  snapshotSeq?: number;
}

/** A device number as TelServices takes it (digits and dial characters; the CLI checks its flags with it too). */
export const DEVICE_NUMBER = /^[\w+*#.-]{1,32}$/;

/** What the connection reads from `ConnectionConfig.extra` (see COMMON contract). */
export interface TelServicesExtra {
  udpPort?: number;
  udpHost?: string;
  endOfMessage?: string;
  eventSource: 'udp' | 'poll';
  sessionTimeoutSeconds?: number;
  keepAliveMs: number;
  pollTimeoutSeconds: number;
  eventUpdate: 'full' | 'restricted';
  makeCallShortcut: boolean;
  connectTimeoutMs: number;
  acceptEventsFromAnyHost: boolean;
}

export function readExtra(config: ConnectionConfig): TelServicesExtra {
  const x = config.extra ?? {};
  const sessionTimeoutSeconds = int(x.sessionTimeoutSeconds, 1, 86_400);
  // The session times out after sessionTimeout without a request: keep it alive well before.
  const keepDefault = sessionTimeoutSeconds ? Math.max(1000, Math.floor((sessionTimeoutSeconds * 1000) / 3)) : 60_000;
  const eom = typeof x.endOfMessage === 'string' && x.endOfMessage !== '' ? x.endOfMessage : undefined;
  if (x.eventSource !== undefined && x.eventSource !== 'udp' && x.eventSource !== 'poll') throw new PbxError('INVALID_INPUT', 'TelServices: extra.eventSource must be "udp" or "poll"');
  if (x.udpPort !== undefined && int(x.udpPort, 0, 65535) === undefined) throw new PbxError('INVALID_INPUT', 'TelServices: extra.udpPort must be a port number (0-65535)');
  return {
    udpPort: int(x.udpPort, 0, 65535),
    udpHost: typeof x.udpHost === 'string' && x.udpHost ? x.udpHost : undefined,
    endOfMessage: eom,
    eventSource: x.eventSource === 'poll' ? 'poll' : 'udp',
    sessionTimeoutSeconds,
    keepAliveMs: int(x.keepAliveMs, 50, 3_600_000) ?? keepDefault,
    pollTimeoutSeconds: int(x.pollTimeoutSeconds, 1, 600) ?? 30,
    eventUpdate: x.eventUpdate === 'restricted' ? 'restricted' : 'full',
    makeCallShortcut: x.makeCallShortcut === true,
    connectTimeoutMs: int(x.connectTimeoutMs, 50, 120_000) ?? 5000,
    acceptEventsFromAnyHost: x.acceptEventsFromAnyHost === true,
  };
}

export class TelServicesConnection extends BaseConnection {
  readonly pipeline: TelServicesPipeline;
  readonly transport: TelServicesTransport;
  readonly stats: TelServicesStats = { requests: 0, datagrams: 0, events: 0, decodeErrors: 0, duplicates: 0, sessionsOpened: 0, resyncs: 0, reopens: 0, polls: 0 };
  readonly devices: string[];
  private readonly x: TelServicesExtra;
  private readonly sessions = new Map<string, DeviceSession>();
  private readonly serverAddresses = new Set<string>();
  private pollTransport?: TelServicesTransport;
  private pendingReopen?: string;
  private linkDown = false;
  private readonly gapDevices = new Set<string>();
  private runGeneration = 0;
  private readonly loopDone: Promise<void>;

  constructor(private readonly config: ConnectionConfig) {
    const devices = (config.users ?? []).map((u) => String(u).trim()).filter(Boolean);
    super({
      platform: 'telservices',
      user: config.login || devices[0] || 'telservices',
      backoff: { initialMs: int(config.extra?.backoffInitialMs, 1, 600_000), maxMs: int(config.extra?.backoffMaxMs, 1, 3_600_000) },
    });
    if (config.platform !== 'telservices') throw new PbxError('INVALID_INPUT', `Not a TelServices configuration: ${config.platform}`);
    if (!devices.length) throw new PbxError('INVALID_INPUT', 'TelServices needs the device numbers to monitor (users: ["3102", ...])');
    const badDevice = devices.find((d) => !DEVICE_NUMBER.test(d));
    if (badDevice) throw new PbxError('INVALID_INPUT', `TelServices: "${badDevice.slice(0, 40)}" is not a device number`);
    this.devices = [...new Set(devices)];
    this.x = readExtra(config);
    this.secrets.add(config.password);
    if (config.password) this.secrets.add(config.password.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    const timeouts = { connectTimeoutMs: this.x.connectTimeoutMs, responseTimeoutMs: config.requestTimeoutMs ?? 10_000, endOfMessage: this.x.endOfMessage };
    this.transport = new TelServicesTransport({ url: config.url, ...timeouts });
    if (this.x.eventSource === 'poll') this.pollTransport = new TelServicesTransport({ url: config.url, ...timeouts });
    this.pipeline = new TelServicesPipeline({ callTtlMs: config.callTtlMs, endOfMessage: this.x.endOfMessage });
    for (const d of this.devices) this.sessions.set(d, { device: d, open: false });
    this.watchExpiry(() => this.pipeline.tracker.sweep());
    this.loopDone = this.loop();
  }

  supports(operation: OperationName): boolean {
    return telServicesSupports(operation);
  }

  async execute(operation: OperationName, input: Record<string, unknown>, options: OperationOptions = {}): Promise<unknown> {
    if (this.closed) throw new PbxError('CLOSED', 'The connection is closed');
    if (this.fatal) throw this.fatal;
    const valid = validateInput(operation, input);
    const device = options.user ?? this.devices[0];
    return runTelServicesOperation(operation, valid, {
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
  }

  // ---- requests ---------------------------------------------------------------------------------------

  private async request(service: RequestName, params: Record<string, unknown>, timeoutMs?: number, transport = this.transport): Promise<TsReturn> {
    const xml = encodeRequest(service, params);
    this.stats.requests++;
    const body = await transport.send(xml, { timeoutMs });
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
      if (err instanceof PbxApiError && err.type === 'noOpenSession' && this.sessions.has(device)) this.requestReopen(`the session of ${device} is gone (noOpenSession)`);
      throw err;
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
        const e = err instanceof PbxError ? err : new PbxError('NETWORK', String((err as Error)?.message ?? err));
        if (e instanceof AuthError) {
          this.fail(e);
          return;
        }
        for (const s of this.sessions.values()) s.open = false;
        this.warn({ kind: 'session', message: e.message });
        this.setState({ state: 'reconnecting', reason: e.message, attempt: this.backoff.attempts + 1 });
        this.rejectWaiters(this.scrubError(e));
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
            { host: this.x.udpHost, port, allowFrom: () => (this.x.acceptEventsFromAnyHost ? new Set<string>() : this.serverAddresses) },
            (text) => this.onDatagram(text, device),
          );
        }
        params.eventUDPPort = await s.listener.start();
      }
      params.eventUpdate = this.x.eventUpdate;
      if (this.config.login) params.userID = this.config.login;
      if (this.config.password) params.userPassword = this.config.password;
      if (this.x.sessionTimeoutSeconds) params.sessionTimeout = this.x.sessionTimeoutSeconds;
      await this.call('openSession', params, 'standard', s.device);
      s.open = true;
      s.snapshotSeq = undefined;
      this.stats.sessionsOpened++;
      i++;
    }
    for (const d of this.devices) {
      if (this.closed) return;
      await this.resync(d);
    }
  }

  private async resolveServer(): Promise<void> {
    if (this.serverAddresses.size) return;
    const host = this.transport.host;
    if (isIP(host)) this.serverAddresses.add(host);
    else {
      try {
        for (const a of await lookup(host, { all: true })) this.serverAddresses.add(a.address);
      } catch (err) {
        throw new PbxError('NETWORK', `cannot resolve the TelServer host ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    // An IPv4 sender may show up IPv4-mapped on a dual-stack socket.
    for (const a of [...this.serverAddresses]) if (isIP(a) === 4) this.serverAddresses.add(`::ffff:${a}`);
  }

  /** Connected: keep the sessions alive and the view right until something needs a reopen; returns why. */
  private async run(): Promise<string> {
    const gen = ++this.runGeneration;
    if (this.x.eventSource === 'poll') for (const d of this.devices) void this.pollLoop(d, gen);
    let next = Date.now() + this.x.keepAliveMs;
    while (!this.closed && this.pendingReopen === undefined) {
      const wait = next - Date.now();
      if (wait > 0 && !this.gapDevices.size) await this.sleep(wait);
      if (this.closed || this.pendingReopen !== undefined) break;
      const due = Date.now() >= next;
      // Poll mode keeps the sessions alive with its own requests.
      const which = due && this.x.eventSource === 'udp' ? this.devices : [...this.gapDevices];
      if (due) next = Date.now() + this.x.keepAliveMs;
      this.gapDevices.clear();
      for (const d of which) {
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
        if (this.pendingReopen !== undefined) break;
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

  /** Snapshot of one device, reconciled with the tracker. */
  private async resync(device: string): Promise<void> {
    const askedAt = Date.now();
    const snap: TsSnapshot = await this.call('snapshot', { deviceNumber: device }, 'snapshot', device);
    if (this.closed) return;
    this.stats.resyncs++;
    this.emit(this.pipeline.pushSnapshot(snap, device, askedAt));
    if (snap.session) this.onSession({ device, session: snap.session, time: Date.now() });
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

  // ---- events -----------------------------------------------------------------------------------------

  private onDatagram(text: string, device: string): void {
    if (this.closed) return;
    this.stats.datagrams++;
    const r = this.pipeline.pushDatagram(text, device);
    this.stats.duplicates += r.duplicates;
    for (const e of r.errors) {
      this.stats.decodeErrors++;
      this.warn({ kind: 'decode', message: `skipped a datagram part that is not a TelServices event (port of ${device}): ${e.message}${e.excerpt ? ` [${e.excerpt}]` : ''}` });
    }
    this.emit(r.events);
    for (const s of r.sessions) this.onSession(s);
    if (r.gaps.length) {
      for (const d of r.gaps) if (this.sessions.has(d)) this.gapDevices.add(d);
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
        if (String(s.session).startsWith('sessionClosedBy')) this.requestReopen(`TelServer closed the session of ${s.device} (${s.session}): reopening it`);
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

  // ---- shutdown ---------------------------------------------------------------------------------------

  protected async shutdown(): Promise<void> {
    this.interrupt();
    // Requests in flight (a keep-alive to a server that never answers, a long poll) end now, not at their timeout.
    this.transport.close();
    this.pollTransport?.close();
    await this.loopDone;
    const open = [...this.sessions.values()].filter((s) => s.open);
    // Also after a fatal error: sessions opened for the devices before it must not linger on the server.
    if (open.length) {
      const t = new TelServicesTransport({ url: this.config.url, endOfMessage: this.x.endOfMessage, connectTimeoutMs: 2000, responseTimeoutMs: 2000 });
      // clientOnly: other clients of the same session (another application) keep it.
      await Promise.allSettled(open.map((s) => t.send(encodeRequest('closeSession', { deviceNumber: s.device, clientOnly: true }))));
      this.stats.requests += open.length;
      t.close();
    }
    for (const s of this.sessions.values()) s.open = false;
    await Promise.allSettled([...this.sessions.values()].map((s) => s.listener?.close()));
  }
}

/** An unref'd wait (a poll loop's own; shutdown does not wait for it). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function createTelServicesConnection(config: ConnectionConfig): PbxConnection {
  return new TelServicesConnection(config);
}
