/**
 * One ALE connection (OpenTouch or O2G) per credential: session, subscription, event channel, resync, and the
 * operations. A single loop owns the life cycle, so recovery paths cannot race each other:
 *
 *   log in -> subscribe -> open channel -> (first line) resync -> connected
 *     channel ends cleanly        -> reopen at once (same subscription; the server kept queued events)
 *     channel breaks              -> reconnecting, capped back-off with jitter, reopen
 *     channel refused / 403       -> the session is gone: log in again, new session, new subscription
 *     channel unreachable 2x      -> the server is gone: log in on the other server (HA), resubscribe, resync
 *     wrong password              -> failed, stop (no retry storm)
 *
 * Every (re)open is followed by a resync: the current calls of each monitored user are fetched and reconciled
 * with the tracker (calls that vanished end with `endedDuringOutage`; calls already reported are not repeated).
 */
import { AuthError, DecodeError, PbxError } from '../../errors';
import { Backoff } from '../../connection/backoff';
import type { ConnectionConfig, ConnectionState, ConnectionWarning, EventSubscription, OperationOptions, PbxConnection } from '../../connection/types';
import type { ConnectionStateInfo, Party, PbxEvent } from '../../model/events';
import { eventId } from '../../model/ids';
import type { OperationName } from '../../operations/catalogue';
import { validateInput } from '../../operations/validate';
import { AleChannel } from './channel';
import { decodeAleLine, type AleEvent } from './decoder';
import { HttpClient } from './http';
import { aleSupports, runAleOperation } from './operations';
import { AlePipeline } from './pipeline';
import { AleRest } from './rest';
import { SelfParties } from './self-party';
import { AleSession } from './session';
import { pilotsOf, subscriptionRequest, withoutOptionalPackages } from './subscription';

export type AlePlatformName = 'opentouch' | 'o2g';

/** Something worth telling an operator that is not an event: a skipped line, a failed resync, a reconnect cause. */
export interface AleDiagnostic {
  kind: 'decode' | 'resync' | 'channel' | 'session';
  message: string;
  error?: PbxError;
}

export interface AleStats {
  lines: number;
  events: number;
  decodeErrors: number;
  channelsOpened: number;
  logins: number;
  resyncs: number;
}

interface Listener {
  fn: (e: PbxEvent) => void;
  includeRaw: boolean;
}

const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : d);
/** A positive finite number, or undefined (the callee's default then applies). */
const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

export class AleConnection implements PbxConnection {
  readonly platform: AlePlatformName;
  readonly rest: AleRest;
  readonly pipeline: AlePipeline;
  readonly stats: AleStats = { lines: 0, events: 0, decodeErrors: 0, channelsOpened: 0, logins: 0, resyncs: 0 };
  private readonly session: AleSession;
  private readonly http: HttpClient;
  private readonly channel: AleChannel;
  private readonly selves: SelfParties;
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<(s: ConnectionStateInfo) => void>();
  private readonly rawListeners = new Set<(e: AleEvent) => void>();
  private readonly diagListeners = new Set<(d: AleDiagnostic) => void>();
  private readonly waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private readonly backoff: Backoff;
  private info: ConnectionStateInfo = { state: 'connecting' };
  private fatal?: PbxError;
  private closed = false;
  private loopDone?: Promise<void>;
  private subscription?: { id?: string; url: string; generation: number; subscriptionsUrl: string };
  /** Channel opens counted, so a resync started for an old stream knows it is stale. */
  private streamSeq = 0;
  private streamOpen = false;
  /** Call references seen per user since the current stream opened (resync must not undo them). */
  private touched?: Map<string, Set<string>>;
  private stateSeq = 0;
  /** Event-channel opens in a row that failed at the network level (reset when a stream opens). */
  private unreachable = 0;
  private wake?: () => void;

  constructor(private readonly config: ConnectionConfig) {
    if (config.platform !== 'opentouch' && config.platform !== 'o2g') throw new PbxError('INVALID_INPUT', `Not an ALE platform: ${config.platform}`);
    if (!config.url || !config.login) throw new PbxError('INVALID_INPUT', 'An ALE connection needs a URL and a login');
    this.platform = config.platform;
    const extra = config.extra ?? {};
    this.http = new HttpClient(config.tls);
    this.session = new AleSession({
      url: config.url,
      secondaryUrl: config.secondaryUrl,
      login: config.login,
      password: config.password ?? '',
      urlKind: config.urlKind ?? 'private',
      timeoutMs: config.requestTimeoutMs ?? 10_000,
      applicationName: typeof extra.applicationName === 'string' ? extra.applicationName : 'pbxflow',
    }, this.http);
    this.rest = new AleRest(this.session, { timeoutMs: config.requestTimeoutMs ?? 10_000, defaultUser: config.sessionKind === 'admin' ? undefined : config.login });
    this.channel = new AleChannel(this.http);
    this.backoff = new Backoff({ initialMs: num(extra.backoffInitialMs, 500), maxMs: num(extra.backoffMaxMs, 30_000) });
    this.selves = new SelfParties(this.rest);
    // The user's own side shows their number and name once learned (the login until then).
    this.pipeline = new AlePipeline({
      platform: this.platform, defaultUser: config.login, includeRaw: false, callTtlMs: config.callTtlMs, pilotNames: pilotsOf(config),
      selfParty: (user) => this.selves.get(user),
    });
    // A session renewed elsewhere (a REST call got 403) or lost (keepalive refused) makes the channel stale.
    this.session.on('renewed', (gen: number) => {
      if (this.subscription && this.subscription.generation !== gen) this.channel.abort();
    });
    this.session.on('lost', (reason: string) => {
      this.diag({ kind: 'session', message: `session lost: ${reason}` });
      this.channel.abort();
    });
    this.loopDone = this.loop();
  }

  get state(): ConnectionState {
    return this.info.state;
  }

  /** Logins whose calls this connection follows. */
  get monitoredUsers(): string[] {
    return this.config.sessionKind === 'admin' ? [...(this.config.users ?? [])] : [this.config.login];
  }

  ready(): Promise<void> {
    if (this.info.state === 'connected') return Promise.resolve();
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new PbxError('CLOSED', 'The connection is closed'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  onEvent(listener: (event: PbxEvent) => void, options: EventSubscription = {}): () => void {
    const l: Listener = { fn: listener, includeRaw: options.includeRaw === true };
    this.listeners.add(l);
    this.updateRaw();
    return () => {
      this.listeners.delete(l);
      this.updateRaw();
    };
  }

  /** Source events are kept with live calls only while a consumer asked for them (they cost memory per call). */
  private updateRaw(): void {
    let wanted = false;
    for (const l of this.listeners) if (l.includeRaw) wanted = true;
    this.pipeline.tracker.includeRaw = wanted;
  }

  onState(listener: (state: ConnectionStateInfo) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Decoded ALE events as they arrive (routing operations wait on them). */
  onRawEvent(listener: (event: AleEvent) => void): () => void {
    this.rawListeners.add(listener);
    return () => this.rawListeners.delete(listener);
  }

  /** Skipped lines, failed resyncs, reconnect causes. */
  onDiagnostic(listener: (d: AleDiagnostic) => void): () => void {
    this.diagListeners.add(listener);
    return () => this.diagListeners.delete(listener);
  }

  onWarning(listener: (w: ConnectionWarning) => void): () => void {
    return this.onDiagnostic((d) => listener({ kind: d.kind, message: d.message }));
  }

  /** A monitored user's own number and name, once learned from the PBX. */
  selfParty(user: string): Party | undefined {
    return this.selves.get(user);
  }

  supports(operation: OperationName): boolean {
    return aleSupports(this.platform, operation);
  }

  async execute(operation: OperationName, input: Record<string, unknown>, options: OperationOptions = {}): Promise<unknown> {
    if (this.closed) throw new PbxError('CLOSED', 'The connection is closed');
    if (this.fatal) throw this.fatal;
    const valid = validateInput(operation, input);
    const user = options.user ?? (this.config.sessionKind === 'admin' ? this.config.users?.[0] : undefined) ?? this.config.login;
    const ctx = {
      platform: this.platform,
      user,
      rawEvents: (l: (e: AleEvent) => void) => this.onRawEvent(l),
      findCall: (callId: string, u: string) => this.pipeline.tracker.callsOf(u).find((c) => c.id === callId),
      // A slow PBX may confirm routing changes later than the 10 s default; an operator can say how long to wait.
      routingTimeoutMs: positive(this.config.extra?.routingTimeoutMs),
    };
    return runAleOperation(this.rest, operation, valid, ctx);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channel.abort();
    this.wake?.();
    await this.loopDone;
    const sub = this.subscription;
    this.subscription = undefined;
    if (sub?.id && this.session.valid) {
      await this.http.request(`${sub.subscriptionsUrl}/${encodeURIComponent(sub.id)}`, { method: 'DELETE', headers: this.session.authHeaders(), timeoutMs: 2000 }).catch(() => undefined);
    }
    await this.session.close();
    this.http.close();
    const err = new PbxError('CLOSED', 'The connection was closed');
    for (const w of this.waiters.splice(0)) w.reject(err);
    this.setState({ state: 'disconnected', reason: 'closed' });
    this.listeners.clear();
    this.stateListeners.clear();
    this.rawListeners.clear();
    this.diagListeners.clear();
  }

  // ---- life cycle -------------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    this.setState({ state: 'connecting' });
    const extra = this.config.extra ?? {};
    const idleTimeoutMs = num(extra.channelIdleTimeoutMs, 0);
    // Consecutive event-channel opens that fail at the network level before moving to the other server.
    const failoverAfter = Math.max(1, num(extra.failoverAfterChannelErrors, 2));
    while (!this.closed) {
      let delay = 0;
      try {
        if (!this.session.valid) {
          await this.session.ensure();
          this.stats.logins++;
        }
        if (!this.subscription || this.subscription.generation !== this.session.generation) await this.subscribe();
        const sub = this.subscription!;
        this.streamOpen = false;
        const stale = () => this.closed || !this.session.valid || this.subscription !== sub || sub.generation !== this.session.generation;
        const end = await this.channel.run(sub.url, { connectTimeoutMs: this.config.requestTimeoutMs ?? 10_000, idleTimeoutMs, headers: this.session.authHeaders() }, (lines) => this.onLines(lines), stale);
        this.touched = undefined;
        if (this.closed) break;
        if (end.kind === 'refused') {
          // The subscription or its session is gone: start over with a new session.
          this.diag({ kind: 'channel', message: `event channel refused (HTTP ${end.status}): logging in again` });
          this.session.invalidate(`event channel refused (HTTP ${end.status})`, sub.generation);
          this.setState({ state: 'reconnecting', reason: 'session lost', attempt: this.backoff.attempts + 1 });
          if (this.backoff.attempts > 0) delay = this.backoff.next();
          else this.backoff.next();
        } else if (end.kind === 'ended' && end.lines > 0) {
          // A normal end (channel timeout): reopen at once and quietly, the subscription keeps queued events.
        } else if (end.kind === 'aborted') {
          // The session changed under us: resubscribe at once.
          if (!this.session.valid || this.subscription?.generation !== this.session.generation) this.setState({ state: 'reconnecting', reason: 'session renewed' });
        } else {
          const reason = end.kind === 'error' ? end.error.message : 'channel ended before any event';
          this.diag({ kind: 'channel', message: reason, error: end.kind === 'error' ? end.error : undefined });
          // Only a channel that could not be opened at all counts towards fail-over: a stream that breaks
          // (lines > 0) or a server that answers is not a dead server.
          const unreachable = end.kind === 'error' && end.lines === 0 && (end.error.code === 'NETWORK' || end.error.code === 'TIMEOUT');
          this.unreachable = unreachable ? this.unreachable + 1 : 0;
          if (this.unreachable >= failoverAfter && this.session.failover(`event channel unreachable ${this.unreachable} times in a row: ${reason}`)) {
            // The server is gone: waiting for the keepalive to notice would take minutes. Log in on the other
            // server now; the loop resubscribes and the new stream resyncs the calls.
            this.unreachable = 0;
            this.diag({ kind: 'session', message: 'server unreachable: logging in on the other server' });
            this.setState({ state: 'reconnecting', reason: 'failing over to the other server', attempt: this.backoff.attempts + 1 });
          } else {
            delay = this.backoff.next();
            this.setState({ state: 'reconnecting', reason, attempt: this.backoff.attempts });
          }
        }
      } catch (err) {
        if (this.closed) break;
        const e = err instanceof PbxError ? err : new PbxError('NETWORK', (err as Error).message ?? String(err));
        if (e instanceof AuthError) {
          this.fatal = e;
          this.setState({ state: 'failed', reason: e.message });
          for (const w of this.waiters.splice(0)) w.reject(e);
          return;
        }
        // Until the first success, callers of ready() hear about the failure instead of waiting forever.
        for (const w of this.waiters.splice(0)) w.reject(e);
        delay = this.backoff.next();
        this.diag({ kind: 'session', message: e.message, error: e });
        this.setState({ state: 'reconnecting', reason: e.message, attempt: this.backoff.attempts });
      }
      if (delay > 0 && !this.closed) await this.sleep(delay);
    }
  }

  private async subscribe(): Promise<void> {
    const body = subscriptionRequest(this.platform, this.config, this.session.admin);
    const generation = this.session.generation;
    let res = await this.rest.request<Record<string, unknown>>('POST', '/subscriptions', { body });
    const lean = res?.status !== 'ACCEPTED' ? withoutOptionalPackages(body) : undefined;
    if (lean) {
      this.diag({ kind: 'session', message: 'subscription refused with the agent/pilot packages (no contact-center licence, or an unknown pilot?): subscribing without agent and queue events' });
      res = await this.rest.request<Record<string, unknown>>('POST', '/subscriptions', { body: lean });
    }
    if (!res || res.status !== 'ACCEPTED') {
      throw new PbxError('PBX', `Subscription refused${typeof res?.message === 'string' ? `: ${res.message}` : ''}`);
    }
    const pick = (a: unknown, b: unknown) => (typeof a === 'string' && a ? a : typeof b === 'string' && b ? b : undefined);
    const url = this.config.urlKind === 'public' ? pick(res.publicPollingUrl, res.privatePollingUrl) : pick(res.privatePollingUrl, res.publicPollingUrl);
    if (!url) throw new PbxError('PBX', 'Subscription accepted without a polling URL');
    this.subscription = { id: typeof res.subscriptionId === 'string' ? res.subscriptionId : undefined, url, generation, subscriptionsUrl: `${this.session.baseUrl}/subscriptions` };
  }

  // ---- events -----------------------------------------------------------------------------------------

  private onLines(lines: string[]): void {
    for (const line of lines) {
      this.stats.lines++;
      if (!this.streamOpen) {
        // The first line of a stream (`OnChannelInformation`) says the channel is established.
        this.streamOpen = true;
        this.onStreamOpen();
        if (line.includes('"OnChannelInformation"')) continue;
      }
      let e: AleEvent | undefined;
      try {
        e = decodeAleLine(line);
      } catch (err) {
        this.stats.decodeErrors++;
        const d = err instanceof DecodeError ? err : new DecodeError(String(err), line);
        this.diag({ kind: 'decode', message: `skipped a line that is not an ALE event: ${d.message}`, error: d });
        continue;
      }
      if (!e) continue;
      if (this.touched && e.callRef) {
        const u = e.loginName ?? this.config.login;
        let set = this.touched.get(u);
        if (!set) this.touched.set(u, (set = new Set()));
        set.add(e.callRef);
      }
      for (const l of this.rawListeners) safe(() => l(e!));
      this.deliver(this.pipeline.pushEvent(e));
    }
  }

  private onStreamOpen(): void {
    this.stats.channelsOpened++;
    this.backoff.reset();
    this.unreachable = 0;
    const seq = ++this.streamSeq;
    this.touched = new Map();
    // Once per session, in the background: events and the resync do not wait for it.
    this.selves.learn(this.monitoredUsers, this.session.generation);
    void this.resync(seq);
  }

  /** Fetches each monitored user's calls and reconciles the tracker with them. */
  private async resync(seq: number): Promise<void> {
    try {
      for (const user of this.monitoredUsers) {
        const res = await this.rest.request<{ calls?: unknown[] } | undefined>('GET', '/telephony/calls', { user });
        if (seq !== this.streamSeq || this.closed) return;
        const touched = this.touched?.get(user) ?? new Set<string>();
        const calls = (Array.isArray(res?.calls) ? res!.calls : []).filter((c) => !touched.has(String((c as { callRef?: unknown })?.callRef)));
        // Calls an event has spoken of since the channel opened are current already: keep them as they are.
        for (const c of this.pipeline.tracker.callsOf(user)) if (touched.has(c.id)) calls.push({ callRef: c.id });
        this.deliver(this.pipeline.pushEvent({ eventName: 'OnTelephonyState', loginName: user, state: { calls } }));
      }
      if (seq !== this.streamSeq || this.closed) return;
      this.stats.resyncs++;
      this.touched = undefined;
      this.setState({ state: 'connected' });
      for (const w of this.waiters.splice(0)) w.resolve();
    } catch (err) {
      if (this.closed) return;
      const e = err instanceof PbxError ? err : new PbxError('PBX', String(err));
      this.diag({ kind: 'resync', message: `resync failed: ${e.message}`, error: e });
      if (e instanceof AuthError) return;
      // Without a resync the view may be stale: reopen the channel, which resyncs again.
      if (seq === this.streamSeq) this.channel.abort();
    }
  }

  private deliver(events: PbxEvent[]): void {
    if (events.length === 0) return;
    this.stats.events += events.length;
    for (const ev of events) {
      for (const l of this.listeners) {
        if (l.includeRaw || ev.raw === undefined) safe(() => l.fn(ev));
        else {
          const { raw: _raw, ...rest } = ev;
          safe(() => l.fn(rest as PbxEvent));
        }
      }
    }
  }

  private setState(info: ConnectionStateInfo): void {
    const prev = this.info;
    if (prev.state === info.state && prev.reason === info.reason && prev.attempt === info.attempt) return;
    if (prev.state === info.state && info.state !== 'reconnecting') return;
    this.info = info;
    for (const l of this.stateListeners) safe(() => l(info));
    const ev: PbxEvent = {
      id: eventId([this.platform, this.config.login, 'connection.state', info.state, ++this.stateSeq, Date.now()]),
      type: 'connection.state',
      platform: this.platform,
      user: this.config.login,
      time: new Date().toISOString(),
      connection: info,
    };
    for (const l of this.listeners) safe(() => l.fn(ev));
  }

  private diag(d: AleDiagnostic): void {
    for (const l of this.diagListeners) safe(() => l(d));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      t.unref();
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

/** A listener that throws must not take the connection down. */
function safe(f: () => void): void {
  try {
    f();
  } catch {
    // deliberately ignored: consumer bugs are the consumer's
  }
}

export function createAleConnection(config: ConnectionConfig): PbxConnection {
  return new AleConnection(config);
}
