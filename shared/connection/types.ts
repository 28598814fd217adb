/**
 * The platform interface: what n8n and Node-RED wrappers see. One connection per credential,
 * shared by every consumer through the registry; wrappers never touch a wire protocol.
 */
import type { ConnectionStateInfo, PbxEvent, Platform } from '../model/events';
import type { OperationName } from '../operations/catalogue';

export interface TlsOptions {
  /** Verify the PBX certificate (default true). Turning it off accepts a self-signed certificate. */
  rejectUnauthorized?: boolean;
  /** Extra CA certificate(s), PEM. */
  ca?: string;
}

export interface ConnectionConfig {
  platform: Platform;
  /** Base URL of the PBX API, e.g. `https://ot.example.com` (ALE) or `tcp://host:port` (TelServices). */
  url: string;
  /** Standby server for fail-over (ALE high availability). */
  secondaryUrl?: string;
  login: string;
  password: string;
  /** `user`: the login's own events; `admin`: an administrator session monitoring `users`. */
  sessionKind?: 'user' | 'admin';
  /** Logins/extensions to monitor (admin sessions); defaults to the login itself. */
  users?: string[];
  /** ALE: use the public or the private (LAN) URLs the server announces. */
  urlKind?: 'public' | 'private';
  tls?: TlsOptions;
  /** Per REST request. Default 10 s. */
  requestTimeoutMs?: number;
  /** Calls with no news for this long end with `endReason: unknown`. */
  callTtlMs?: number;
  /** Platform-specific settings (TelServices transport, Voicenter login type...). */
  extra?: Record<string, unknown>;
  /** How long the connection stays open once nobody holds it (ms; 0: close at once). Default: registry.ts. */
  lingerMs?: number;
}

export type ConnectionState = ConnectionStateInfo['state'];

export interface EventSubscription {
  /** Include the platform's raw events in each PbxEvent. */
  includeRaw?: boolean;
}

export interface OperationOptions {
  /** Act for this user (admin sessions); defaults to the connection's login. */
  user?: string;
  signal?: AbortSignal;
  /** Give the platform's own answer where the result is normalized otherwise (List Calls): for troubleshooting. */
  raw?: boolean;
}

/** Something an operator should see that is not an event: a skipped malformed line, a failed resync, a reconnect cause. */
export interface ConnectionWarning {
  kind: 'decode' | 'resync' | 'channel' | 'session';
  message: string;
}

export interface PbxConnection {
  readonly platform: Platform;
  readonly state: ConnectionState;
  /**
   * Resolves once logged in and subscribed (a connection nobody listens to yet: once logged in, which is all an
   * operation needs; its state is then `connected` too); rejects with AuthError (wrong password) or PbxError, and
   * with a TIMEOUT PbxError when `timeoutMs` passes first.
   */
  ready(timeoutMs?: number): Promise<void>;
  /** Normalized events, including `connection.state`. Returns the unsubscribe function. */
  onEvent(listener: (event: PbxEvent) => void, options?: EventSubscription): () => void;
  /** Connection state changes. Returns the unsubscribe function. */
  onState(listener: (state: ConnectionStateInfo) => void): () => void;
  /** Warnings (never secrets). Returns the unsubscribe function. */
  onWarning(listener: (warning: ConnectionWarning) => void): () => void;
  /**
   * Which platform the server that answered the login says it is, when it says (ALE: an O2G and an OpenTouch answer
   * the same login; a credential of the other kind half works). Undefined before login or when the server is silent.
   */
  serverKind?(): Platform | undefined;
  /** True when this platform implements the operation. */
  supports(operation: OperationName): boolean;
  /** Runs one operation: validated input in, typed result out; PbxError on failure. */
  execute(operation: OperationName, input: Record<string, unknown>, options?: OperationOptions): Promise<unknown>;
  close(): Promise<void>;
}

export type ConnectionFactory = (config: ConnectionConfig) => PbxConnection;
