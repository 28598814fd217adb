/**
 * The one life cycle of a platform connection. A platform gives a driver (driver.ts: protocol steps only); this
 * file decides when each step runs, how long to wait after a failure, and when to stop for good.
 *
 *            ┌──────────────── close() from any phase ──────────────────────────────────────────► closed
 *   idle ──► login ──► (no event listener yet) session-only ──(first listener)──┐
 *              │                                                                ▼
 *              └─────────────────────────────────────────────────────────► subscribe ──► open
 *   open ──(first input: healthy clock starts)──► resync ──► connected
 *   open | connected ──(stream ends: StreamEnd)──► classify:
 *        ended    -> reopen now if the stream was healthy, else backoff
 *        lost     -> backoff -> open again (same session while the driver says it is usable, else login)
 *        relogin  -> backoff -> login
 *        failover -> backoff -> login on the next server
 *        refused  -> backoff -> login once more; refused again before a stream came up -> failed
 *        fatal    -> failed            aborted -> closed (or subscribe, when events became wanted)
 *   an error thrown by a step: AuthError and the fatal classes (INVALID_INPUT, UNSUPPORTED, NOT_ALLOWED) -> failed;
 *        anything else -> backoff -> the step again (login when the session is no longer usable)
 *   backoff: one wait from BaseConnection.retryDelay() (the one capped back-off; it restarts from its first step only
 *        after a stream stayed up `healthyAfterMs`); state `reconnecting` with the attempt number of that back-off.
 *   failed: stop for good: nothing restarts it, ready() rejects with the error.
 *
 * Also here, once for every platform: the expiry sweep (the driver's tracker, on a timer), attempt numbering (logins
 * counted from 1; the reconnect attempt is the back-off's), and `execute()` = wait for the session (ready, with a
 * deadline), then the driver.
 */
import { AuthError, PbxError } from '../errors';
import type { PbxEvent } from '../model/events';
import type { OperationName } from '../operations/catalogue';
import { BaseConnection, safe, type BaseConnectionOptions } from './base';
import type { PlatformDriver, StreamEnd, StreamSink } from './driver';
import type { EventSubscription, OperationOptions } from './types';

export type Phase =
  | 'idle'
  | 'login'
  | 'session-only'
  | 'subscribe'
  | 'open'
  | 'resync'
  | 'connected'
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
}

/** What one turn of the loop decided. */
type Next = { wait: number; reason?: string } | 'stop';

export class SupervisedConnection<S = unknown> extends BaseConnection {
  private readonly driver: PlatformDriver<S>;
  private readonly users: readonly string[];
  private readonly mode: 'always' | 'when-listened';
  private readonly sessionTimeoutMs: number;
  private readonly closing = new AbortController();
  private readonly transitionListeners = new Set<(to: Phase, from: Phase) => void>();
  private current: Phase = 'idle';
  private session?: S;
  private logins = 0;
  private server = 0;
  /** A stream was refused since the last one that came up: a second refusal is final. */
  private refusedOnce = false;
  private eventListeners = 0;
  private wantEvents?: () => void;
  private readonly loopDone: Promise<void>;

  constructor(driver: PlatformDriver<S>, o: SupervisorOptions) {
    super(o);
    this.driver = driver;
    this.users = o.users ?? [];
    this.mode = o.events ?? 'always';
    this.sessionTimeoutMs = o.sessionTimeoutMs ?? 10_000;
    if (driver.sweep) this.watchExpiry(() => driver.sweep!(), o.expiryEveryMs ?? 60_000);
    // The life cycle starts now (it logs in at once): the connection works, keeps the process up, expires calls.
    this.working();
    this.loopDone = this.loop();
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
  onTransition(fn: (to: Phase, from: Phase) => void): () => void {
    this.transitionListeners.add(fn);
    return () => this.transitionListeners.delete(fn);
  }

  override onEvent(listener: (event: PbxEvent) => void, options: EventSubscription = {}): () => void {
    const off = super.onEvent(listener, options);
    this.eventListeners++;
    this.wantEvents?.();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.eventListeners--;
      off();
    };
  }

  supports(operation: OperationName): boolean {
    return this.driver.supports(operation);
  }

  /** Ensure the session (wait for it, with a deadline), then the driver. One rule for every host. */
  async execute(operation: OperationName, input: Record<string, unknown>, options: OperationOptions = {}): Promise<unknown> {
    if (!this.driver.supports(operation)) throw new PbxError('UNSUPPORTED', `${this.platform} cannot ${operation}`);
    await this.ready(this.sessionTimeoutMs);
    const session = this.session;
    if (session === undefined || (this.driver.sessionUsable && !this.driver.sessionUsable(session))) {
      throw new PbxError('NETWORK', `the ${this.platform} session was lost; the connection is logging in again`, { canRetry: true });
    }
    try {
      return await this.driver.execute(session, operation, input, { user: options.user, signal: options.signal, raw: options.raw, secret: (v) => this.secrets.add(v) });
    } catch (err) {
      throw this.scrubError(err);
    }
  }

  protected override rawWanted(wanted: boolean): void {
    this.driver.rawWanted?.(wanted);
  }

  protected async shutdown(): Promise<void> {
    this.closing.abort();
    this.wantEvents?.();
    await this.loopDone;
    this.go('closed');
    await this.driver.shutdown(this.session).catch(() => undefined);
    this.session = undefined;
  }

  // ---- the life cycle -----------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    while (!this.closed) {
      let next: Next;
      try {
        next = await this.turn();
      } catch (err) {
        next = this.onError(err);
      }
      if (next === 'stop' || this.closed) break;
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
      this.session = undefined;
      this.go('login');
      const login = this.driver.login({ attempt: ++this.logins, server: this.server, secret: (v) => this.secrets.add(v), signal });
      // A session that arrives after close() is released at once.
      void login.then((s) => (this.closed ? this.driver.shutdown(s) : undefined), () => undefined).catch(() => undefined);
      this.session = await this.step(login);
      if (this.closed) return 'stop';
    }
    const session = this.session;
    if (this.mode === 'when-listened' && this.eventListeners === 0) {
      const end = await this.sessionOnly(session);
      if (end.kind !== 'aborted') return this.classify(end);
      if (this.closed) return 'stop';
    }
    this.go('subscribe');
    if (this.driver.subscribe) await this.step(this.driver.subscribe(session, signal));
    if (this.closed) return 'stop';
    this.go('open');
    let up = false;
    const sink: StreamSink = {
      up: () => {
        if (up || this.closed) return;
        up = true;
        this.refusedOnce = false;
        this.streamUp();
        void this.resync(session, signal);
      },
      deliver: (events) => {
        if (!this.closed && events.length > 0) this.deliver(events);
      },
      warn: (w) => this.warn(w),
    };
    const end = await this.step(this.driver.openStream(session, sink, signal));
    return this.classify(end);
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
  private async resync(session: S, signal: AbortSignal): Promise<void> {
    this.go('resync');
    try {
      const events = await this.driver.resync(session, this.users, signal);
      if (!this.closed && events.length > 0) this.deliver(events);
    } catch (err) {
      if (this.closed) return;
      this.warn({ kind: 'resync', message: `resync failed: ${(err as Error)?.message ?? String(err)}` });
    }
    if (this.closed || this.session !== session || this.current !== 'resync') return;
    this.go('connected');
    this.connected();
  }

  /** A stream's end -> what to do next. */
  private classify(end: StreamEnd): Next {
    if (this.closed) return 'stop';
    switch (end.kind) {
      case 'aborted':
        return 'stop';
      case 'fatal':
        this.stop(end.error);
        return 'stop';
      case 'ended': {
        const healthy = this.streamHealthy;
        const wait = this.retryDelay();
        this.note(end.reason);
        return { wait: healthy ? 0 : wait, reason: end.reason };
      }
      case 'lost':
        this.note(end.reason);
        return { wait: this.retryDelay(), reason: end.reason };
      case 'relogin':
        this.session = undefined;
        this.note(end.reason);
        return { wait: this.retryDelay(), reason: end.reason };
      case 'failover':
        this.session = undefined;
        this.server++;
        this.note(end.reason);
        return { wait: this.retryDelay(), reason: end.reason };
      case 'refused':
        if (this.refusedOnce) {
          this.stop(new AuthError(`the ${this.platform} server refused the login: ${end.reason}`));
          return 'stop';
        }
        this.refusedOnce = true;
        this.session = undefined;
        this.note(`${end.reason}: logging in again`);
        return { wait: this.retryDelay(), reason: end.reason };
    }
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
    if (this.session !== undefined && this.driver.sessionUsable && !this.driver.sessionUsable(this.session)) this.session = undefined;
    return { wait: this.retryDelay(), reason: clean.message };
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
