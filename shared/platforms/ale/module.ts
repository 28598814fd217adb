/**
 * What the ALE platforms (OpenTouch, O2G) are: their names, their settings schema, their driver on the one
 * supervisor, and their operations (operations/*, the one source). `shared/platforms/index.ts` registers `create`.
 *
 * Until something needs events (an `onEvent` / `onRawEvent` listener, an OpenTouch routing change) a connection is
 * a session only (the supervisor's session-only mode): no subscription, no channel, no resync; it logs in at its
 * first use (ready(), an operation), not when constructed.
 */
import { retryOptions } from '../../connection/settings';
import { SupervisedConnection, type SupervisorOptions } from '../../connection/supervisor';
import type { ConnectionConfig, ConnectionWarning, EventSubscription, OperationOptions, PbxConnection } from '../../connection/types';
import { ActingUserError, AuthError, InputError, PbxError } from '../../errors';
import type { Party, PbxEvent, Platform } from '../../model/events';
import { operationSpec, type OperationName } from '../../operations/catalogue';
import { validateInput } from '../../operations/validate';
import type { AleEvent } from './decoder';
import { AleDriver, type AleDiagnostic, type AleLink, type AleStats } from './driver';
import type { AlePipeline } from './pipeline';
import type { AleRest } from './rest';
import { ALE_SETTINGS, aleSettings, rawOf, type AleSettings } from './settings';

export { DEFAULT_CHANNEL_IDLE_MS, type AleDiagnostic, type AleStats } from './driver';

export type AlePlatformName = 'opentouch' | 'o2g';

export const platforms: readonly AlePlatformName[] = ['opentouch', 'o2g'];
export const displayName = 'ALE (OpenTouch, O2G)';
export const settings = ALE_SETTINGS;

/**
 * Operations that do not act for one user (the directory is the company's): an administrator connection runs them
 * as its own login. Every other operation needs the user it acts for.
 */
const NO_ACTING_USER = new Set<OperationName>(['searchDirectory', 'getUser']);

/** Routing changes OpenTouch confirms or refuses by event only. */
const ROUTING_CHANGES = new Set<OperationName>(['setForward', 'cancelForward', 'setOverflow', 'cancelOverflow']);

export class AleConnection extends SupervisedConnection<AleLink> {
  declare readonly platform: AlePlatformName;
  readonly ale: AleDriver;
  // Private (#) so that neither `util.inspect` nor JSON shows the password.
  readonly #settings: AleSettings;
  private readonly diagListeners = new Set<(d: AleDiagnostic) => void>();

  /** Settings are checked before anything opens: a bad configuration throws PbxError INVALID_INPUT and leaves nothing behind. */
  constructor(config: ConnectionConfig) {
    const ref: { conn?: AleConnection } = {};
    const { driver, options, settings: s } = assemble(config, ref);
    super(driver, options);
    ref.conn = this;
    this.ale = driver;
    this.#settings = s;
    // The password in every form, and the Basic value `login:password` a server may echo from its headers.
    this.secrets.addPassword(s.password, s.login);
    // `connected` after events were wanted means subscribed and resynced (the supervisor's `connected` phase).
    this.onTransition((to) => {
      if (to === 'connected' && driver.events.wanted) driver.events.resynced = true;
    });
  }

  get rest(): AleRest {
    return this.ale.rest;
  }

  get pipeline(): AlePipeline {
    return this.ale.pipeline;
  }

  get stats(): AleStats {
    return this.ale.stats;
  }

  /** Logins whose calls this connection follows. */
  get monitoredUsers(): string[] {
    return [...this.ale.monitoredUsers];
  }

  /** Whether the subscription and event channel have been asked for. */
  get eventsStarted(): boolean {
    return this.ale.events.wanted;
  }

  /** Decoded ALE events as they arrive (routing operations wait on them). Starts the event stream. */
  onRawEvent(listener: (event: AleEvent) => void): () => void {
    this.eventsForGood();
    return this.ale.addRawListener(listener);
  }

  /** Normalized events; the first listener starts the subscription and the event channel. */
  override onEvent(listener: (event: PbxEvent) => void, options?: EventSubscription): () => void {
    if (!this.closed) this.ale.events.wanted = true;
    return super.onEvent(listener, options);
  }

  /**
   * Every warning, unrated and with its error when there is one (`onWarning` gets them rate-limited). Kept for the
   * tests and hosts that read the error itself; new code listens to `onWarning`.
   */
  onDiagnostic(listener: (d: AleDiagnostic) => void): () => void {
    this.diagListeners.add(listener);
    return () => this.diagListeners.delete(listener);
  }

  /** A monitored user's own number and name, once learned from the PBX. */
  selfParty(user: string): Party | undefined {
    return this.ale.selves.get(user);
  }

  /** O2G or OpenTouch, as the session's `serverInfo.productType` says (O2G: `O2G`; OpenTouch: `OTMS`, `OTBE`...). */
  serverKind(): Platform | undefined {
    const t = this.ale.session.productType?.toUpperCase();
    if (!t) return undefined;
    return t.startsWith('O2G') ? 'o2g' : t.startsWith('OT') ? 'opentouch' : undefined;
  }

  /** A session-only `connected` does not mean subscribed: once events are wanted, ready() waits for the first resync. */
  protected override isReady(): boolean {
    const e = this.ale.events;
    return super.isReady() && (!e.wanted || e.resynced);
  }

  /**
   * The input is checked and the acting user chosen before anything is sent; then the supervisor's rule (a session,
   * then the driver). Each REST request has its deadline: an unreachable PBX gives NETWORK or TIMEOUT, never a wait
   * without end.
   */
  override async execute(operation: OperationName, input: Record<string, unknown>, options: OperationOptions = {}): Promise<unknown> {
    if (this.closed) throw new PbxError('CLOSED', 'The connection is closed');
    if (this.fatal) throw this.fatal;
    const valid = validateInput(operation, input);
    const user = this.actingUser(operation, options.user);
    // OpenTouch refuses a routing change by event only (a read-back would end in TIMEOUT): it needs the stream.
    // Any other operation waits on events only when the stream is there anyway, and reads the state back otherwise.
    if (this.platform === 'opentouch' && ROUTING_CHANGES.has(operation) && !this.ale.events.wanted) {
      this.eventsForGood();
      await this.ready(this.#settings.requestTimeoutMs * 3).catch(() => undefined);
    }
    try {
      return await super.execute(operation, valid, { ...options, user });
    } catch (err) {
      // A wrong password met by an operation stops the connection as one met by the life cycle does (no retry storm).
      if (err instanceof AuthError) this.failNow(err);
      throw err;
    }
  }

  /** Every warning goes to `onDiagnostic` listeners, and rate-limited to `onWarning` ones; both scrubbed. */
  protected override warn(w: ConnectionWarning): void {
    this.diag({ kind: w.kind as AleDiagnostic['kind'], message: w.message });
  }

  /** The driver's diagnostics (with their errors), and the supervisor's warnings. */
  diag(d: AleDiagnostic): void {
    if (this.closed) return;
    const message = this.scrub(d.message);
    const out: AleDiagnostic = { kind: d.kind, message };
    if (d.error) out.error = this.scrubError(d.error);
    for (const l of this.diagListeners) {
      try {
        l(out);
      } catch {
        // a listener's bug is the listener's
      }
    }
    super.warn({ kind: d.kind, message });
  }

  /** A session token, scrubbed from every later message. */
  sessionToken(token: string): void {
    this.secrets.addSessionCookie(token);
  }


  protected override async shutdown(): Promise<void> {
    await super.shutdown();
    this.diagListeners.clear();
  }

  private eventsForGood(): void {
    if (this.ale.events.wanted || this.closed) return;
    this.ale.events.wanted = true;
    // For good: a stream once asked for stays (raw listeners and routing changes count as listeners for the life cycle).
    this.needEvents();
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
    const c = this.#settings;
    if (c.sessionKind !== 'admin' || NO_ACTING_USER.has(operation)) return c.login;
    const users = this.monitoredUsers;
    if (users.includes(c.login)) return c.login;
    throw new ActingUserError(operation, operationSpec(operation)?.displayName ?? operation, users);
  }
}

/**
 * The driver and the supervisor's options a configuration stands for (no `this`: it runs before the connection
 * exists). The configuration is read through the ALE settings schema, as every host reads it: a wrong value throws
 * PbxError INVALID_INPUT naming its config path, and what is not given takes the schema's default (urlKind `public`).
 */
function assemble(config: ConnectionConfig, ref: { conn?: AleConnection }): { driver: AleDriver; options: SupervisorOptions; settings: AleSettings } {
  if (config.platform !== 'opentouch' && config.platform !== 'o2g') throw new PbxError('INVALID_INPUT', `Not an ALE platform: ${config.platform}`);
  const s = aleSettings(rawOf(config), 'config');
  const users = s.sessionKind === 'admin' ? s.users : [s.login];
  // The driver's diagnostics reach the connection once it exists (none are raised while constructing).
  const driver = new AleDriver(config.platform, s, users, {
    diag: (d) => ref.conn?.diag(d),
    scrubber: { scrub: (text) => ref.conn?.scrubText(text) ?? text },
    token: (t) => ref.conn?.sessionToken(t),
  });
  const options: SupervisorOptions = {
    platform: config.platform, user: s.login, users,
    ...retryOptions(s),
    events: 'when-listened',
    start: 'on-demand',
    executeNeeds: 'session',
    // Calls with no news end on the local clock, even when no event arrives.
    expiryEveryMs: Math.min(60_000, Math.max(1000, s.callTtlMs)),
  };
  return { driver, options, settings: s };
}

export function create(config: ConnectionConfig): AleConnection {
  return new AleConnection(config);
}

export function createAleConnection(config: ConnectionConfig): PbxConnection {
  return create(config);
}
