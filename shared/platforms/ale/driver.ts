/**
 * The ALE driver (OpenTouch, O2G): the protocol steps for the supervisor, nothing of the life cycle.
 *
 *   login      the session (session.ts: discovery, authentication, session open, its keepalive); the supervisor's
 *              fail-over position moves the session to the other server of an HA pair
 *   subscribe  `POST subscriptions` (subscription.ts), once per session: a reopened channel keeps its subscription
 *   openStream the chunked event channel (channel.ts) into the sink, with its idle watchdog. Ends: refused -> the
 *              session is gone (`relogin`); opens that fail at the network level `failoverAfterChannelErrors` times
 *              in a row with a standby server -> `failover`; a session renewed or lost under it -> `ended`; an early
 *              end, a break or silence -> `lost` (same session, after the back-off)
 *   resync     each monitored user's calls (O2G: `telephony/state`), reconciled with the tracker; required: a failed
 *              one reopens the channel (which resyncs again)
 *   execute    operations/* with the acting user's context
 *   shutdown   the subscription and the session deleted
 */
import type { LoginContext, OperationContext, PlatformDriver, StreamEnd, StreamSink } from '../../connection/driver';
import { safe } from '../../connection/base';
import { ConcurrencyLimit, concurrencyOf, mapLimit } from '../../connection/concurrency';
import type { Scrubber } from '../../connection/http';
import { guardLine } from '../../connection/line-guard';
import type { ConnectionConfig } from '../../connection/types';
import { PbxApiError, PbxError } from '../../errors';
import type { PbxEvent } from '../../model/events';
import { operationSpec, type OperationName } from '../../operations/catalogue';
import { normalizeCallList } from './call-list';
import { CallStarts } from './call-starts';
import { AleChannel } from './channel';
import type { AleEvent } from './decoder';
import { HttpClient } from './http';
import { aleSupports, runAleOperation, type AlePlatform } from './operations';
import { AlePipeline, type AleInput } from './pipeline';
import { AleRest } from './rest';
import { idsPerSelector, splitSelectors } from './selector-split';
import { SelfParties } from './self-party';
import { servicePath } from './services';
import { AleSession } from './session';
import { checkedConfig, type AleSettings } from './settings';
import { pilotsOf, subscriptionRequest, systemWarning, withoutOptionalPackages } from './subscription';

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

/**
 * Silence on the event channel this long means a dead link (default). OpenTouch servers are asked for a keepalive
 * line every minute (see subscription.ts), so a healthy quiet channel never trips it; a half-open one is noticed
 * within this time instead of at the next session keepalive (minutes).
 */
export const DEFAULT_CHANNEL_IDLE_MS = 70_000;


/** What the supervisor holds: the session generation it logged in with (a newer one makes it stale). */
export interface AleLink {
  generation: number;
}

/** What the driver asks of its connection (which exists once the driver does). */
export interface AleHooks {
  /** Every diagnostic: to `onDiagnostic` listeners, and rate-limited to `onWarning` ones (both scrubbed). */
  diag(d: AleDiagnostic): void;
  /** The connection's scrubber (HTTP errors are cleaned with it). */
  scrubber: Scrubber;
  /** A session token, known as soon as the server gives it (to scrub it from every later message). */
  token(value: string): void;
}

/** What the connection says of events for the operations' context. */
export interface AleEventsState {
  /** Something needs events (the stream is asked for). */
  wanted: boolean;
  /** A stream has been resynced since (the tracker knows every call that predates it). */
  resynced: boolean;
}

export class AleDriver implements PlatformDriver<AleLink> {
  readonly stats: AleStats = { lines: 0, events: 0, decodeErrors: 0, channelsOpened: 0, logins: 0, resyncs: 0 };
  /** Without a resync the view may be stale: reopen the channel (after the back-off), which resyncs again. */
  readonly resyncRequired = 'reopen' as const;
  readonly http: HttpClient;
  readonly session: AleSession;
  readonly rest: AleRest;
  readonly pipeline: AlePipeline;
  readonly selves: SelfParties;
  readonly events: AleEventsState = { wanted: false, resynced: false };
  private readonly platform: AlePlatform;
  private readonly channel: AleChannel;
  private readonly rawListeners = new Set<(e: AleEvent) => void>();
  /** Per-user requests in flight: the resync, which gates `connected`, goes before the background user look-ups. */
  private readonly perUser: ConcurrencyLimit;
  private readonly starts = new CallStarts();
  private readonly idleTimeoutMs: number;
  private readonly failoverAfter: number;
  private subscription?: { id?: string; url: string; generation: number; subscriptionsUrl: string };
  /** Channel opens counted, so a resync started for an old stream knows it is stale. */
  private streamSeq = 0;
  /** The current channel has delivered its first line and not ended. */
  private streamOpen = false;
  private sink?: StreamSink;
  /** Call references seen per user since the current stream opened (resync must not undo them). */
  private touched?: Map<string, Set<string>>;
  /** Event-channel opens in a row that failed at the network level (reset when a stream opens). */
  private unreachable = 0;
  /** O2G serves `GET /telephony/state` (calls plus user and device states): undefined until tried. */
  private stateResync?: boolean;
  /** The supervisor's fail-over position this session's server was chosen for. */
  private server = 0;
  private shut = false;

  /** The checked settings in the shape the subscription code reads (settings.ts `checkedConfig`). */
  private readonly config: ConnectionConfig;

  /** `s`: settings already checked against the ALE schema (settings.ts `aleSettings`). */
  constructor(platform: AlePlatform, private readonly s: AleSettings, readonly monitoredUsers: readonly string[], private readonly hooks: AleHooks) {
    this.platform = platform;
    this.config = checkedConfig(platform, s);
    this.idleTimeoutMs = s.channelIdleTimeoutMs ?? DEFAULT_CHANNEL_IDLE_MS;
    this.failoverAfter = s.failoverAfterChannelErrors;
    this.http = new HttpClient(this.config.tls, hooks.scrubber);
    this.session = new AleSession({
      url: s.url,
      secondaryUrl: s.secondaryUrl,
      login: s.login,
      password: s.password,
      urlKind: s.urlKind === 'private' ? 'private' : 'public',
      timeoutMs: s.requestTimeoutMs,
      applicationName: s.applicationName,
      // Known before the session opens, so an error of the session open that echoes it is scrubbed too.
      onToken: (token) => hooks.token(token),
    }, this.http);
    this.rest = new AleRest(this.session, { timeoutMs: s.requestTimeoutMs, defaultUser: s.sessionKind === 'admin' ? undefined : s.login });
    this.channel = new AleChannel(this.http);
    this.perUser = new ConcurrencyLimit(concurrencyOf(s.resyncConcurrency));
    const rest = this.rest;
    this.selves = new SelfParties({ session: rest.session, request: (m, path, o) => this.perUser.run(() => rest.request(m, path, o), 'background') });
    // The user's own side shows their number and name once learned (the login until then).
    this.pipeline = new AlePipeline({
      platform: this.platform, defaultUser: s.login, includeRaw: false, callTtlMs: s.callTtlMs, pilotNames: pilotsOf(this.config),
      selfParty: (user) => this.selves.get(user),
      onWarning: (message) => hooks.diag({ kind: 'decode', message }),
    });
    this.session.on('renewed', () => {
      const t = this.session.secretToken;
      if (t) hooks.token(t);
    });
    this.session.on('lost', (reason: string) => hooks.diag({ kind: 'session', message: `session lost: ${reason}` }));
  }

  // ---- the protocol steps ---------------------------------------------------------------------------------

  async login(ctx: LoginContext): Promise<AleLink> {
    if (ctx.server !== this.server) {
      // The supervisor failed over: the next login starts at the other server of the pair. The old server looks
      // dead, so its session is dropped without telling it (that would only wait for a timeout).
      this.server = ctx.server;
      this.session.failover('failing over to the other server');
    }
    if (!this.session.valid) {
      await this.session.ensure();
      this.stats.logins++;
    }
    return { generation: this.session.generation };
  }

  sessionUsable(link: AleLink): boolean {
    return this.session.valid && this.session.generation === link.generation;
  }

  /** A session only: it ends when the server drops it; a renewal elsewhere (a REST call got 403) carries on. */
  holdSession(link: AleLink, signal: AbortSignal): Promise<StreamEnd> {
    return new Promise<StreamEnd>((resolve) => {
      const done = (end: StreamEnd) => {
        this.session.off('lost', onLost);
        this.session.off('renewed', onRenewed);
        signal.removeEventListener('abort', onAbort);
        resolve(end);
      };
      const onLost = (reason: string) => done({ kind: 'relogin', reason: `session lost: ${reason}` });
      const onRenewed = (gen: number) => (link.generation = gen);
      const onAbort = () => done({ kind: 'aborted' });
      if (signal.aborted) return resolve({ kind: 'aborted' });
      this.session.on('lost', onLost);
      this.session.on('renewed', onRenewed);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async subscribe(link: AleLink): Promise<void> {
    if (this.subscription && this.subscription.generation === link.generation) return;
    // Selectors split in slices when a server limits their size (extra.subscriptionIdsPerSelector; default none).
    const body = splitSelectors(subscriptionRequest(this.platform, this.config, this.session.admin), idsPerSelector(this.config.extra));
    const generation = this.session.generation;
    // The `subscriptions` service URL as the session announces it (services.ts; `/subscriptions` when it does not).
    const subs = servicePath('subscriptions', { platform: 'opentouch', services: this.session.services });
    let res = await this.rest.request<Record<string, unknown>>('POST', subs, { body });
    const lean = res?.status !== 'ACCEPTED' ? withoutOptionalPackages(body) : undefined;
    if (lean) {
      this.hooks.diag({ kind: 'session', message: 'subscription refused with the agent/pilot packages (no contact-center licence, or an unknown pilot?): subscribing without agent and queue events' });
      res = await this.rest.request<Record<string, unknown>>('POST', subs, { body: lean });
    }
    if (!res || res.status !== 'ACCEPTED') {
      throw new PbxError('PBX', `Subscription refused${typeof res?.message === 'string' ? `: ${res.message.slice(0, 300)}` : ''}`);
    }
    const pick = (a: unknown, b: unknown) => (typeof a === 'string' && a ? a : typeof b === 'string' && b ? b : undefined);
    const url = this.s.urlKind === 'public' ? pick(res.publicPollingUrl, res.privatePollingUrl) : pick(res.privatePollingUrl, res.publicPollingUrl);
    if (!url) throw new PbxError('PBX', 'Subscription accepted without a polling URL');
    this.subscription = { id: typeof res.subscriptionId === 'string' ? res.subscriptionId : undefined, url, generation, subscriptionsUrl: `${this.session.baseUrl}${subs}` };
  }

  async openStream(link: AleLink, sink: StreamSink, signal: AbortSignal): Promise<StreamEnd> {
    const sub = this.subscription;
    const session = this.session;
    if (signal.aborted) return { kind: 'aborted' };
    if (!sub || sub.generation !== link.generation || !this.sessionUsable(link)) return { kind: 'ended', reason: session.valid ? 'session renewed' : 'session lost' };
    this.streamOpen = false;
    this.sink = sink;
    const stale = () => signal.aborted || !session.valid || this.subscription !== sub || sub.generation !== session.generation;
    // A session renewed elsewhere (a REST call got 403) or lost (keepalive refused) makes the channel stale.
    const onChange = () => this.channel.abort();
    const onRenewed = (gen: number) => (gen !== sub.generation ? this.channel.abort() : undefined);
    signal.addEventListener('abort', onChange, { once: true });
    session.on('lost', onChange);
    session.on('renewed', onRenewed);
    let end;
    try {
      end = await this.channel.run(sub.url, { connectTimeoutMs: this.s.requestTimeoutMs, idleTimeoutMs: this.idleTimeoutMs, headers: session.authHeaders() }, this.input(sink), stale);
    } finally {
      signal.removeEventListener('abort', onChange);
      session.off('lost', onChange);
      session.off('renewed', onRenewed);
      this.streamOpen = false;
      this.touched = undefined;
      if (this.sink === sink) this.sink = undefined;
    }
    if (signal.aborted) return { kind: 'aborted' };
    const unreachable = end.kind === 'error' && end.lines === 0 && (end.error.code === 'NETWORK' || end.error.code === 'TIMEOUT');
    this.unreachable = unreachable ? this.unreachable + 1 : 0;
    switch (end.kind) {
      case 'refused':
        // The subscription or its session is gone: start over with a new session (the old one DELETEd first).
        session.invalidate(`event channel refused (HTTP ${end.status})`, sub.generation);
        return { kind: 'relogin', reason: `event channel refused (HTTP ${end.status}): logging in again` };
      case 'aborted':
        // The session changed under the channel: a new subscription on the session there is now.
        return { kind: 'ended', reason: session.valid ? 'session renewed' : 'session lost' };
      case 'ended':
        // A normal end (channel timeout) of a stream that worked reopens at once; the subscription kept queued events.
        return end.lines > 0 ? { kind: 'ended', reason: 'event channel ended by the server' } : { kind: 'lost', reason: 'channel ended before any event' };
      case 'error':
        // Only a channel that could not be opened at all counts towards fail-over: a stream that breaks (lines > 0)
        // or a server that answers is not a dead server.
        if (this.unreachable >= this.failoverAfter && session.hasSecondary) {
          const n = this.unreachable;
          this.unreachable = 0;
          this.hooks.diag({ kind: 'session', message: 'server unreachable: logging in on the other server' });
          return { kind: 'failover', reason: `event channel unreachable ${n} times in a row: ${end.error.message}` };
        }
        return { kind: 'lost', reason: end.error.message };
    }
  }

  /** Fetches each monitored user's calls and reconciles the tracker with them (events go out user by user). */
  async resync(_link: AleLink, users: readonly string[], signal: AbortSignal): Promise<PbxEvent[]> {
    const seq = this.streamSeq;
    const sink = this.sink;
    const current = () => seq === this.streamSeq && this.streamOpen && !signal.aborted;
    try {
      // A few users at a time (not one by one, not all at once): 2 000 users at 20 ms an answer take 2.5 s.
      await mapLimit(users, this.perUser, async (user) => {
        const res = await this.fetchTelephonyState(user);
        if (!current()) return;
        const touched = this.touched?.get(user) ?? new Set<string>();
        const listed = res?.calls === undefined || res?.calls === null ? [] : res.calls;
        const entries: unknown[] = Array.isArray(listed) ? listed : [listed];
        const readable = entries.filter((c) => typeof (c as { callRef?: unknown } | null)?.callRef === 'string');
        // Only a readable list is evidence that a call it lacks has ended: an unreadable entry might be that call.
        const trustworthy = readable.length === entries.length;
        if (!trustworthy) this.hooks.diag({ kind: 'resync', message: `resync of ${user}: ${entries.length - readable.length} unreadable call entries; no call ended on its word` });
        const calls = readable.filter((c) => !touched.has((c as { callRef: string }).callRef));
        // Calls an event has spoken of since the channel opened are current already: keep them as they are (and all
        // live calls when the list cannot be read whole).
        const inList = new Set(calls.map((c) => (c as { callRef: string }).callRef));
        for (const c of this.pipeline.tracker.callsOf(user)) if ((touched.has(c.id) || !trustworthy) && !inList.has(c.id)) calls.push({ callRef: c.id });
        const state = { calls, userState: res?.userState, deviceStates: res?.deviceStates };
        const r = guardLine('resync', () => this.pipeline.pushEvent({ eventName: 'OnTelephonyState', loginName: user, state }));
        if (r.ok) this.emit(r.value, sink);
        else this.hooks.diag({ kind: 'resync', message: `resync of ${user}: ${r.error.message}`, error: r.error });
      }, () => !current());
      if (!current()) return [];
      this.stats.resyncs++;
      this.touched = undefined;
      return [];
    } catch (err) {
      const e = err instanceof PbxError ? err : new PbxError('PBX', String(err));
      if (!signal.aborted) this.hooks.diag({ kind: 'resync', message: `resync failed: ${e.message}`, error: e });
      throw e;
    }
  }

  supports(operation: OperationName): boolean {
    return aleSupports(this.platform, operation);
  }

  unsupported(operation: OperationName): string {
    return `${operationSpec(operation)?.displayName ?? operation} is not available on ${this.platform === 'opentouch' ? 'OpenTouch' : 'O2G'}`;
  }

  /** One operation; the REST layer logs in on its own when the session went (the operations need no stream). */
  execute(_link: AleLink, operation: OperationName, input: Record<string, unknown>, ctx: OperationContext): Promise<unknown> {
    const user = ctx.user ?? this.s.login;
    return runAleOperation(this.rest, operation, input, {
      platform: this.platform,
      user,
      rawEvents: this.events.wanted ? (l: (e: AleEvent) => void) => this.addRawListener(l) : undefined,
      findCall: (callId: string, u: string) => this.pipeline.tracker.callsOf(u).find((x) => x.id === callId),
      // A slow PBX may confirm routing changes later than the 10 s default; an operator can say how long to wait.
      routingTimeoutMs: this.s.routingTimeoutMs,
      // A service the session does not announce (a fixed path is used): services.ts.
      warn: (message: string) => this.hooks.diag({ kind: 'session', message }),
      normalizeCalls: async (u: string, calls: unknown[]) => {
        const listedAt = Date.now();
        // The user's own side names their number, as in events (one profile read per session).
        await this.selves.ensure(u, this.session.generation);
        const live = new Map(this.pipeline.tracker.callsOf(u).map((x) => [x.id, x]));
        const ids = calls.map((x) => (x as { callRef?: unknown } | null)?.callRef).filter((x): x is string => typeof x === 'string' && !live.has(x));
        // With a resynced event stream the tracker knows every call that predates it: one it does not know yet is
        // new. A session only cannot tell, so such a call may predate the connection.
        this.starts.listed(u, ids, listedAt, !(this.events.wanted && this.events.resynced));
        return normalizeCallList(u, calls, {
          platform: this.platform,
          live: (id) => live.get(id),
          selfParty: (login) => this.selves.get(login),
          started: (id) => this.starts.get(u, id),
        });
      },
      placed: (u: string, callId: string, at: number) => this.starts.placed(u, callId, at),
      raw: ctx.raw === true,
    });
  }

  sweep(): PbxEvent[] {
    return this.pipeline.tracker.sweep();
  }

  rawWanted(wanted: boolean): void {
    this.pipeline.tracker.includeRaw = wanted;
  }

  /** The subscription and the session deleted on the server (best effort), the HTTP client closed. */
  async shutdown(): Promise<void> {
    if (this.shut) return;
    this.shut = true;
    this.channel.abort();
    const sub = this.subscription;
    this.subscription = undefined;
    if (sub?.id && this.session.valid) {
      await this.http.request(`${sub.subscriptionsUrl}/${encodeURIComponent(sub.id)}`, { method: 'DELETE', headers: this.session.authHeaders(), timeoutMs: 2000 }).catch(() => undefined);
    }
    await this.session.close();
    this.http.close();
    this.rawListeners.clear();
  }

  // ---- events -----------------------------------------------------------------------------------------

  /** Decoded ALE events as they arrive (routing operations wait on them). */
  addRawListener(listener: (event: AleEvent) => void): () => void {
    this.rawListeners.add(listener);
    return () => this.rawListeners.delete(listener);
  }

  /**
   * The stream's way into the pipeline, the same entry replay and the benchmarks use: the channel gives it the raw
   * chunks; what is live-only (the stream's first line, calls touched since it opened, raw listeners, link
   * warnings) rides on its hooks.
   */
  private input(sink: StreamSink): AleInput {
    return this.pipeline.input((events) => this.emit(events, sink), {
      line: (line) => {
        this.stats.lines++;
        if (this.streamOpen) return true;
        // The first line of a stream (`OnChannelInformation`) says the channel is established: the resync follows.
        this.onStreamOpen();
        sink.up();
        return !line.includes('"OnChannelInformation"');
      },
      decoded: (e) => {
        if (this.touched && e.callRef) {
          const u = e.loginName ?? this.s.login;
          let set = this.touched.get(u);
          if (!set) this.touched.set(u, (set = new Set()));
          set.add(e.callRef);
        }
        for (const l of this.rawListeners) safe(() => l(e));
        // CTI / PBX link down (O2G `system` package): a warning an admin must see (issue 11).
        const linkWarning = systemWarning(e);
        if (linkWarning) this.hooks.diag({ kind: 'channel', message: linkWarning });
      },
      bad: (error) => {
        this.stats.decodeErrors++;
        this.hooks.diag({ kind: 'decode', message: `skipped a line that is not an ALE event: ${error.message}${error.excerpt ? ` (line: ${error.excerpt})` : ''}`, error });
      },
    });
  }

  private onStreamOpen(): void {
    this.streamOpen = true;
    this.stats.channelsOpened++;
    this.unreachable = 0;
    this.streamSeq++;
    this.touched = new Map();
    // Once per session, in the background: events and the resync do not wait for it.
    this.selves.learn([...this.monitoredUsers], this.session.generation);
  }

  private emit(events: PbxEvent[], sink: StreamSink | undefined): void {
    if (events.length === 0 || !sink) return;
    this.stats.events += events.length;
    sink.deliver(events);
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
    return servicePath('telephony', { platform: this.platform, services: this.session.services, warn: (message) => this.hooks.diag({ kind: 'session', message }) });
  }
}
