/**
 * What every platform connection shares, so each platform writes only its protocol: listeners, the connection
 * state and `connection.state` events, `ready()` with a deadline, rate-limited and scrubbed warnings, the one
 * capped back-off (reset only after a stream has proven healthy), an interruptible sleep, "stop for good" on a
 * fatal error, and a handle that keeps the process alive while the connection is open (like an open socket).
 *
 * A platform subclass runs its own loop and calls: `connected()` once subscribed and resynced, `streamUp()` when
 * its event stream opens, `retryDelay()` for every failure, `fail(err)` for wrong credentials, `deliver(events)`,
 * `warn(w)`; it implements `supports`, `execute` and `shutdown`.
 */
import { inspect } from 'node:util';
import { AuthError, DecodeError, PbxApiError, PbxError } from '../errors';
import type { ConnectionStateInfo, PbxEvent, Platform } from '../model/events';
import { eventId } from '../model/ids';
import type { OperationName } from '../operations/catalogue';
import { ForwardHold } from '../tracker/forward-hold';
import { Backoff, type BackoffOptions } from './backoff';
import { Secrets } from './secrets';
import type { ConnectionState, ConnectionWarning, EventSubscription, OperationOptions, PbxConnection } from './types';
import { WarningLimiter } from './warnings';

interface Listener {
  fn: (e: PbxEvent) => void;
  includeRaw: boolean;
}

export interface BaseConnectionOptions {
  platform: Platform;
  /** Who `connection.state` events are about (the credential's login). */
  user: string;
  backoff?: BackoffOptions;
  /** A stream must stay up this long before the back-off starts again from its first step. Default 10 s. */
  healthyAfterMs?: number;
  /** Warnings of one kind shown per minute. Default 10. */
  warningsPerMinute?: number;
  /** How long the end of a view forwarded on no answer waits for a monitored user to ring (ms). Default 2 s. */
  forwardSettleMs?: number;
}

export abstract class BaseConnection implements PbxConnection {
  readonly platform: Platform;
  protected readonly backoff: Backoff;
  /** Values to scrub from every message built from server text. */
  protected readonly secrets = new Secrets();
  protected closed = false;
  protected fatal?: PbxError;
  private info: ConnectionStateInfo = { state: 'connecting' };
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<(s: ConnectionStateInfo) => void>();
  private readonly warningListeners = new Set<(w: ConnectionWarning) => void>();
  private readonly waiters = new Set<{ resolve: () => void; reject: (e: Error) => void }>();
  private readonly limiter: WarningLimiter;
  private readonly healthyAfterMs: number;
  private readonly stateUser: string;
  private upSince?: number;
  private stateSeq = 0;
  private wake?: () => void;
  private expiryTimer?: NodeJS.Timeout;
  /** The expiry sweep, started with the work (see `working()`). */
  private expiry?: { sweep: () => PbxEvent[]; everyMs: number };
  /**
   * Ref'd on purpose: a working connection keeps a CLI process alive through back-off sleeps (which are unref'd).
   * Created by `working()`, never in the constructor: a connection constructed and dropped (or whose subclass
   * constructor refused its settings after `super()`) must leave nothing that keeps the process up.
   */
  private aliveHandle?: NodeJS.Timeout;
  private keepAlive = true;
  /** Ends of views forwarded on no answer, waiting for the call's outcome (see forward-hold.ts). */
  private readonly forwardHold: ForwardHold;
  private forwardTimer?: NodeJS.Timeout;

  protected constructor(o: BaseConnectionOptions) {
    this.platform = o.platform;
    this.stateUser = o.user;
    this.backoff = new Backoff(o.backoff);
    this.healthyAfterMs = o.healthyAfterMs ?? 10_000;
    this.limiter = new WarningLimiter(o.warningsPerMinute ?? 10);
    this.forwardHold = new ForwardHold({ settleMs: o.forwardSettleMs });
  }

  get state(): ConnectionState {
    return this.info.state;
  }

  get stateInfo(): ConnectionStateInfo {
    return this.info;
  }

  /** Resolves once connected; rejects on a fatal error, on close, or (with `timeoutMs`) with a TIMEOUT error. */
  ready(timeoutMs?: number): Promise<void> {
    this.working();
    if (this.isReady()) return Promise.resolve();
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new PbxError('CLOSED', 'The connection is closed'));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const w = {
        resolve: () => { clearTimeout(timer); this.waiters.delete(w); resolve(); },
        reject: (e: Error) => { clearTimeout(timer); this.waiters.delete(w); reject(e); },
      };
      this.waiters.add(w);
      if (timeoutMs !== undefined && timeoutMs > 0) {
        timer = setTimeout(() => {
          const why = this.info.reason ? `: ${this.info.reason}` : '';
          w.reject(new PbxError('TIMEOUT', `The PBX connection was not ready within ${Math.round(timeoutMs / 1000)} s (${this.info.state}${why})`));
        }, timeoutMs);
      }
    });
  }

  onEvent(listener: (event: PbxEvent) => void, options: EventSubscription = {}): () => void {
    const l: Listener = { fn: listener, includeRaw: options.includeRaw === true };
    this.working();
    this.listeners.add(l);
    this.rawWanted(this.wantsRaw());
    return () => {
      this.listeners.delete(l);
      this.rawWanted(this.wantsRaw());
    };
  }

  onState(listener: (state: ConnectionStateInfo) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onWarning(listener: (w: ConnectionWarning) => void): () => void {
    this.warningListeners.add(listener);
    return () => this.warningListeners.delete(listener);
  }

  abstract supports(operation: OperationName): boolean;
  abstract execute(operation: OperationName, input: Record<string, unknown>, options?: OperationOptions): Promise<unknown>;
  /** Stop the loop and release server resources (sessions, sockets). Called once by `close()`. */
  protected abstract shutdown(): Promise<void>;
  /** Told when the first consumer asks for raw events or the last one stops (raw events cost memory per call). */
  protected rawWanted(_wanted: boolean): void {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    try {
      await this.shutdown();
    } finally {
      this.rejectWaiters(new PbxError('CLOSED', 'The connection was closed'));
      clearTimeout(this.forwardTimer);
      this.send(this.forwardHold.flush()); // what was held happened: said before the connection says it closed
      this.setState({ state: 'disconnected', reason: 'closed' });
      this.listeners.clear();
      this.stateListeners.clear();
      this.warningListeners.clear();
      clearInterval(this.aliveHandle);
      clearInterval(this.expiryTimer);
      this.aliveHandle = undefined;
      this.expiryTimer = undefined;
      this.secrets.clear();
    }
  }

  // ---- for subclasses ------------------------------------------------------------------------------

  /**
   * The connection starts working (first `ready()`, `onEvent()`, or a subclass's `execute()` / loop start): from
   * now on it keeps the process alive and expires calls on its timer. Idempotent; nothing after `close()`.
   */
  protected working(): void {
    if (this.closed) return;
    if (!this.aliveHandle) {
      this.aliveHandle = setInterval(() => undefined, 1 << 30);
      if (!this.keepAlive) this.aliveHandle.unref();
    }
    if (this.expiry && !this.expiryTimer) this.startExpiry(this.expiry.sweep, this.expiry.everyMs);
  }

  /** Whether `ready()` may resolve at once. A platform whose `connected` can precede its event stream narrows it. */
  protected isReady(): boolean {
    return this.info.state === 'connected';
  }

  protected wantsRaw(): boolean {
    for (const l of this.listeners) if (l.includeRaw) return true;
    return false;
  }

  /** Subscribed and resynced: state `connected`, `ready()` callers go on. */
  protected connected(): void {
    this.setState({ state: 'connected' });
    for (const w of [...this.waiters]) w.resolve();
  }

  /** The event stream is open. The back-off restarts from its first step once the stream has lasted `healthyAfterMs`. */
  protected streamUp(): void {
    this.upSince = Date.now();
  }

  /** The current stream has been up (see `streamUp`) for at least `healthyAfterMs`. */
  protected get streamHealthy(): boolean {
    return this.upSince !== undefined && Date.now() - this.upSince >= this.healthyAfterMs;
  }

  /** The stream ended or an attempt failed: how long to wait before the next try. Every failure path asks here. */
  protected retryDelay(): number {
    if (this.upSince !== undefined && Date.now() - this.upSince >= this.healthyAfterMs) this.backoff.reset();
    this.upSince = undefined;
    return this.backoff.next();
  }

  /** Stop for good (wrong credentials, refused account): nothing restarts it; `ready()` rejects with `err`. */
  protected fail(err: PbxError): void {
    const e = err instanceof AuthError ? new AuthError(this.scrub(err.message)) : new PbxError(err.code, this.scrub(err.message));
    this.fatal = e;
    this.setState({ state: 'failed', reason: e.message });
    this.rejectWaiters(e);
  }

  /** Callers of `ready()` hear about a failure instead of waiting (the loop goes on retrying). */
  protected rejectWaiters(err: Error): void {
    for (const w of [...this.waiters]) w.reject(err);
  }

  protected setState(info: ConnectionStateInfo): void {
    const next = info.reason !== undefined ? { ...info, reason: this.scrub(info.reason) } : info;
    const prev = this.info;
    if (prev.state === next.state && (next.state !== 'reconnecting' || (prev.reason === next.reason && prev.attempt === next.attempt))) return;
    this.info = next;
    for (const l of this.stateListeners) safe(() => l(next));
    const ev: PbxEvent = {
      id: eventId([this.platform, this.stateUser, 'connection.state', next.state, ++this.stateSeq, Date.now()]),
      type: 'connection.state',
      platform: this.platform,
      user: this.stateUser,
      time: new Date().toISOString(),
      connection: next,
    };
    for (const l of this.listeners) safe(() => l.fn(ev));
  }

  /** A warning for operators: scrubbed of secrets and rate-limited per kind. */
  protected warn(w: ConnectionWarning): void {
    const admitted = this.limiter.admit({ kind: w.kind, message: this.scrub(w.message) });
    if (!admitted) return;
    for (const l of this.warningListeners) safe(() => l(admitted));
  }

  protected deliver(events: PbxEvent[]): void {
    const now = Date.now();
    this.send(this.forwardHold.push(events, now));
    if (this.forwardHold.size) this.scheduleHold(now);
  }

  /** Held ends go out when their time comes, even when no other event arrives. */
  private scheduleHold(now: number): void {
    const due = this.forwardHold.nextDueAt();
    clearTimeout(this.forwardTimer);
    this.forwardTimer = undefined;
    if (due === undefined || this.closed) return;
    this.forwardTimer = setTimeout(() => {
      this.forwardTimer = undefined;
      const t = Date.now();
      this.send(this.forwardHold.tick(t));
      if (this.forwardHold.size) this.scheduleHold(t);
    }, Math.max(0, Math.min(due - now, 2 ** 31 - 1)));
    this.forwardTimer.unref();
  }

  private send(events: PbxEvent[]): void {
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

  protected scrub(text: string): string {
    return this.secrets.scrub(text);
  }

  /**
   * The same error (same class, code and fields) with known secrets taken out of its texts (message, help message,
   * excerpt, and its `cause` chain); a non-PbxError becomes one. Every error a host can see passes here.
   */
  protected scrubError(err: unknown): PbxError {
    return scrubErrorWith(err, (t) => this.scrub(t));
  }

  /**
   * Calls with no news expire on the local clock, on a timer: never on what a PBX says the time is, and even when
   * no event arrives. `sweep` is the tracker's (`() => tracker.sweep()`); what it returns is delivered.
   */
  protected watchExpiry(sweep: () => PbxEvent[], everyMs = 60_000): void {
    this.expiry = { sweep, everyMs };
    // Before the connection works there is nothing to expire: the timer starts with `working()`.
    if (this.aliveHandle) this.startExpiry(sweep, everyMs);
  }

  private startExpiry(sweep: () => PbxEvent[], everyMs: number): void {
    clearInterval(this.expiryTimer);
    this.expiryTimer = setInterval(() => {
      if (this.closed) return;
      try {
        this.deliver(sweep());
      } catch (err) {
        this.warn({ kind: 'decode', message: `call expiry failed: ${(err as Error).message}` });
      }
    }, everyMs);
    this.expiryTimer.unref();
  }

  /** While off, the open connection does not keep the process alive (a released connection lingering warm). */
  keepProcessAlive(on: boolean): void {
    this.keepAlive = on;
    if (on) this.aliveHandle?.ref();
    else this.aliveHandle?.unref();
  }

  /** Waits `ms`, or less when the connection closes or `interrupt()` is called. */
  protected sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      t.unref(); // the alive handle, not the sleep, keeps the process up; close() ends both
      this.wake = done;
    });
  }

  /** Ends a back-off sleep early (e.g. an operator asked to reconnect now). */
  protected interrupt(): void {
    this.wake?.();
  }

  [inspect.custom](): string {
    return `${this.constructor.name} { platform: '${this.platform}', state: '${this.info.state}' }`;
  }
}

/** Causes followed when scrubbing an error (a loop in `cause` must not hang). */
const MAX_CAUSES = 4;

/** `err` with `scrub` applied to every text it carries; the same object when nothing changed. */
export function scrubErrorWith(err: unknown, scrub: (text: string) => string, depth = 0): PbxError {
  if (!(err instanceof PbxError)) return new PbxError('PBX', scrub(String((err as Error)?.message ?? err)));
  const message = scrub(err.message);
  const help = err instanceof PbxApiError && err.helpMessage !== undefined ? scrub(err.helpMessage) : undefined;
  const excerpt = err instanceof DecodeError && err.excerpt !== undefined ? scrub(err.excerpt) : undefined;
  const cause = (err as { cause?: unknown }).cause;
  // A cause is kept only as a scrubbed PbxError: anything else (an HTTP library's error) may carry request headers.
  const scrubbedCause = cause === undefined ? undefined : depth < MAX_CAUSES ? scrubErrorWith(cause, scrub, depth + 1) : undefined;
  const same = message === err.message && help === (err as PbxApiError).helpMessage && excerpt === (err as DecodeError).excerpt && scrubbedCause === cause;
  if (same) return err;
  const options = scrubbedCause !== undefined ? { cause: scrubbedCause } : {};
  let out: PbxError;
  if (err instanceof AuthError) out = new AuthError(message, options);
  else if (err instanceof PbxApiError) out = new PbxApiError(message, { status: err.status, type: err.type, code: err.pbxCode, canRetry: err.canRetry, helpMessage: help });
  else if (err instanceof DecodeError) {
    out = new DecodeError(message);
    if (excerpt !== undefined) (out as { excerpt?: string }).excerpt = excerpt;
  } else out = new PbxError(err.code, message, { canRetry: err.canRetry, ...options });
  // A typed subclass (InputError, ActingUserError...) stays itself, with its own fields (texts scrubbed too).
  if (Object.getPrototypeOf(out) !== Object.getPrototypeOf(err)) Object.setPrototypeOf(out, Object.getPrototypeOf(err));
  out.name = err.name;
  const src = err as unknown as Record<string, unknown>;
  const dst = out as unknown as Record<string, unknown>;
  for (const k of Object.keys(err)) {
    if (Object.hasOwn(dst, k)) continue;
    dst[k] = typeof src[k] === 'string' ? scrub(src[k]) : src[k];
  }
  return out;
}

/** A listener that throws must not take the connection down. */
export function safe(f: () => void): void {
  try {
    f();
  } catch {
    // deliberately ignored: consumer bugs are the consumer's
  }
}
