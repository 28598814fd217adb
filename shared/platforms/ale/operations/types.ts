/**
 * What the ALE operation modules need from the outside world, stated structurally so they depend on
 * the shape of the REST session (`AleRest`, shared/platforms/ale/rest.ts) and not on its construction.
 */
import type { CallInfo } from '../../../model/events';
import type { AleEvent } from '../decoder';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** The user acted for; the session adds `loginName` when it is an administrator session. */
  user?: string;
  timeoutMs?: number;
}

/** The one method of `AleRest` the operations use. Errors arrive as `PbxApiError` / `PbxError`. */
export interface AleRestLike {
  request<T>(method: HttpMethod, path: string, opts?: RequestOptions): Promise<T>;
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
}

/** One REST endpoint: a row of a domain table. `inferred` says what the spec lost and how we filled it. */
export interface Endpoint<I> {
  method: HttpMethod;
  path: (input: I) => string;
  body?: (input: I) => unknown;
  query?: (input: I) => Query;
  inferred?: string;
}

/** Path segments carry ids the PBX made (callRef, voicemailId may contain `+`): always encode them. */
export const seg = (v: string): string => encodeURIComponent(v);

/** Sends one endpoint of a table for the context's user. */
export function send<T, I>(rest: AleRestLike, ep: Endpoint<I>, input: I, ctx: AleOperationContext): Promise<T> {
  const opts: RequestOptions = { user: ctx.user };
  if (ep.body) opts.body = ep.body(input);
  if (ep.query) opts.query = ep.query(input);
  return rest.request<T>(ep.method, ep.path(input), opts);
}
