/**
 * What a platform writes: the protocol steps of one connection, and nothing of its life cycle. The supervisor
 * (supervisor.ts) decides when each step runs, how long to wait after a failure, and when to stop for good; a
 * driver has no loop, no back-off and no timers of its own beyond its protocol's (a keepalive, a request deadline).
 */
import type { PbxError } from '../errors';
import type { PbxEvent } from '../model/events';
import type { OperationName } from '../operations/catalogue';
import type { ConnectionWarning } from './types';

/**
 * Why a stream ended, in the one vocabulary every platform uses. The supervisor maps each kind to one action:
 * - `ended`: the server closed it in an orderly way (a restart announced, a long poll that ran out): reopen at once
 *   (and quietly) when the stream had proven healthy, else back off;
 * - `lost`: the network or a keepalive gave up: back off, then reopen (with the same session when it still holds);
 * - `relogin`: the session is no longer valid (expired, the monitored set changed): back off, log in again;
 * - `failover`: this server will not serve us (the driver gave it its retries first, each on the back-off): log in
 *   on the next server at once, the first hop since a stream last came up; a further hop before one comes up backs
 *   off first. `sameSession` (the session serves every server, as a token does; the driver moves on at every drop):
 *   back off, then open the stream on the next server with the same session;
 * - `refused`: the server refused our credentials on the stream: log in again once when the session was not fresh,
 *   else fail for good;
 * - `fatal`: stop for good with this error (nothing restarts it);
 * - `aborted`: we closed it (the connection is closing, or the supervisor no longer needs it).
 */
export type StreamEnd =
  | { kind: 'ended'; reason: string }
  | { kind: 'lost'; reason: string }
  | { kind: 'relogin'; reason: string }
  | { kind: 'failover'; reason: string; sameSession?: boolean }
  | { kind: 'refused'; reason: string }
  | { kind: 'fatal'; error: PbxError }
  | { kind: 'aborted' };

export type StreamEndKind = StreamEnd['kind'];

/** Where a stream's output goes. Every call is cheap and never throws. */
export interface StreamSink {
  /** The stream gave its first input (or its "ready" marker): the healthy clock starts and the resync follows. */
  up(): void;
  /** Events for every listener (each already through the tracker). */
  deliver(events: PbxEvent[]): void;
  /** A warning for operators (scrubbed and rate-limited by the connection). */
  warn(warning: ConnectionWarning): void;
  /**
   * The server is there but cannot serve for now (TelServer lost its link to the PBX): state `reconnecting` with
   * `reason`, the stream and session stay (operations reach the server and get its own error). It lasts until the
   * stream ends; meanwhile the supervisor asks `driver.probe` on its capped back-off whether the server serves again.
   */
  hold(reason: string): void;
}

/** What a login attempt knows: which try it is and which server (index into the platform's server list) to use. */
export interface LoginContext {
  /** 1 for the first login of this connection, then one more per login attempt. */
  attempt: number;
  /** Fail-over position: 0 the first server; a driver takes it modulo its list. */
  server: number;
  /** Remember a value (a token, a cookie) so every message is scrubbed of it. */
  secret(value: string): void;
  signal: AbortSignal;
}

/** When a session must be renewed (a token refreshed), on the supervisor's clock (`SupervisorOptions.now`). */
export interface RenewalDue {
  /** When to renew (the driver's margin before expiry already taken off). */
  dueAt: number;
  /** When the current credential was issued: the renewal floor counts from it too. */
  issuedAt?: number;
}

export interface OperationContext {
  /** The user the operation acts for (the connection's own login when none given). */
  user?: string;
  signal?: AbortSignal;
  raw?: boolean;
  /** Remember a value so every message is scrubbed of it. */
  secret(value: string): void;
}

export interface PlatformDriver<S = unknown> {
  /** Log in (open the session). Throws AuthError for wrong credentials, PbxError INVALID_INPUT for settings that cannot work. */
  login(ctx: LoginContext): Promise<S>;
  /** Ask for events (where the platform separates it from opening the stream). */
  subscribe?(session: S, signal: AbortSignal): Promise<void>;
  /**
   * Runs the event stream until it ends; calls `sink.up()` once it has given its first input. `server` is the
   * fail-over position (as in LoginContext) for drivers whose session serves several servers.
   */
  openStream(session: S, sink: StreamSink, signal: AbortSignal, server: number): Promise<StreamEnd>;
  /** Reconciles the tracker with what the PBX has now (after every stream start); returns the events that follow. */
  resync(session: S, users: readonly string[], signal: AbortSignal): Promise<PbxEvent[]>;
  /**
   * A failed resync leaves nothing to trust (the platform's events only make sense from a snapshot): the stream
   * ends as `relogin` (back off, log in again) instead of going on with a warning; `reopen`: it ends as `lost`
   * (back off, open it again on the same session, which resyncs again; the driver has told why).
   */
  readonly resyncRequired?: boolean | 'reopen';
  /** While held (`sink.hold`): does the server serve again? A StreamEnd ends the stream with it; undefined: still held. */
  probe?(session: S, signal: AbortSignal): Promise<StreamEnd | undefined>;
  /** Whether `session` can still serve (an AMI session dies with its socket; a REST session may outlive a stream). */
  sessionUsable?(session: S): boolean;
  /**
   * Session-only mode (an action with no event listener yet): resolves when the session ends on its own; the
   * supervisor then logs in again at the next use (ready(), execute(), a listener), at once. Without it, a session
   * is trusted until an operation fails.
   */
  holdSession?(session: S, signal: AbortSignal): Promise<StreamEnd>;
  /** One operation with a live session. */
  execute(session: S, operation: OperationName, input: Record<string, unknown>, ctx: OperationContext): Promise<unknown>;
  supports(operation: OperationName): boolean;
  /** Why `operation` cannot run on this platform, said plainly (default: "<platform> cannot <operation>"). */
  unsupported?(operation: OperationName): string;
  /**
   * Sessions that must be renewed while they serve (a token that expires): when next. The supervisor runs `renew`
   * then, never sooner than its floor after the last renewal nor more often than its per-window ceiling; failures
   * retry on the capped back-off; a refused renewal (AuthError) or too many failures log in again.
   */
  renewal?(session: S): RenewalDue | undefined;
  /** Renews `session` in place (the stream stays up). */
  renew?(session: S, signal: AbortSignal): Promise<void>;
  /** What a renewal is called in warnings ("token refresh"). */
  readonly renewalName?: string;
  /** Calls with no news for too long end (run on a timer by the supervisor). */
  sweep?(): PbxEvent[];
  /** Keep raw platform events in each PbxEvent (someone asked for them), or stop. */
  rawWanted?(wanted: boolean): void;
  /** Release the session (log off); the supervisor calls it once, on close. */
  shutdown(session: S | undefined): Promise<void>;
}
