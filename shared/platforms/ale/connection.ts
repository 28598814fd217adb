/**
 * One ALE connection (OpenTouch or O2G) per credential: session, subscription, event channel, resync, and the
 * operations, on the shared BaseConnection (state, `ready()` deadline, the one back-off, warnings, alive handle).
 * Until something needs events (an `onEvent` / `onRawEvent` listener, an OpenTouch routing change) the connection
 * is a session only, opened on demand by the operations: no subscription, no channel, no resync. Then a single
 * loop owns the life cycle, so recovery paths cannot race each other:
 *
 *   log in -> subscribe -> open channel -> (first line) resync -> connected
 *     channel ends after a healthy stream -> reopen at once (same subscription; the server kept queued events)
 *     channel ends early, breaks, stays silent (idle watchdog), resync fails
 *                                 -> reconnecting, back-off (`retryDelay`), reopen
 *     channel refused / 403       -> the session is gone: back-off, log in again (the old session DELETEd first)
 *     channel unreachable 2x      -> the server is gone: log in on the other server (HA), resubscribe, resync
 *     wrong password              -> failed, stop (no retry storm)
 *
 * The back-off starts again from its first step only once a stream has proven healthy: resynced and up for
 * `healthyAfterMs` (10 s). Every (re)open is followed by a resync: the current calls of each monitored user are
 * fetched and reconciled with the tracker (calls that vanished end with `endedDuringOutage`). The state stays
 * `reconnecting` until that resync succeeds.
 */
import { ActingUserError, AuthError, InputError, PbxApiError, PbxError } from '../../errors';
import { BaseConnection, safe } from '../../connection/base';
import { ConcurrencyLimit, concurrencyOf, mapLimit } from '../../connection/concurrency';
import { guardLine } from '../../connection/line-guard';
import type { ConnectionConfig, EventSubscription, OperationOptions, PbxConnection } from '../../connection/types';
import type { Party, PbxEvent, Platform } from '../../model/events';
import { operationSpec, type OperationName } from '../../operations/catalogue';
import { validateInput } from '../../operations/validate';
import { AleChannel } from './channel';
import { decodeAleLine, type AleEvent } from './decoder';
import { HttpClient } from './http';
import { aleSupports, runAleOperation } from './operations';
import { AlePipeline } from './pipeline';
import { AleRest } from './rest';
import { SelfParties } from './self-party';
import { AleSession } from './session';
import { servicePath } from './services';
import { normalizeCallList } from './call-list';
import { CallStarts } from './call-starts';
import { pilotsOf, subscriptionRequest, systemWarning, withoutOptionalPackages } from './subscription';
import { idsPerSelector, splitSelectors } from './selector-split';

export type AlePlatformName = 'opentouch' | 'o2g';

/**
 * Operations that do not act for one user (the directory is the company's): an administrator connection runs them
 * as its own login. Every other operation needs the user it acts for.
 */
const NO_ACTING_USER = new Set<OperationName>(['searchDirectory', 'getUser']);

/** Routing changes OpenTouch confirms or refuses by event only. */
const ROUTING_CHANGES = new Set<OperationName>(['setForward', 'cancelForward', 'setOverflow', 'cancelOverflow']);

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

const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : d);
/** A positive finite number, or undefined (the callee's default then applies). */
const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

/**
 * Silence on the event channel this long means a dead link (default). OpenTouch servers are asked for a keepalive
 * line every minute (see subscription.ts), so a healthy quiet channel never trips it; a half-open one is noticed
 * within this time instead of at the next session keepalive (minutes).
 */
export const DEFAULT_CHANNEL_IDLE_MS = 70_000;

export class AleConnection extends BaseConnection {
  declare readonly platform: AlePlatformName;
  readonly rest: AleRest;
  readonly pipeline: AlePipeline;
  readonly stats: AleStats = { lines: 0, events: 0, decodeErrors: 0, channelsOpened: 0, logins: 0, resyncs: 0 };
  // Private (#) so that neither `util.inspect` nor JSON shows the password.
  readonly #config: ConnectionConfig;
  private readonly session: AleSession;
  private readonly http: HttpClient;
  private readonly channel: AleChannel;
  private readonly selves: SelfParties;
  private readonly rawListeners = new Set<(e: AleEvent) => void>();
  private readonly diagListeners = new Set<(d: AleDiagnostic) => void>();
  /**
   * Per-user requests in flight (`extra.resyncConcurrency`, default 16): the resync, which gates `connected`, goes
   * before the background user look-ups.
   */
  private readonly perUser: ConcurrencyLimit;
  private loopDone?: Promise<void>;
  private subscription?: { id?: string; url: string; generation: number; subscriptionsUrl: string };
  /** Channel opens counted, so a resync started for an old stream knows it is stale. */
  private streamSeq = 0;
  /** The current channel has delivered its first line and not ended. */
  private streamOpen = false;
  /** O2G serves `GET /telephony/state` (calls plus user and device states): undefined until tried. */
  private stateResync?: boolean;
  /** The resync of the current stream failed: the loop backs off before reopening. */
  private resyncFailed = false;
  /** Call references seen per user since the current stream opened (resync must not undo them). */
  private touched?: Map<string, Set<string>>;
  /** Event-channel opens in a row that failed at the network level (reset when a stream opens). */
  private unreachable = 0;
  /**
   * Something needs events (an `onEvent` or `onRawEvent` listener, an OpenTouch routing change): until then the
   * connection is a session only, no subscription and no event channel (an n8n action needs no more).
   */
  private eventsWanted = false;
  /** A stream has been resynced since events were wanted (`connected` then means subscribed, not only logged in). */
  private streamResynced = false;
  private wakeForEvents?: () => void;
  /** When calls this connection did not follow by events began (Make Call, List Calls). */
  private readonly starts = new CallStarts();

  constructor(config: ConnectionConfig) {
    if (config.platform !== 'opentouch' && config.platform !== 'o2g') throw new PbxError('INVALID_INPUT', `Not an ALE platform: ${config.platform}`);
    if (!config.url || !config.login) throw new PbxError('INVALID_INPUT', 'An ALE connection needs a URL and a login');
    const extra = config.extra ?? {};
    super({ platform: config.platform, user: config.login, backoff: { initialMs: num(extra.backoffInitialMs, 500), maxMs: num(extra.backoffMaxMs, 30_000) }, healthyAfterMs: positive(extra.healthyAfterMs) });
    this.#config = config;
    const password = config.password ?? '';
    // The password in every form, and the Basic value `login:password` a server may echo from its headers.
    this.secrets.addPassword(password, config.login);
    this.http = new HttpClient(config.tls, this.secrets);
    this.session = new AleSession({
      url: config.url,
      secondaryUrl: config.secondaryUrl,
      login: config.login,
      password,
      urlKind: config.urlKind ?? 'private',
      timeoutMs: config.requestTimeoutMs ?? 10_000,
      applicationName: typeof extra.applicationName === 'string' ? extra.applicationName : 'pbxflow',
      // Known before the session opens, so an error of the session open that echoes it is scrubbed too.
      onToken: (token) => this.secrets.addSessionCookie(token),
    }, this.http);
    this.rest = new AleRest(this.session, { timeoutMs: config.requestTimeoutMs ?? 10_000, defaultUser: config.sessionKind === 'admin' ? undefined : config.login });
    this.channel = new AleChannel(this.http);
    this.perUser = new ConcurrencyLimit(concurrencyOf(extra.resyncConcurrency));
    const rest = this.rest;
    this.selves = new SelfParties({ session: rest.session, request: (m, path, o) => this.perUser.run(() => rest.request(m, path, o), 'background') });
    // The user's own side shows their number and name once learned (the login until then).
    this.pipeline = new AlePipeline({
      platform: config.platform, defaultUser: config.login, includeRaw: false, callTtlMs: config.callTtlMs, pilotNames: pilotsOf(config),
      selfParty: (user) => this.selves.get(user),
      onWarning: (message) => this.diag({ kind: 'decode', message }),
    });
    // A session renewed elsewhere (a REST call got 403) or lost (keepalive refused) makes the channel stale.
    this.session.on('renewed', (gen: number) => {
      this.secrets.addSessionCookie(this.session.secretToken);
      if (this.subscription && this.subscription.generation !== gen) this.channel.abort();
      // A session only: logged in is all it needs to be `connected` (with events, the first resync decides).
      if (!this.eventsWanted && !this.closed) this.connected();
    });
    this.session.on('lost', (reason: string) => {
      this.diag({ kind: 'session', message: `session lost: ${reason}` });
      this.channel.abort();
      // With events the loop reports its recovery; a session only logs in again at the next ready() or operation.
      if (!this.eventsWanted && !this.closed) this.setState({ state: 'reconnecting', reason: `session lost: ${reason}` });
    });
    // Calls with no news end on the local clock, even when no event arrives.
    this.watchExpiry(() => this.pipeline.tracker.sweep(), Math.min(60_000, Math.max(1000, config.callTtlMs ?? 60_000)));
    this.loopDone = this.loop();
  }

  /** Logins whose calls this connection follows. */
  get monitoredUsers(): string[] {
    const c = this.#config;
    return c.sessionKind === 'admin' ? [...(c.users ?? [])] : [c.login];
  }

  /** Source events are kept with live calls only while a consumer asked for them (they cost memory per call). */
  protected override rawWanted(wanted: boolean): void {
    this.pipeline.tracker.includeRaw = wanted;
  }

  /** Decoded ALE events as they arrive (routing operations wait on them). Starts the event stream. */
  onRawEvent(listener: (event: AleEvent) => void): () => void {
    this.wantEvents();
    return this.addRawListener(listener);
  }

  /** Normalized events; the first listener starts the subscription and the event channel. */
  override onEvent(listener: (event: PbxEvent) => void, options?: EventSubscription): () => void {
    const off = super.onEvent(listener, options);
    this.wantEvents();
    return off;
  }

  /**
   * With event listeners: subscribed and resynced. Without any: logged in (state `connected`), since that is all an
   * operation needs; the session is opened here when there is none (a wrong password still fails for good).
   */
  override ready(timeoutMs?: number): Promise<void> {
    if (!this.eventsWanted && !this.closed && !this.fatal) {
      // Success reports `connected` through the `renewed` handler; a failure reaches the waiters.
      this.session.ensure().catch((err: unknown) => {
        const e = this.sessionFailure(err);
        if (!this.fatal) this.rejectWaiters(e);
      });
    }
    return super.ready(timeoutMs);
  }

  /** A session-only `connected` does not mean subscribed: once events are wanted, ready() waits for the first resync. */
  protected override isReady(): boolean {
    return super.isReady() && (!this.eventsWanted || this.streamResynced);
  }

  /** Whether the subscription and event channel have been asked for. */
  get eventsStarted(): boolean {
    return this.eventsWanted;
  }

  private wantEvents(): void {
    if (this.eventsWanted || this.closed) return;
    this.working();
    this.eventsWanted = true;
    this.wakeForEvents?.();
  }

  private addRawListener(listener: (event: AleEvent) => void): () => void {
    this.rawListeners.add(listener);
    return () => this.rawListeners.delete(listener);
  }

  /** A login failure seen outside the loop: a wrong password stops the connection for good, as in the loop. */
  private sessionFailure(err: unknown): PbxError {
    const e = this.scrubError(err);
    if (e instanceof AuthError && !this.fatal) this.fail(e);
    return e;
  }

  /** Skipped lines, failed resyncs, reconnect causes, every one (`onWarning` gets them rate-limited). */
  onDiagnostic(listener: (d: AleDiagnostic) => void): () => void {
    this.diagListeners.add(listener);
    return () => this.diagListeners.delete(listener);
  }

  /** A monitored user's own number and name, once learned from the PBX. */
  selfParty(user: string): Party | undefined {
    return this.selves.get(user);
  }

  /** O2G or OpenTouch, as the session's `serverInfo.productType` says (O2G: `O2G`; OpenTouch: `OTMS`, `OTBE`...). */
  serverKind(): Platform | undefined {
    const t = this.session.productType?.toUpperCase();
    if (!t) return undefined;
    return t.startsWith('O2G') ? 'o2g' : t.startsWith('OT') ? 'opentouch' : undefined;
  }

  supports(operation: OperationName): boolean {
    return aleSupports(this.platform, operation);
  }

  /**
   * Runs an operation as soon as there is a session (the event stream is not needed). Each REST request has its
   * deadline: an unreachable PBX gives a NETWORK or TIMEOUT error, never a wait without end.
   */
  async execute(operation: OperationName, input: Record<string, unknown>, options: OperationOptions = {}): Promise<unknown> {
    if (this.closed) throw new PbxError('CLOSED', 'The connection is closed');
    if (this.fatal) throw this.fatal;
    const c = this.#config;
    const valid = validateInput(operation, input);
    const user = this.actingUser(operation, options.user);
    this.working();
    // OpenTouch refuses a routing change by event only (a read-back would end in TIMEOUT): it needs the stream.
    // Any other operation waits on events only when the stream is there anyway, and reads the state back otherwise.
    if (this.platform === 'opentouch' && ROUTING_CHANGES.has(operation) && !this.eventsWanted) {
      this.wantEvents();
      await super.ready((c.requestTimeoutMs ?? 10_000) * 3).catch(() => undefined);
    }
    const ctx = {
      platform: this.platform,
      user,
      rawEvents: this.eventsWanted ? (l: (e: AleEvent) => void) => this.addRawListener(l) : undefined,
      findCall: (callId: string, u: string) => this.pipeline.tracker.callsOf(u).find((x) => x.id === callId),
      // A slow PBX may confirm routing changes later than the 10 s default; an operator can say how long to wait.
      routingTimeoutMs: positive(c.extra?.routingTimeoutMs),
      // A service the session does not announce (a fixed path is used): services.ts.
      warn: (message: string) => this.diag({ kind: 'session', message }),
      normalizeCalls: async (u: string, calls: unknown[]) => {
        const listedAt = Date.now();
        // The user's own side names their number, as in events (one profile read per session).
        await this.selves.ensure(u, this.session.generation);
        const live = new Map(this.pipeline.tracker.callsOf(u).map((x) => [x.id, x]));
        const ids = calls.map((x) => (x as { callRef?: unknown } | null)?.callRef).filter((x): x is string => typeof x === 'string' && !live.has(x));
        // With a resynced event stream the tracker knows every call that predates it: one it does not know yet is
        // new. A session only cannot tell, so such a call may predate the connection.
        this.starts.listed(u, ids, listedAt, !(this.eventsWanted && this.streamResynced));
        return normalizeCallList(u, calls, {
          platform: this.platform,
          live: (id) => live.get(id),
          selfParty: (login) => this.selves.get(login),
          started: (id) => this.starts.get(u, id),
        });
      },
      placed: (u: string, callId: string, at: number) => this.starts.placed(u, callId, at),
      raw: options.raw === true,
    };
    try {
      return await runAleOperation(this.rest, operation, valid, ctx);
    } catch (err) {
      // A wrong password met by an operation stops the connection as one met by the loop does (no retry storm).
      if (err instanceof AuthError) throw this.sessionFailure(err);
      throw this.scrubError(err);
    }
  }

  /**
   * Who an operation acts for: the one asked for; a user connection's own login; an administrator connection's own
   * login when it monitors itself ("empty for the credential's own login") or for the directory. Never an arbitrary
   * monitored user: otherwise the caller must say which (ActingUserError lists them).
   */
  private actingUser(operation: OperationName, asked: unknown): string {
    if (asked !== undefined && asked !== null && asked !== '') {
      if (typeof asked !== 'string' || asked.length > 256) throw new InputError(operation, 'user', `${operationSpec(operation)?.displayName ?? operation}: the user to act for must be a login (text)`);
      return asked;
    }
    const c = this.#config;
    if (c.sessionKind !== 'admin' || NO_ACTING_USER.has(operation)) return c.login;
    const users = this.monitoredUsers;
    if (users.includes(c.login)) return c.login;
    throw new ActingUserError(operation, operationSpec(operation)?.displayName ?? operation, users);
  }

  protected async shutdown(): Promise<void> {
    this.wakeForEvents?.();
    this.channel.abort();
    await this.loopDone;
    const sub = this.subscription;
    this.subscription = undefined;
    if (sub?.id && this.session.valid) {
      await this.http.request(`${sub.subscriptionsUrl}/${encodeURIComponent(sub.id)}`, { method: 'DELETE', headers: this.session.authHeaders(), timeoutMs: 2000 }).catch(() => undefined);
    }
    await this.session.close();
    this.http.close();
    this.rawListeners.clear();
    this.diagListeners.clear();
  }

  // ---- life cycle -------------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    const extra = this.#config.extra ?? {};
    const idleTimeoutMs = num(extra.channelIdleTimeoutMs, DEFAULT_CHANNEL_IDLE_MS);
    // Consecutive event-channel opens that fail at the network level before moving to the other server.
    const failoverAfter = Math.max(1, num(extra.failoverAfterChannelErrors, 2));
    while (!this.closed) {
      if (!this.eventsWanted) {
        // A session only, opened on demand by the operations: wait until something needs events.
        await new Promise<void>((resolve) => (this.wakeForEvents = resolve));
        this.wakeForEvents = undefined;
        continue;
      }
      let delay = 0;
      try {
        if (!this.session.valid) {
          await this.session.ensure();
          this.stats.logins++;
        }
        if (!this.subscription || this.subscription.generation !== this.session.generation) await this.subscribe();
        const sub = this.subscription!;
        this.streamOpen = false;
        this.resyncFailed = false;
        const stale = () => this.closed || !this.session.valid || this.subscription !== sub || sub.generation !== this.session.generation;
        const end = await this.channel.run(sub.url, { connectTimeoutMs: this.#config.requestTimeoutMs ?? 10_000, idleTimeoutMs, headers: this.session.authHeaders() }, (lines) => this.onLines(lines), stale);
        const healthy = this.streamOpen && this.streamHealthy;
        this.streamOpen = false;
        this.touched = undefined;
        if (this.closed) break;
        if (end.kind === 'refused') {
          // The subscription or its session is gone: start over with a new session, after the back-off.
          this.diag({ kind: 'channel', message: `event channel refused (HTTP ${end.status}): logging in again` });
          this.session.invalidate(`event channel refused (HTTP ${end.status})`, sub.generation);
          delay = this.retryDelay();
          this.setState({ state: 'reconnecting', reason: 'session lost', attempt: this.backoff.attempts });
        } else if (end.kind === 'ended' && end.lines > 0 && healthy) {
          // A normal end (channel timeout) of a stream that worked: reopen at once and quietly, the subscription
          // keeps queued events.
          this.backoff.reset();
        } else if (end.kind === 'aborted' && !this.resyncFailed) {
          // The session changed under us: resubscribe at once (the login that replaced it was paced already).
          if (!this.session.valid || this.subscription?.generation !== this.session.generation) this.setState({ state: 'reconnecting', reason: 'session renewed' });
        } else {
          const reason = this.resyncFailed ? 'resync failed' : end.kind === 'error' ? end.error.message : end.kind === 'ended' && end.lines > 0 ? 'event channel ended early' : 'channel ended before any event';
          if (!this.resyncFailed) this.diag({ kind: 'channel', message: reason, error: end.kind === 'error' ? end.error : undefined });
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
            delay = this.retryDelay();
            this.setState({ state: 'reconnecting', reason, attempt: this.backoff.attempts });
          }
        }
      } catch (err) {
        if (this.closed) break;
        const e = this.scrubError(err instanceof PbxError ? err : new PbxError('NETWORK', (err as Error)?.message ?? String(err)));
        if (e instanceof AuthError) {
          this.fail(e);
          return;
        }
        // Callers of ready() hear about the failure instead of waiting (the loop goes on trying).
        this.rejectWaiters(e);
        delay = this.retryDelay();
        this.diag({ kind: 'session', message: e.message, error: e });
        this.setState({ state: 'reconnecting', reason: e.message, attempt: this.backoff.attempts });
      }
      if (delay > 0 && !this.closed) await this.sleep(delay);
    }
  }

  private async subscribe(): Promise<void> {
    // Selectors split in slices when a server limits their size (extra.subscriptionIdsPerSelector; default none).
    const body = splitSelectors(subscriptionRequest(this.platform, this.#config, this.session.admin), idsPerSelector(this.#config.extra));
    const generation = this.session.generation;
    // The `subscriptions` service URL as the session announces it (services.ts; `/subscriptions` when it does not).
    const subs = servicePath('subscriptions', { platform: 'opentouch', services: this.session.services });
    let res = await this.rest.request<Record<string, unknown>>('POST', subs, { body });
    const lean = res?.status !== 'ACCEPTED' ? withoutOptionalPackages(body) : undefined;
    if (lean) {
      this.diag({ kind: 'session', message: 'subscription refused with the agent/pilot packages (no contact-center licence, or an unknown pilot?): subscribing without agent and queue events' });
      res = await this.rest.request<Record<string, unknown>>('POST', subs, { body: lean });
    }
    if (!res || res.status !== 'ACCEPTED') {
      throw new PbxError('PBX', `Subscription refused${typeof res?.message === 'string' ? `: ${res.message.slice(0, 300)}` : ''}`);
    }
    const pick = (a: unknown, b: unknown) => (typeof a === 'string' && a ? a : typeof b === 'string' && b ? b : undefined);
    const url = this.#config.urlKind === 'public' ? pick(res.publicPollingUrl, res.privatePollingUrl) : pick(res.privatePollingUrl, res.publicPollingUrl);
    if (!url) throw new PbxError('PBX', 'Subscription accepted without a polling URL');
    this.subscription = { id: typeof res.subscriptionId === 'string' ? res.subscriptionId : undefined, url, generation, subscriptionsUrl: `${this.session.baseUrl}${subs}` };
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
      // Whatever one line does in decode -> normalize -> tracker costs that line only: one warning, and the next
      // line goes on on the same stream.
      const r = guardLine(line, () => {
        const e = decodeAleLine(line);
        if (!e) return undefined;
        if (this.touched && e.callRef) {
          const u = e.loginName ?? this.#config.login;
          let set = this.touched.get(u);
          if (!set) this.touched.set(u, (set = new Set()));
          set.add(e.callRef);
        }
        for (const l of this.rawListeners) safe(() => l(e));
        // CTI / PBX link down (O2G `system` package): a warning an admin must see (issue 11).
        const linkWarning = systemWarning(e);
        if (linkWarning) this.diag({ kind: 'channel', message: linkWarning });
        return this.pipeline.pushEvent(e);
      });
      if (!r.ok) {
        this.stats.decodeErrors++;
        this.diag({ kind: 'decode', message: `skipped a line that is not an ALE event: ${r.error.message}${r.error.excerpt ? ` (line: ${r.error.excerpt})` : ''}`, error: r.error });
      } else if (r.value) this.emit(r.value);
    }
  }

  private onStreamOpen(): void {
    this.stats.channelsOpened++;
    this.unreachable = 0;
    const seq = ++this.streamSeq;
    this.touched = new Map();
    // Once per session, in the background: events and the resync do not wait for it.
    this.selves.learn(this.monitoredUsers, this.session.generation);
    void this.resync(seq);
  }

  /**
   * O2G's `GET /telephony/state` (SDK telephony service, getState) gives calls plus the user and device states, so
   * a resync restores those too; OpenTouch, and a gateway that does not serve it (404), give calls only.
   */
  private async fetchTelephonyState(user: string): Promise<{ calls?: unknown[]; userState?: unknown; deviceStates?: unknown } | undefined> {
    type State = { calls?: unknown[]; userState?: unknown; deviceStates?: unknown } | undefined;
    if (this.platform === 'o2g' && this.stateResync !== false) {
      try {
        const res = await this.rest.request<State>('GET', `${this.telephonyPath()}/state`, { user });
        this.stateResync = true;
        return res;
      } catch (err) {
        if (!(err instanceof PbxApiError && err.status === 404) || this.stateResync === true) throw err;
        this.stateResync = false;
      }
    }
    return this.rest.request<State>('GET', `${this.telephonyPath()}/calls`, { user });
  }

  /** The telephony service's URL as the session announces it (services.ts), relative to the base URL. */
  private telephonyPath(): string {
    return servicePath('telephony', { platform: this.platform, services: this.session.services, warn: (message) => this.diag({ kind: 'session', message }) });
  }

  /** Fetches each monitored user's calls and reconciles the tracker with them. */
  private async resync(seq: number): Promise<void> {
    const current = () => seq === this.streamSeq && this.streamOpen && !this.closed;
    try {
      // A few users at a time (not one by one, not all at once): 2 000 users at 20 ms an answer take 2.5 s.
      await mapLimit(this.monitoredUsers, this.perUser, async (user) => {
        const res = await this.fetchTelephonyState(user);
        if (!current()) return;
        const touched = this.touched?.get(user) ?? new Set<string>();
        const listed = res?.calls === undefined || res?.calls === null ? [] : res.calls;
        const entries: unknown[] = Array.isArray(listed) ? listed : [listed];
        const readable = entries.filter((c) => typeof (c as { callRef?: unknown } | null)?.callRef === 'string');
        // Only a readable list is evidence that a call it lacks has ended: an unreadable entry might be that call.
        const trustworthy = readable.length === entries.length;
        if (!trustworthy) this.diag({ kind: 'resync', message: `resync of ${user}: ${entries.length - readable.length} unreadable call entries; no call ended on its word` });
        const calls = readable.filter((c) => !touched.has((c as { callRef: string }).callRef));
        // Calls an event has spoken of since the channel opened are current already: keep them as they are (and all
        // live calls when the list cannot be read whole).
        const inList = new Set(calls.map((c) => (c as { callRef: string }).callRef));
        for (const c of this.pipeline.tracker.callsOf(user)) if ((touched.has(c.id) || !trustworthy) && !inList.has(c.id)) calls.push({ callRef: c.id });
        const state = { calls, userState: res?.userState, deviceStates: res?.deviceStates };
        const r = guardLine('resync', () => this.pipeline.pushEvent({ eventName: 'OnTelephonyState', loginName: user, state }));
        if (r.ok) this.emit(r.value);
        else this.diag({ kind: 'resync', message: `resync of ${user}: ${r.error.message}`, error: r.error });
      }, () => !current());
      if (!current()) return;
      this.stats.resyncs++;
      this.touched = undefined;
      // Only now is the stream known to work: the healthy clock of the back-off starts here.
      this.streamUp();
      this.streamResynced = true;
      // From a session-only `connected` the state stays as it is (no flap); waiting ready() callers go on.
      this.connected();
    } catch (err) {
      if (this.closed) return;
      const e = this.scrubError(err instanceof PbxError ? err : new PbxError('PBX', String(err)));
      this.diag({ kind: 'resync', message: `resync failed: ${e.message}`, error: e });
      if (!current()) return;
      // Without a resync the view may be stale: reopen the channel (after the back-off), which resyncs again.
      this.resyncFailed = true;
      this.channel.abort();
    }
  }

  private emit(events: PbxEvent[]): void {
    if (events.length === 0) return;
    this.stats.events += events.length;
    this.deliver(events);
  }

  /** Every diagnostic goes to `onDiagnostic` listeners, and rate-limited to `onWarning` ones; both scrubbed. */
  private diag(d: AleDiagnostic): void {
    const message = this.scrub(d.message);
    const out: AleDiagnostic = { kind: d.kind, message };
    if (d.error) out.error = this.scrubError(d.error);
    for (const l of this.diagListeners) safe(() => l(out));
    this.warn({ kind: d.kind, message });
  }
}

export function createAleConnection(config: ConnectionConfig): PbxConnection {
  return new AleConnection(config);
}
