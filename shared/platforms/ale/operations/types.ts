/**
 * What the ALE operation modules need from the outside world, stated structurally so they depend on
 * the shape of the REST session (`AleRest`, shared/platforms/ale/rest.ts) and not on its construction.
 */
import type { CallInfo } from '../../../model/events';
import type { AleEvent } from '../decoder';
import { servicePath, type AleServiceName } from '../services';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** The user acted for; the session adds `loginName` when it is an administrator session. */
  user?: string;
  timeoutMs?: number;
  /** Extra request headers; `Accept` here replaces the JSON default (voicemail mark-as-read sends `Range`). */
  headers?: Record<string, string>;
  /** Never add `loginName`: the O2G SDK sends none on this request (the device or call names the user). */
  noLoginName?: boolean;
}

/** The one method of `AleRest` the operations use. Errors arrive as `PbxApiError` / `PbxError`. */
export interface AleRestLike {
  request<T>(method: HttpMethod, path: string, opts?: RequestOptions): Promise<T>;
  /** The session, for its announced services (`SessionInfo.services`); absent: fixed paths. */
  readonly session?: { readonly services?: unknown; ensure?(): Promise<void> };
}

export type AlePlatform = 'opentouch' | 'o2g';

export interface AleOperationContext {
  platform: AlePlatform;
  /** The user the operation acts for (login name). */
  user: string;
  /**
   * Raw ALE events of the live channel, after decoding (public `On*` form). Routing operations wait on
   * `OnRoutingStateChanged` / `OnRoutingManagementFailed` through it. Returns the unsubscribe function.
   * Absent: routing operations confirm by reading the routing state back instead.
   */
  rawEvents?: (listener: (event: AleEvent) => void) => () => void;
  /** The call as the connection's tracker knows it (capabilities, device), if it does. */
  findCall?: (callId: string, user: string) => CallInfo | undefined;
  /** How long a routing change may take to be confirmed. Default 10 s. */
  routingTimeoutMs?: number;
  /** Operator warnings (a service the session does not announce, so a fixed path is used). */
  warn?: (message: string) => void;
  /** The PBX's call list in the normalized model (call-list.ts); absent or with `raw`: the PBX's own shape. */
  normalizeCalls?: (user: string, calls: unknown[]) => Promise<CallInfo[]>;
  /** The caller asked for the PBX's own answer. */
  raw?: boolean;
  /** Told of a call this connection placed (Make Call) and when: its start, for later call lists. */
  placed?: (user: string, callId: string, atMs: number) => void;
}

/** One REST endpoint: a row of a domain table. `inferred` says what the spec lost and how we filled it. */
export interface Endpoint<I> {
  method: HttpMethod;
  /** The session service the path is relative to (its URL comes from `SessionInfo.services`). */
  service: AleServiceName;
  /** Below the service URL: `''` is the service URL itself. */
  path: (input: I) => string;
  headers?: Record<string, string>;
  /** The O2G SDK sends no `loginName` on this request. */
  noLoginName?: boolean;
  body?: (input: I) => unknown;
  query?: (input: I) => Query;
  inferred?: string;
}

/** Path segments carry ids the PBX made (callRef, voicemailId may contain `+`): always encode them. */
export const seg = (v: string): string => encodeURIComponent(v);

/** The endpoint's path relative to the base URL: the service's announced URL, then the endpoint's own part. */
export function pathOf<I>(rest: AleRestLike, ep: Endpoint<I>, input: I, ctx: Pick<AleOperationContext, 'platform' | 'warn'>): string {
  return servicePath(ep.service, { platform: ctx.platform, services: rest.session?.services, warn: ctx.warn }) + ep.path(input);
}

/** Sends one endpoint of a table for the context's user. */
export async function send<T, I>(rest: AleRestLike, ep: Endpoint<I>, input: I, ctx: AleOperationContext): Promise<T> {
  const opts: RequestOptions = { user: ctx.user };
  if (ep.body) opts.body = ep.body(input);
  if (ep.query) opts.query = ep.query(input);
  if (ep.headers) opts.headers = ep.headers;
  if (ep.noLoginName && ctx.platform === 'o2g') opts.noLoginName = true;
  // The services are the session's: log in first when there is none yet. A service the session does not offer
  // fails here (UNSUPPORTED), before anything is sent.
  await rest.session?.ensure?.();
  const path = pathOf(rest, ep, input, ctx);
  return rest.request<T>(ep.method, path, opts);
}

/** What `p` gives within `ms`, or undefined once `ms` has passed (the wait for a confirming event). */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms))));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
