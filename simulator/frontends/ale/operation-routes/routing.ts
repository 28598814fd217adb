/**
 * Simulated routing. OpenTouch: custom routing through `POST /routing` and `/routing/overflowroute`, answered
 * 204 and confirmed by `OnRoutingStateChanged` echoing the `requestId`, or refused by `OnRoutingManagementFailed`.
 * O2G: `/routing/forwardroute`, `/routing/overflowroute`, `/routing/dnd`; refusals are HTTP errors.
 */
import type { SimRouteState } from '../../../pbx/types';
import { renderRouting } from '../render';
import { restError, type AleRoute, type OperationRouteContext, type SimRequest, type SimResponse } from '../routes';
import { isNumber, obj, simFeatures, str, type SimOverflow } from './features';

type Forward = SimRouteState['forward'];
type Condition = 'immediate' | 'busy' | 'no_answer' | 'busy_no_answer';
const CONDITIONS: Record<string, Condition> = { BUSY: 'busy', NO_ANSWER: 'no_answer', BUSY_NO_ANSWER: 'busy_no_answer' };

/** One forward or overflow route from the wire; a string when it is refused. */
function readRoute(route: Record<string, unknown>, typeKey: 'forwardType' | 'overflowType'): { destination: string; condition: Condition } | string | null {
  const dests = Array.isArray(route.destinations) ? route.destinations.map(obj) : [];
  const d = dests.find((x) => x.selected !== false) ?? dests[0];
  if (!d) return null;
  const rawType = route[typeKey];
  const condition = rawType === undefined ? 'immediate' : CONDITIONS[String(rawType)];
  if (!condition) return `ERROR_BAD_PARAMETER_VALUE: ${typeKey} ${String(rawType)}`;
  if (d.type === 'VOICEMAIL') return { destination: 'voicemail', condition };
  const number = str(d.number);
  if (!number || !isNumber(number)) return `ERROR_UNKNOWN_PHONE_NUMBER: ${number ?? '(none)'}`;
  return { destination: number, condition };
}

export function routingRoutes(ctx: OperationRouteContext): AleRoute[] {
  const { pbx, flavour } = ctx;
  const f = simFeatures(pbx);

  const state = (user: string): Record<string, unknown> => {
    const rs = renderRouting(pbx.routing(user));
    const o = f.overflow.get(user);
    rs.overflowRoutes = o
      ? [{ overflowType: o.condition.toUpperCase(), destinations: [o.destination === 'voicemail' ? { type: 'VOICEMAIL', selected: true } : { type: 'NUMBER', number: o.destination, selected: true }] }]
      : [];
    // OpenTouch has no do-not-disturb at all.
    if (flavour === 'opentouch') delete rs.dndState;
    return rs;
  };
  const confirm = (user: string, requestId: unknown) => {
    const e: Record<string, unknown> = { eventName: 'OnRoutingStateChanged', loginName: user, routingState: state(user) };
    if (typeof requestId === 'string') e.requestId = requestId;
    ctx.publish(e);
  };
  const refuse = (user: string, requestId: unknown, why: string) => {
    const [resultCode, comment] = why.split(': ');
    ctx.publish({ eventName: 'OnRoutingManagementFailed', loginName: user, requestId, resultCode, cause: 'UNAUTHORIZED_PHONE_NUMBER', comment });
  };

  /** OpenTouch: always 204 first; the outcome follows as an event, as on the real server. */
  const asyncChange = (r: SimRequest, apply: () => string | undefined): SimResponse => {
    const requestId = obj(r.body).requestId ?? r.query.get('requestId') ?? undefined;
    if (f.silentRouting) return { status: 204 };
    const refusedByFault = f.refuseNextRouting;
    f.refuseNextRouting = undefined;
    setImmediate(() => {
      const refused = refusedByFault ?? apply();
      if (refused) refuse(r.user, requestId, refused);
      else confirm(r.user, requestId);
    });
    return { status: 204 };
  };
  /** O2G: a refusal is the HTTP answer; the new state follows as `OnRoutingStateChanged`. */
  const syncChange = (_r: SimRequest, apply: () => string | undefined): SimResponse => {
    if (f.silentRouting) return { status: 204 };
    const refused = f.refuseNextRouting ?? apply();
    f.refuseNextRouting = undefined;
    if (refused) return restError(400, 'BAD_PARAMETER', refused);
    return { status: 204 };
  };

  const setForward = (user: string, fwd: Forward): undefined => void pbx.setForward(user, fwd);
  const setOverflow = (user: string, o: SimOverflow | undefined): undefined => {
    if (o) f.overflow.set(user, o);
    else f.overflow.delete(user);
    return undefined;
  };
  // A forward change publishes its own event from the PBX; an overflow change is ours to announce.
  const overflowFrom = (r: SimRequest, list: unknown): string | undefined => {
    // OpenTouch (spec SetOverflowRoutesRequest): a list. O2G (SDK routing-rest.ts `overflowOnVoiceMail`): ONE object,
    // to voicemail only. The other shape is a request that client never sends: refused.
    if (flavour === 'o2g' && (Array.isArray(list) || !list || typeof list !== 'object')) return 'ERROR_BAD_PARAMETER_VALUE: overflowRoutes must be one OverflowRoute object';
    if (flavour === 'opentouch' && !Array.isArray(list)) return 'ERROR_BAD_PARAMETER_VALUE: overflowRoutes must be a list';
    const route = Array.isArray(list) ? obj(list[0]) : obj(list);
    if (flavour === 'o2g' && (Array.isArray(route.destinations) ? route.destinations : []).some((d) => obj(d).type !== 'VOICEMAIL')) {
      return 'ERROR_BAD_PARAMETER_VALUE: O2G overflows to VOICEMAIL only';
    }
    const parsed = readRoute(route, 'overflowType');
    if (typeof parsed === 'string') return parsed;
    if (!parsed || parsed.condition === 'immediate') return 'ERROR_BAD_PARAMETER_VALUE: overflowType is mandatory';
    return setOverflow(r.user, { destination: parsed.destination, condition: parsed.condition });
  };

  const routes: AleRoute[] = [
    {
      method: 'GET', path: '/routing',
      handle: () => ({ status: 200, body: { presentationRoute: true, forwardRoute: true, overflowRoute: true, ...(flavour === 'o2g' ? { dnd: true } : { currentDevice: true, manageProfile: false, applyProfileRoutes: false }) } }),
    },
    { method: 'GET', path: '/routing/state', handle: (r) => ({ status: 200, body: state(r.user) }) },
    {
      method: 'GET', path: '/routing/overflowroute',
      handle: (r) => ({ status: 200, body: (state(r.user).overflowRoutes as unknown[])[0] }),
    },
  ];

  if (flavour === 'opentouch') {
    routes.push(
      {
        method: 'POST', path: '/routing',
        handle: (r) => asyncChange(r, () => {
          const b = obj(r.body);
          const list = Array.isArray(b.forwardRoutes) ? b.forwardRoutes : [];
          // "When this parameter is not provided, the forward routes are unselected."
          const parsed = list.length ? readRoute(obj(list[0]), 'forwardType') : null;
          if (typeof parsed === 'string') return parsed;
          return setForward(r.user, parsed);
        }),
      },
      {
        method: 'POST', path: '/routing/overflowroute',
        handle: (r) => asyncChange(r, () => overflowFrom(r, obj(r.body).overflowRoutes)),
      },
      {
        method: 'DELETE', path: '/routing/overflowroute',
        handle: (r) => asyncChange(r, () => setOverflow(r.user, undefined)),
      },
    );
  } else {
    const overflowChanged = (r: SimRequest, res: SimResponse) => {
      if (res.status === 204 && !f.silentRouting) setImmediate(() => confirm(r.user, undefined));
      return res;
    };
    routes.push(
      {
        method: 'POST', path: '/routing/forwardroute',
        handle: (r) => syncChange(r, () => {
          const parsed = readRoute(obj(obj(r.body).forwardRoute), 'forwardType');
          if (typeof parsed === 'string') return parsed;
          if (!parsed) return 'ERROR_BAD_PARAMETER_VALUE: no destination';
          return setForward(r.user, parsed);
        }),
      },
      {
        method: 'GET', path: '/routing/forwardroute',
        handle: (r) => ({ status: 200, body: (state(r.user).forwardRoutes as unknown[])[0] }),
      },
      { method: 'DELETE', path: '/routing/forwardroute', handle: (r) => syncChange(r, () => setForward(r.user, null)) },
      { method: 'POST', path: '/routing/overflowroute', handle: (r) => overflowChanged(r, syncChange(r, () => overflowFrom(r, obj(r.body).overflowRoutes))) },
      { method: 'DELETE', path: '/routing/overflowroute', handle: (r) => overflowChanged(r, syncChange(r, () => setOverflow(r.user, undefined))) },
      { method: 'POST', path: '/routing/dnd', handle: (r) => syncChange(r, () => void pbx.setDnd(r.user, true)) },
      { method: 'DELETE', path: '/routing/dnd', handle: (r) => syncChange(r, () => void pbx.setDnd(r.user, false)) },
      { method: 'GET', path: '/routing/dnd', handle: (r) => ({ status: 200, body: { activate: pbx.routing(r.user).dnd } }) },
    );
  }
  return routes;
}
