/**
 * Routing endpoints (forward, overflow, do-not-disturb), per platform: OpenTouch uses "custom routing"
 * (`POST /routing` with `forwardRoutes[]` and a `requestId`, results by event); O2G has dedicated
 * resources (`/routing/forwardroute`, `/routing/dnd`) and no `requestId`. The spec lost every request
 * body here, so each shape below is marked with where it comes from. Paths are below the `routing` service URL;
 * O2G shapes are those of o2g-node-sdk src/internal/rest/routing-rest.ts.
 */
import type { AlePlatform, Endpoint } from './types';

export type Condition = 'immediate' | 'busy' | 'no_answer' | 'busy_no_answer';
export interface RouteInput {
  target: 'number' | 'voicemail';
  number?: string;
  condition: Condition;
  requestId?: string;
}

/** There is no IMMEDIATE literal on the wire: an immediate forward has no `forwardType`. */
export const wireCondition = (c: Condition): string | undefined => (c === 'immediate' ? undefined : c.toUpperCase());

const destination = (i: RouteInput, numberType: string, selected: boolean) => {
  const d: Record<string, unknown> = i.target === 'voicemail' ? { type: 'VOICEMAIL' } : { type: numberType, number: i.number };
  if (selected) d.selected = true;
  return d;
};

export interface RoutingEndpoints {
  getState: Endpoint<object>;
  setForward: Endpoint<RouteInput>;
  cancelForward: Endpoint<{ requestId?: string }>;
  setOverflow: Endpoint<RouteInput>;
  cancelOverflow: Endpoint<{ requestId?: string }>;
  /** Absent: the platform has no do-not-disturb. */
  dndOn?: Endpoint<object>;
  dndOff?: Endpoint<object>;
  getDnd?: Endpoint<object>;
  /** The platform correlates asynchronous results with our `requestId`. */
  usesRequestId: boolean;
}

export const ROUTING: Record<AlePlatform, RoutingEndpoints> = {
  opentouch: {
    getState: { method: 'GET', service: 'routing', path: () => '/state' },
    setForward: {
      method: 'POST', service: 'routing', path: () => '',
      body: (i) => ({ forwardRoutes: [{ ...(wireCondition(i.condition) ? { forwardType: wireCondition(i.condition) } : {}), destinations: [destination(i, 'NUMBER', true)] }], requestId: i.requestId }),
      inferred: 'SetRoutesRequest body: the spec kept only example titles. NUMBER (STANDARD users) for numbers, selected:true as the inventory suggests.',
    },
    cancelForward: {
      method: 'POST', service: 'routing', path: () => '', body: (i) => ({ forwardRoutes: [], requestId: i.requestId }),
      inferred: 'The "disable an immediate forward" example lost its body; an empty forwardRoutes list unselects the forward.',
    },
    setOverflow: {
      method: 'POST', service: 'routing', path: () => '/overflowroute',
      body: (i) => ({ overflowRoutes: [{ overflowType: wireCondition(i.condition) ?? 'BUSY_NO_ANSWER', destinations: [destination(i, 'UNKNOWN', false)] }], requestId: i.requestId }),
      inferred: 'SetOverflowRoutesRequest body lost; numbers go as UNKNOWN, which the server turns into USER or OTHER.',
    },
    cancelOverflow: {
      method: 'DELETE', service: 'routing', path: () => '/overflowroute', query: (i) => ({ requestId: i.requestId }),
      inferred: 'CancelOverflowRoutesRequest is undefined in the spec; requestId goes as the query parameter the spec allows.',
    },
    usesRequestId: true,
  },
  o2g: {
    getState: { method: 'GET', service: 'routing', path: () => '/state' },
    setForward: {
      method: 'POST', service: 'routing', path: () => '/forwardroute',
      // SDK `forwardOnNumber` / `forwardOnVoiceMail` (src/types/routing/forward.ts toJson): no `selected`, and no
      // `forwardType` for IMMEDIATE (ForwardCondition.toForwardType).
      body: (i) => ({ forwardRoute: { ...(wireCondition(i.condition) ? { forwardType: wireCondition(i.condition) } : {}), destinations: [destination(i, 'NUMBER', false)] } }),
    },
    cancelForward: { method: 'DELETE', service: 'routing', path: () => '/forwardroute' },
    setOverflow: {
      method: 'POST', service: 'routing', path: () => '/overflowroute',
      // SDK `overflowOnVoiceMail`: `overflowRoutes` is ONE object (src/types/routing/overflow.ts toJson:
      // `{overflowType, destinations: [{type: 'VOICEMAIL', selected: true}]}`), to voicemail only; the handler
      // refuses a number target on O2G (neither SDK sends one).
      body: (i) => ({ overflowRoutes: { overflowType: wireCondition(i.condition) ?? 'BUSY_NO_ANSWER', destinations: [{ type: 'VOICEMAIL', selected: true }] } }),
    },
    cancelOverflow: { method: 'DELETE', service: 'routing', path: () => '/overflowroute' },
    dndOn: { method: 'POST', service: 'routing', path: () => '/dnd' },
    dndOff: { method: 'DELETE', service: 'routing', path: () => '/dnd' },
    getDnd: { method: 'GET', service: 'routing', path: () => '/dnd' },
    usesRequestId: false,
  },
};
