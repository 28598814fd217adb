/**
 * The one life cycle of a platform connection. A platform gives a driver (driver.ts: protocol steps only); this
 * file decides when each step runs, how long to wait after a failure, and when to stop for good.
 *
 *            ┌──────────────── close() from any phase ──────────────────────────────────────────► closed
 *   idle ──► login ──► (no event listener yet) session-only ──(first listener)──┐
 *              │                                                                ▼
 *              └─────────────────────────────────────────────────────────► subscribe ──► open
 *   open ──(first input: healthy clock starts)──► resync ──► connected
 *   idle ──► login: at once, or (`start: 'on-demand'`) at the first ready(), onEvent() or execute()
 *   session-only ──(the session ends on its own)──► idle (`reconnecting`): log in again at the next ready(),
 *        onEvent() or execute(), at once (an unused session is not kept up in the background)
 *   resync | connected ──(sink.hold: the server cannot serve for now)──► held: `reconnecting`, the stream and the
 *        session stay, operations still run; the driver's probe on the hold back-off until the stream ends
 *   a failed resync: a warning, or (driver.resyncRequired) the stream ends as relogin (`reopen`: as lost)
 *   open | connected ──(stream ends: StreamEnd)──► classify:
 *        ended    -> reopen now, quietly and from the back-off's first step, if the stream was healthy; else backoff
 *        lost     -> backoff -> open again (same session while the driver says it is usable, else login)
 *        relogin  -> backoff -> login
 *        failover -> login on the next server at once: the first hop since a stream last came up (the driver gave
 *                    this server its retries); a further hop before one comes up -> backoff first
 *                    (sameSession: backoff -> open the stream on the next server, same session)
 *        refused  -> backoff -> login once more; refused again before a stream got through -> failed
 *        fatal    -> failed            aborted -> closed (or subscribe, when events became wanted)
 *   an error thrown by a step: AuthError and the fatal classes (INVALID_INPUT, UNSUPPORTED, NOT_ALLOWED) -> failed;
 *        anything else -> backoff -> the step again (login when the session is no longer usable)
 *   backoff: one wait from BaseConnection.retryDelay() (the one capped back-off; it restarts from its first step only
 *        after a stream stayed up `healthyAfterMs`); state `reconnecting` with the attempt number of that back-off.
 *        Every end that backs off or fails over is a `channel` warning; a healthy stream's orderly end is not, nor a
 *        failed resync's reopen (the resync warned).
 *   failed: stop for good: nothing restarts it, ready() rejects with the error.
 *
 *   renewal (a session whose credential expires, drivers with `renew`), beside the phases while the session lives:
 *        due (driver) -> renew, never sooner than `floorMs` after the last one nor more than `perWindow` a window;
 *        fails -> warning, again after the renewal back-off (backoff.ts, floored); refused (AuthError) or
 *        `failuresBeforeLogin` failures in a row -> the stream ends as `relogin` (so: back off, log in again)
 *
 * Also here, once for every platform: the expiry sweep (the driver's tracker, on a timer), attempt numbering (logins
 * counted from 1; the reconnect attempt is the back-off's), and `execute()` = wait for the session (ready, with a
 * deadline; `executeNeeds: 'session'`: a session is enough, the stream may be down), then the driver.
 */
import { AuthError, PbxError } from '../errors';
import type { PbxEvent } from '../model/events';
import type { OperationName } from '../operations/catalogue';
import { Backoff } from './backoff';
import { BaseConnection, safe, type BaseConnectionOptions } from './base';
import type { PlatformDriver, StreamEnd, StreamSink } from './driver';
import type { ConnectionWarning, EventSubscription, OperationOptions } from './types';

export type Phase =
  | 'idle'
  | 'login'
  | 'session-only'
  | 'subscribe'
  | 'open'
  | 'resync'
  | 'connected'
  | 'held'
  | 'backoff'
  | 'failed'
  | 'closed';

/** Error codes after which retrying cannot help: the connection fails for good. */
export const FATAL_CODES: ReadonlySet<string> = new Set(['AUTH', 'INVALID_INPUT', 'UNSUPPORTED', 'NOT_ALLOWED']);

export interface SupervisorOptions extends BaseConnectionOptions {
  /** The monitored users, handed to every resync. */
  users?: readonly string[];
  /** `always`: open the event stream at once; `when-listened`: log in only (session-only) until a listener comes. */
  events?: 'always' | 'when-listened';
  /** How often calls with no news are swept. Default 60 s. */
  expiryEveryMs?: number;
  /** How long `execute()` waits for a session. Default 10 s. */
  sessionTimeoutMs?: number;
  /** The renewal schedule, for drivers that renew their session (`renew`). */
  renewal?: RenewalOptions;
  /** The clock a driver's renewal times are on (tests inject one). Default Date.now. */
  now?: () => number;
  /** How often a held stream is probed (driver.probe): the capped back-off with these steps. Default the connection's first step, up to 5 s. */
  holdProbe?: { initialMs?: number; maxMs?: number };
  /**
   * `now`: the life cycle starts in the constructor; `on-demand`: at the first ready(), onEvent() or execute() (a
   * connection built and dropped unused sends nothing and holds nothing). Default `now`.
   */
  start?: 'now' | 'on-demand';
  /**
   * What `execute()` waits for: `connected` (default), or `session`: a session is enough (the driver's operations
   * do not need the stream; they run while it reconnects).
   */
  executeNeeds?: 'connected' | 'session';
}

export interface RenewalOptions {
  /** Least time between two renewals (and after a credential was issued); also the renewal back-off's first step. Default 2 s. */
  floorMs?: number;
  /** The ceiling's window. Default a minute. */
  windowMs?: number;
  /** Most renewals in one window, whatever the server says of expiry. Default 10. */
  perWindow?: number;
  /** Renewals failed in a row before a fresh login instead. Default 3. */
  failuresBeforeLogin?: number;
  /** The renewal back-off's ceiling. Default the connection's back-off ceiling (30 s). */
  maxMs?: number;
}

/** What one turn of the loop decided: wait (0: go on at once), wait for the next use (`demand`), or stop. */
type Next = { wait: number; reason?: string } | 'demand' | 'stop';

export class SupervisedConnection<S = unknown> extends BaseConnection {
  private readonly driver: PlatformDriver<S>;
  private readonly users: readonly string[];
  private readonly mode: 'always' | 'when-listened';
  private readonly sessionTimeoutMs: number;
  private readonly executeNeeds: 'connected' | 'session';
  /** Told when a login gave a session (execute() with `executeNeeds: 'session'` waits for it). */
  private readonly sessionWaiters = new Set<() => void>();
  private readonly closing = new AbortController();
  private readonly transitionListeners = new Set<(to: Phase, from: Phase) => void>();
  private current: Phase = 'idle';
  private session?: S;
  private logins = 0;
  private server = 0;
  /** A stream was refused since the last one that came up: a second refusal is final. */
  private refusedOnce = false;
  /** A fail-over went to the next server at once since a stream last came up: the next one backs off first. */
  private hoppedOnce = false;
  /** Wakes the loop waiting for the next use (a session-only session ended); unset otherwise. */
  private demand?: () => void;
  private eventListeners = 0;
  private wantEvents?: () => void;
  /**
   * Ends the open stream with this end (a renewal that gave up, a failed resync); `quiet`: already warned of (no
   * `channel` warning). Unset between streams.
   */
  private stopStream?: (end: StreamEnd, quiet?: boolean) => void;
  private readonly now: () => number;
  private readonly renewal: Required<Omit<RenewalOptions, 'maxMs'>>;
  private readonly renewBackoff: Backoff;
  private readonly renewTimes: number[] = [];
  private renewFailures = 0;
  private renewTimer?: NodeJS.Timeout;
  private readonly holdBackoff: Backoff;
  private holdTimer?: NodeJS.Timeout;
  private loopDone?: Promise<void>;

  constructor(driver: PlatformDriver<S>, o: SupervisorOptions) {
    super(o);
    this.driver = driver;
    this.users = o.users ?? [];
    this.mode = o.events ?? 'always';
    this.sessionTimeoutMs = o.sessionTimeoutMs ?? 10_000;
    this.executeNeeds = o.executeNeeds ?? 'connected';
    this.now = o.now ?? Date.now;
    const r = o.renewal ?? {};
    this.renewal = { floorMs: r.floorMs ?? 2000, windowMs: r.windowMs ?? 60_000, perWindow: r.perWindow ?? 10, failuresBeforeLogin: r.failuresBeforeLogin ?? 3 };
    // The one capped back-off, floored: a failing renewal endpoint is never asked more often than the floor.
    this.renewBackoff = new Backoff({ initialMs: this.renewal.floorMs, maxMs: Math.max(this.renewal.floorMs, r.maxMs ?? o.backoff?.maxMs ?? 30_000) });
    const holdFirst = o.holdProbe?.initialMs ?? o.backoff?.initialMs ?? 500;
    this.holdBackoff = new Backoff({ initialMs: holdFirst, maxMs: Math.max(holdFirst, o.holdProbe?.maxMs ?? 5000) });
    if (driver.sweep) this.watchExpiry(() => driver.sweep!(), o.expiryEveryMs ?? 60_000);
    // The life cycle starts now (it logs in at once): the connection works, keeps the process up, expires calls.
    if ((o.start ?? 'now') === 'now') this.working();
  }

  /** The connection starts working: the life cycle starts with it (once). */
  protected override working(): void {
    super.working();
    if (!this.closed && !this.loopDone) this.loopDone = this.loop();
    // A use (ready(), onEvent(), execute()): a session-only connection whose session ended logs in again now.
    this.demand?.();
  }

  /** Where the life cycle is now. */
  get phase(): Phase {
    return this.current;
  }

  /** Logins attempted so far (1 for the first). */
  get loginAttempts(): number {
    return this.logins;
  }

  /** Told of every phase change (tests, diagnostics). */
  /** A driver's warning, through the connection's scrubber and rate limit (drivers get this as their `warn`). */
  driverWarning(kind: ConnectionWarning['kind'], message: string): void {
    this.warn({ kind, message });
  }

  /** Server text with every known secret taken out (drivers get this as their `scrub`). */
  scrubText(text: string): string {
    return this.scrub(text);
  }

  onTransition(fn: (to: Phase, from: Phase) => void): () => void {
    this.transitionListeners.add(fn);
    return () => this.transitionListeners.delete(fn);
  }

  override onEvent(listener: (event: PbxEvent) => void, options: EventSubscription = {}): () => void {
    const off = super.onEvent(listener, options);
    const release = this.needEvents();
    return () => {
      release();
      off();
    };
  }

  /** Something needs the event stream (a listener of the platform's own events): leave session-only. Returns the release. */
  protected needEvents(): () => void {
    this.working();
    this.eventListeners++;
    this.wantEvents?.();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.eventListeners--;
    };
  }

  /** Stop for good from outside the life cycle (an operation met a refused login): as the loop does for its own. */
  protected failNow(err: PbxError): void {
    if (this.closed || this.fatal) return;
    this.stop(err);
    this.stopStream?.({ kind: 'fatal', error: err });
    this.wantEvents?.();
    this.demand?.();
    this.interrupt();
  }

  supports(operation: OperationName): boolean {
    return this.driver.supports(operation);
  }

  /** Ensure the session (wait for it, with a deadline), then the driver. One rule for every host. */
  async execute(operation: OperationName, input: Record<string, unknown>, options: OperationOptions = {}): Promise<unknown> {
    if (!this.driver.supports(operation)) throw new PbxError('UNSUPPORTED', this.driver.unsupported?.(operation) ?? `${this.platform} cannot ${operation}`);
    // Held: the session is there and the server answers (with its own error): no waiting for `connected`.
    if (this.executeNeeds === 'session') await this.sessionReady();
    else if (this.current !== 'held') await this.ready(this.sessionTimeoutMs);
    const session = this.session;
    if (session === undefined || (this.executeNeeds === 'connected' && this.driver.sessionUsable && !this.driver.sessionUsable(session))) {
      throw new PbxError('NETWORK', `the ${this.platform} session was lost; the connection is logging in again`, { canRetry: true });
    }
    try {
      return await this.driver.execute(session, operation, input, { user: options.user, signal: options.signal, raw: options.raw, secret: (v) => this.secrets.add(v) });
    } catch (err) {
      throw this.scrubError(err);
    }
  }

  /** A session (any: the driver's operations renew a stale one), or ready() within the session deadline. */
  private async sessionReady(): Promise<void> {
    this.working();
    if (this.fatal) throw this.fatal;
    if (this.session !== undefined) return;
    let off = () => undefined as unknown;
    const arrived = new Promise<void>((resolve) => {
      this.sessionWaiters.add(resolve);
      off = () => this.sessionWaiters.delete(resolve);
    });
    try {
      await Promise.race([this.ready(this.sessionTimeoutMs), arrived]);
    } finally {
      off();
    }
  }

  protected override rawWanted(wanted: boolean): void {
    this.driver.rawWanted?.(wanted);
  }

  protected async shutdown(): Promise<void> {
    clearTimeout(this.renewTimer);
    clearTimeout(this.holdTimer);
    this.closing.abort();
    this.wantEvents?.();
    this.demand?.();
    await this.loopDone;
    this.go('closed');
    await this.driver.shutdown(this.session).catch(() => undefined);
    this.session = undefined;
  }

  // ---- the life cycle -----------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    while (!this.closed && !this.fatal) {
      let next: Next;
      try {
        next = await this.turn();
      } catch (err) {
        next = this.onError(err);
      }
      if (next === 'stop' || this.closed || this.fatal) break;
      if (next === 'demand') {
        this.go('idle');
        await this.untilDemand();
        continue;
      }
      if (next.wait > 0) {
        this.go('backoff');
        this.setState({ state: 'reconnecting', reason: next.reason, attempt: this.backoff.attempts });
        await this.sleep(next.wait);
      }
    }
    if (this.fatal) this.go('failed');
  }

  /** One pass: (log in) -> (session-only) -> subscribe -> open -> the stream's end, classified. */
  private async turn(): Promise<Next> {
    const signal = this.closing.signal;
    if (this.session === undefined || (this.driver.sessionUsable && !this.driver.sessionUsable(this.session))) {
      this.dropSession();
      this.go('login');
      const login = this.driver.login({ attempt: ++this.logins, server: this.server, secret: (v) => this.secrets.add(v), signal });
      // A session that arrives after close() is released at once.
      void login.then((s) => (this.closed ? this.driver.shutdown(s) : undefined), () => undefined).catch(() => undefined);
      this.session = await this.step(login);
      if (this.closed) return 'stop';
      for (const w of [...this.sessionWaiters]) w();
      this.renewFailures = 0;
      this.scheduleRenewal(this.session);
    }
    const session = this.session;
    if (this.mode === 'when-listened' && this.eventListeners === 0) {
      const end = await this.sessionOnly(session);
      if (end.kind !== 'aborted') return this.sessionOnlyEnded(end);
      if (this.closed || this.fatal) return 'stop';
    }
    this.go('subscribe');
    if (this.driver.subscribe) await this.step(this.driver.subscribe(session, signal));
    if (this.closed) return 'stop';
    this.go('open');
    let up = false;
    let over = false;
    // The stream's own signal: close(), or the supervisor ending it (a renewal that gave up) with its reason.
    const stop = new AbortController();
    const sink: StreamSink = {
      up: () => {
        if (up || over || this.closed) return;
        up = true;
        this.hoppedOnce = false;
        this.streamUp();
        void this.resync(session, signal, () => !over);
      },
      deliver: (events) => {
        if (!this.closed && events.length > 0) this.deliver(events);
      },
      warn: (w) => this.warn(w),
      hold: (reason) => {
        if (!over && !this.closed) this.hold(session, reason, AbortSignal.any([signal, stop.signal]));
      },
    };
    let forced: { end: StreamEnd; quiet: boolean } | undefined;
    this.stopStream = (e, quiet = false) => {
      forced ??= { end: e, quiet };
      stop.abort();
    };
    let end: StreamEnd;
    try {
      end = await this.step(this.driver.openStream(session, sink, AbortSignal.any([signal, stop.signal]), this.server));
    } finally {
      over = true;
      this.stopStream = undefined;
      clearTimeout(this.holdTimer);
      this.holdTimer = undefined;
    }
    const mine = forced && end.kind === 'aborted' ? forced : undefined;
    return this.classify(mine?.end ?? end, { up, quiet: mine?.quiet ?? false });
  }

  /** A driver step, cut short by close(): the supervisor never waits on a driver that ignores its signal. */
  private step<T>(p: Promise<T>): Promise<T> {
    const signal = this.closing.signal;
    if (signal.aborted) return Promise.reject(new PbxError('CLOSED', 'The connection was closed'));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new PbxError('CLOSED', 'The connection was closed'));
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Logged in, nobody listens yet: `connected` for operations, until a listener comes or the session ends. */
  private async sessionOnly(session: S): Promise<StreamEnd> {
    this.go('session-only');
    this.connected();
    const hold = new AbortController();
    const wanted = new Promise<StreamEnd>((resolve) => {
      this.wantEvents = () => {
        hold.abort();
        resolve({ kind: 'aborted' });
      };
    });
    if (this.closing.signal.aborted || this.eventListeners > 0) this.wantEvents?.();
    const onClose = () => hold.abort();
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    try {
      const held = this.driver.holdSession ? this.driver.holdSession(session, hold.signal) : new Promise<StreamEnd>(() => undefined);
      return await Promise.race([wanted, held]);
    } finally {
      this.wantEvents = undefined;
      this.closing.signal.removeEventListener('abort', onClose);
      hold.abort();
    }
  }

  /** After the stream's first input: reconcile with the PBX, then `connected`. A failed resync is a warning. */
  private async resync(session: S, signal: AbortSignal, streamLive: () => boolean): Promise<void> {
    this.go('resync');
    try {
      const events = await this.driver.resync(session, this.users, signal);
      if (!this.closed && events.length > 0) this.deliver(events);
    } catch (err) {
      // A resync cut short by its stream's end is no news: the end is classified on its own.
      if (this.closed || !streamLive()) return;
      if (this.driver.resyncRequired === 'reopen') {
        // The driver warned of its failed resync: the reopen that follows is no second warning.
        this.stopStream?.({ kind: 'lost', reason: 'resync failed' }, true);
        return;
      }
      if (this.driver.resyncRequired) {
        const e = this.scrubError(err);
        this.rejectWaiters(e);
        this.stopStream?.({ kind: 'relogin', reason: e.message });
        return;
      }
      this.warn({ kind: 'resync', message: `resync failed: ${(err as Error)?.message ?? String(err)}` });
    }
    if (this.closed || !streamLive() || this.session !== session || this.current !== 'resync') return;
    this.refusedOnce = false;
    this.go('connected');
    this.connected();
  }

  /** The server cannot serve for now: `reconnecting`, probed on the hold back-off until the stream ends. */
  private hold(session: S, reason: string, signal: AbortSignal): void {
    if (this.current === 'held') return;
    this.go('held');
    this.warn({ kind: 'session', message: `${reason}: waiting for it to come back` });
    this.setState({ state: 'reconnecting', reason });
    this.holdBackoff.reset();
    const probe = this.driver.probe?.bind(this.driver);
    if (!probe) return;
    const next = () => {
      this.holdTimer = setTimeout(() => {
        if (signal.aborted || this.closed) return;
        probe(session, signal).then(
          (end) => (signal.aborted ? undefined : end ? this.stopStream?.(end) : next()),
          () => (signal.aborted ? undefined : next()),
        );
      }, this.holdBackoff.next());
      this.holdTimer.unref();
    };
    next();
  }

  /**
   * A stream's end -> what to do next. `up`: the stream gave its first input; `quiet`: the end was warned of
   * already (no `channel` warning).
   */
  private classify(end: StreamEnd, { up = false, quiet = false }: { up?: boolean; quiet?: boolean } = {}): Next {
    if (this.closed) return 'stop';
    // Only refusals in a row are final: any other end in between starts the count again.
    if (end.kind !== 'refused') this.refusedOnce = false;
    const note = (reason: string) => (quiet ? undefined : this.note(reason));
    switch (end.kind) {
      case 'aborted':
        return 'stop';
      case 'fatal':
        this.stop(end.error);
        return 'stop';
      case 'ended':
        if (up && this.streamHealthy) {
          // An orderly end of a stream that worked (a channel timeout, a long poll that ran out): reopened at once
          // and quietly; the next failure waits the back-off's first step again.
          this.backoff.reset();
          return { wait: 0, reason: end.reason };
        }
        note(end.reason);
        return { wait: this.retryDelay(), reason: end.reason };
      case 'lost':
        note(end.reason);
        return { wait: this.retryDelay(), reason: end.reason };
      case 'relogin':
        this.dropSession();
        note(end.reason);
        return { wait: this.retryDelay(), reason: end.reason };
      case 'failover':
        if (!end.sameSession) this.dropSession();
        this.server++;
        note(end.reason);
        if (!end.sameSession && !this.hoppedOnce) {
          // The driver gave this server its retries (each on the back-off) before giving it up: the next server is
          // tried at once, as a dead server is no reason to wait. Once per outage: a further hop before a stream
          // came up (every server failed) waits the back-off like any other retry.
          this.hoppedOnce = true;
          this.setState({ state: 'reconnecting', reason: end.reason, attempt: this.backoff.attempts + 1 });
          return { wait: 0, reason: end.reason };
        }
        return { wait: this.retryDelay(), reason: end.reason };
      case 'refused':
        if (this.refusedOnce) {
          this.stop(new AuthError(`the ${this.platform} server refused the login: ${end.reason}`));
          return 'stop';
        }
        this.refusedOnce = true;
        this.dropSession();
        note(`${end.reason}: logging in again`);
        return { wait: this.retryDelay(), reason: end.reason };
    }
  }

  /**
   * A session-only session ended on its own (the server dropped it): `reconnecting`, and the next use logs in again
   * at once; nothing logs in while nobody uses the connection. Refused and fatal ends count as on a stream.
   */
  private sessionOnlyEnded(end: StreamEnd): Next {
    if (end.kind === 'aborted' || end.kind === 'fatal' || end.kind === 'refused') return this.classify(end);
    if (this.closed) return 'stop';
    if (end.kind === 'failover') this.server++;
    if (end.kind !== 'failover' || !end.sameSession) this.dropSession();
    this.setState({ state: 'reconnecting', reason: end.reason });
    return 'demand';
  }

  /** Resolves at the next use of the connection (see `working()`), or at close() / a fatal error. */
  private untilDemand(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.demand = () => {
        this.demand = undefined;
        resolve();
      };
      if (this.closed || this.fatal || this.eventListeners > 0) this.demand();
    });
  }

  /** An error thrown by a step -> fail for good (fatal classes) or back off. */
  private onError(err: unknown): Next {
    if (this.closed) return 'stop';
    const e = err instanceof PbxError ? err : new PbxError('NETWORK', (err as Error)?.message ?? String(err));
    if (e instanceof AuthError || FATAL_CODES.has(e.code)) {
      this.stop(e);
      return 'stop';
    }
    const clean = this.scrubError(e);
    this.rejectWaiters(clean);
    this.warn({ kind: 'session', message: clean.message });
    if (this.session !== undefined && this.driver.sessionUsable && !this.driver.sessionUsable(this.session)) this.dropSession();
    return { wait: this.retryDelay(), reason: clean.message };
  }

  /** The session is given up: nothing renews it any more. */
  private dropSession(): void {
    this.session = undefined;
    clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
  }

  // ---- renewal --------------------------------------------------------------------------------------------

  /**
   * The next renewal of `session`: when the driver says (or after `delayMs`, a failure's back-off), but never
   * sooner than the floor after the last one (or after the credential was issued) nor more than the ceiling a
   * window, whatever the server says of expiry.
   */
  private scheduleRenewal(session: S, delayMs?: number): void {
    clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
    const due = this.closed || !this.driver.renew ? undefined : this.driver.renewal?.(session);
    if (!due) return;
    const now = this.now();
    const wait = Math.max(delayMs ?? due.dueAt - now, this.renewalAllowedAt(due.issuedAt) - now, 0);
    this.renewTimer = setTimeout(() => void this.renew(session), wait);
    this.renewTimer.unref();
  }

  /** The earliest time the floor and the per-window ceiling allow the next renewal. */
  private renewalAllowedAt(issuedAt: number | undefined): number {
    const r = this.renewal;
    const times = this.renewTimes;
    const now = this.now();
    while (times.length > 0 && now - times[0] >= r.windowMs) times.shift();
    let at = (times.at(-1) ?? issuedAt ?? now - r.floorMs) + r.floorMs;
    if (times.length >= r.perWindow) at = Math.max(at, times[times.length - r.perWindow] + r.windowMs);
    return at;
  }

  private async renew(session: S): Promise<void> {
    if (this.closed || this.session !== session) return;
    const name = this.driver.renewalName ?? 'session renewal';
    this.renewTimes.push(this.now());
    try {
      await this.driver.renew!(session, this.closing.signal);
      if (this.closed || this.session !== session) return;
      this.renewFailures = 0;
      this.renewBackoff.reset();
      this.scheduleRenewal(session);
    } catch (err) {
      if (this.closed || this.session !== session) return;
      const e = this.scrubError(err);
      const failures = ++this.renewFailures;
      this.warn({ kind: 'session', message: `${name} failed: ${e.message}` });
      if (e instanceof AuthError || failures >= this.renewal.failuresBeforeLogin) {
        // A full login instead, through the life cycle (and so its back-off).
        this.renewFailures = 0;
        this.dropSession();
        this.stopStream?.({ kind: 'relogin', reason: e instanceof AuthError ? `the ${name} was refused` : `${name} failed ${failures} times` });
        return;
      }
      this.scheduleRenewal(session, this.renewBackoff.next());
    }
  }

  private stop(err: PbxError): void {
    this.fail(err);
    this.go('failed');
  }

  private note(reason: string): void {
    this.warn({ kind: 'channel', message: reason });
  }

  private go(to: Phase): void {
    const from = this.current;
    if (from === to || from === 'closed') return;
    this.current = to;
    for (const fn of this.transitionListeners) safe(() => fn(to, from));
  }
}
