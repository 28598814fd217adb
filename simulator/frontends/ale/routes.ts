/**
 * How REST routes plug into the ALE front-end. The front-end owns sessions, subscriptions and the event channel;
 * feature routes (telephony actions, routing, messaging...) are plain handlers given an authenticated request.
 */
import type { VirtualPbx } from '../../pbx/virtual-pbx';
import type { SimUser } from '../../pbx/types';

export type AleFlavour = 'opentouch' | 'o2g';
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface SimRequest {
  method: RouteMethod;
  /** Path below the API base, e.g. `/telephony/calls/abc/answer`. */
  path: string;
  /** Values of `:name` segments of the route pattern, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when empty; the raw text when not JSON). */
  body: unknown;
  /** The user the request acts for: the session's user, or `loginName` in an administrator session. */
  user: string;
  session: { login: string; admin: boolean };
  headers: Record<string, string | string[] | undefined>;
}

export interface SimResponse {
  status: number;
  /** JSON-serialised unless it is a Buffer (sent as is) or undefined (no body). */
  body?: unknown;
  headers?: Record<string, string | string[]>;
}

export interface AleRoute {
  method: RouteMethod;
  /** Pattern below the API base, with `:name` segments: `/telephony/calls/:callRef/answer`. */
  path: string;
  handle(req: SimRequest): SimResponse | Promise<SimResponse>;
}

/** What feature routes may use. */
export interface OperationRouteContext {
  flavour: AleFlavour;
  pbx: VirtualPbx;
  users: SimUser[];
  /** Sends a raw ALE event (public `On*` form, with `loginName`) to the subscribers that want it. */
  publish(event: Record<string, unknown>): void;
}

export type RestErrorType =
  | 'NOT_READY' | 'INVALID_SESSION' | 'NOT_ALLOWED' | 'NOT_FOUND' | 'NOT_EXPECTED' | 'NOT_SUPPORTED' | 'BAD_PARAMETER' | 'SERVER_PROBLEM';

const ERROR_INFO: Record<RestErrorType, { code: number; canRetry: boolean; help: string }> = {
  NOT_READY: { code: 1000, canRetry: true, help: 'The server is not yet available. Please retry later if the initialization is not finished.' },
  INVALID_SESSION: { code: 1001, canRetry: true, help: 'No valid session found for the given identifier. Please logout and login with correct credentials.' },
  NOT_ALLOWED: { code: 1002, canRetry: false, help: 'The operation is not allowed, because of insufficient rights or bad credential.' },
  NOT_FOUND: { code: 1003, canRetry: true, help: 'Missing or bad parameter sent by a request on a service. Fix the problem and retry.' },
  NOT_EXPECTED: { code: 1004, canRetry: true, help: "The request can not be performed due to current user's state." },
  NOT_SUPPORTED: { code: 1005, canRetry: false, help: 'This operation is not supported. Please check the documentation.' },
  BAD_PARAMETER: { code: 1006, canRetry: true, help: 'Request parameters are not correct. Please fix the problem and send the request back.' },
  SERVER_PROBLEM: { code: 1007, canRetry: false, help: 'Server general problem. Please contact the administrator to fix the problem.' },
};

const STATUS_NAMES: Record<number, string> = {
  400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 500: 'INTERNAL_SERVER_ERROR', 503: 'SERVICE_UNAVAILABLE',
};

/** A `RestErrorInfo` answer, as OpenTouch and O2G send it. */
export function restError(status: number, type: RestErrorType, innerMessage?: string): SimResponse {
  const i = ERROR_INFO[type];
  const body: Record<string, unknown> = { httpStatus: STATUS_NAMES[status] ?? String(status), code: i.code, helpMessage: i.help, type, canRetry: i.canRetry };
  if (innerMessage) body.innerMessage = innerMessage;
  return { status, body };
}

/** Matches `/a/:b/c` against a path; returns the decoded params or undefined. */
export function matchRoute(pattern: string, path: string): Record<string, string> | undefined {
  const ps = pattern.split('/');
  const xs = path.split('/');
  if (ps.length !== xs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    if (ps[i].startsWith(':')) {
      try {
        params[ps[i].slice(1)] = decodeURIComponent(xs[i]);
      } catch {
        return undefined;
      }
    } else if (ps[i].toLowerCase() !== xs[i].toLowerCase()) return undefined;
  }
  return params;
}
