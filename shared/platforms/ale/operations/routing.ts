/**
 * Routing operations. The PBX answers 204 and confirms later: OpenTouch with `OnRoutingStateChanged`
 * (carrying our `requestId` and the full new state) or `OnRoutingManagementFailed`; O2G with
 * `OnRoutingStateChanged` only (a refusal is an HTTP error). Each method resolves with the confirmed
 * new state, rejects with the failure, or rejects with TIMEOUT when neither the events nor a read-back
 * of the state confirm the change in time.
 */
import { randomBytes } from 'node:crypto';
import { PbxApiError, PbxError } from '../../../errors';
import type { RoutingInfo } from '../../../model/events';
import type { AleEvent } from '../decoder';
import { ROUTING, type Condition, type RouteInput } from './routing-endpoints';
import { routingInfoOf } from './routing-state';
import { send, within, type AleOperationContext, type AleRestLike, type Endpoint } from './types';

type Input = Record<string, unknown>;
type Handler = (rest: AleRestLike, input: Input, ctx: AleOperationContext) => Promise<unknown>;

const DEFAULT_TIMEOUT_MS = 10_000;
/** How often the state is read back when there is no event channel to wait on. */
const POLL_MS = 250;

let counter = 0;
/** Unique per process and prefixed, so it never collides with another client's ids (spec advice). */
const newRequestId = (): string => `pbxflow-${randomBytes(3).toString('hex')}-${++counter}`;

export interface RoutingResult {
  ok: true;
  routing: RoutingInfo;
}

/** Sends a routing change and waits for its confirmation. */
async function changeRouting<I extends { requestId?: string }>(
  rest: AleRestLike,
  ctx: AleOperationContext,
  ep: Endpoint<I>,
  input: I,
  expected: (r: RoutingInfo) => boolean,
): Promise<RoutingResult> {
  const eps = ROUTING[ctx.platform];
  const requestId = eps.usesRequestId ? newRequestId() : undefined;
  const timeoutMs = ctx.routingTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;

  // Listen before sending: the confirmation can beat the 204 home.
  let settle: ((r: RoutingInfo | Error) => void) | undefined;
  const confirmed = new Promise<RoutingInfo | Error>((resolve) => (settle = resolve));
  const unsubscribe = ctx.rawEvents?.((e: AleEvent) => {
    if (e.loginName !== undefined && e.loginName !== ctx.user) return;
    const ours = e.requestId === undefined || e.requestId === requestId;
    if (e.eventName === 'OnRoutingManagementFailed' && ours) settle!(routingFailure(e));
    else if (e.eventName === 'OnRoutingStateChanged' && ours) {
      const info = routingInfoOf(e.routingState);
      // With our requestId the event is the answer; without one it may be an older change, so check it.
      if ((requestId !== undefined && e.requestId === requestId) || expected(info)) settle!(info);
    }
  });

  try {
    await send(rest, ep, { ...input, requestId }, ctx);
    let result: RoutingInfo | Error | undefined;
    if (unsubscribe) result = await within(confirmed, deadline - Date.now());
    if (result instanceof Error) throw result;
    if (result) return { ok: true, routing: result };
    // No event in time (or no channel): the state itself is the last word.
    return { ok: true, routing: await readBackUntil(rest, ctx, expected, deadline, unsubscribe !== undefined) };
  } finally {
    unsubscribe?.();
  }
}

async function readBackUntil(
  rest: AleRestLike,
  ctx: AleOperationContext,
  expected: (r: RoutingInfo) => boolean,
  deadline: number,
  once: boolean,
): Promise<RoutingInfo> {
  for (;;) {
    const info = routingInfoOf(await send(rest, ROUTING[ctx.platform].getState, {}, ctx));
    if (expected(info)) return info;
    if (once || Date.now() + POLL_MS > deadline) {
      throw new PbxError('TIMEOUT', `The PBX did not confirm the routing change for ${ctx.user} in time`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function routingFailure(e: AleEvent): PbxApiError {
  const code = typeof e.resultCode === 'string' ? e.resultCode : 'ERROR_UNEXPECTED';
  const detail = [e.cause, e.comment].filter((x) => typeof x === 'string' && x).join(': ');
  return new PbxApiError(`The PBX refused the routing change (${code}${detail ? `, ${detail}` : ''})`, {
    type: code,
    code,
    canRetry: false,
  });
}

function routeInput(input: Input, op: string): RouteInput {
  const target = input.target === 'voicemail' ? 'voicemail' : 'number';
  const number = typeof input.number === 'string' ? input.number.trim() : '';
  if (target === 'number' && !number) throw new PbxError('INVALID_INPUT', `${op}: "Number" is required when forwarding to a number`);
  return { target, number: target === 'number' ? number : undefined, condition: (input.condition as Condition) ?? 'immediate' };
}

const sameRoute = (want: RouteInput) => (r: RoutingInfo['forward']): boolean =>
  !!r &&
  r.condition === want.condition &&
  (want.target === 'voicemail' ? r.type === 'voicemail' : r.destination === want.number);

function unsupported(ctx: AleOperationContext, what: string): PbxError {
  return new PbxError('UNSUPPORTED', `${ctx.platform === 'opentouch' ? 'OpenTouch' : 'O2G'} has no ${what}`);
}

export const ROUTING_HANDLERS: Record<string, Handler> = {
  async getRouting(rest, _input, ctx) {
    const state = await send(rest, ROUTING[ctx.platform].getState, {}, ctx);
    return { ...routingInfoOf(state), state };
  },
  async setForward(rest, input, ctx) {
    const want = routeInput(input, 'Set Forward');
    return changeRouting(rest, ctx, ROUTING[ctx.platform].setForward, want, (r) => sameRoute(want)(r.forward));
  },
  async cancelForward(rest, _input, ctx) {
    return changeRouting(rest, ctx, ROUTING[ctx.platform].cancelForward, {}, (r) => r.forward === null);
  },
  async setOverflow(rest, input, ctx) {
    const want = routeInput({ condition: 'no_answer', ...input }, 'Set Overflow');
    if (want.condition === 'immediate') throw new PbxError('INVALID_INPUT', 'Set Overflow: "When" must be busy, no_answer or busy_no_answer');
    // The O2G SDK overflows to voicemail only (routing-rest.ts `overflowOnVoiceMail`): a number is not a request it sends.
    if (ctx.platform === 'o2g' && want.target !== 'voicemail') throw new PbxError('INVALID_INPUT', 'Set Overflow: O2G overflows to voicemail only; set "Overflow To" to voicemail');
    return changeRouting(rest, ctx, ROUTING[ctx.platform].setOverflow, want, (r) => sameRoute(want)(r.overflow));
  },
  async cancelOverflow(rest, _input, ctx) {
    return changeRouting(rest, ctx, ROUTING[ctx.platform].cancelOverflow, {}, (r) => r.overflow === null);
  },
  async setDnd(rest, input, ctx) {
    const eps = ROUTING[ctx.platform];
    const on = input.enabled !== false;
    const ep = on ? eps.dndOn : eps.dndOff;
    if (!ep) throw unsupported(ctx, 'do-not-disturb');
    return changeRouting(rest, ctx, ep, {}, (r) => r.dnd === on);
  },
  async getDnd(rest, _input, ctx) {
    const ep = ROUTING[ctx.platform].getDnd;
    if (!ep) throw unsupported(ctx, 'do-not-disturb');
    const res = await send<{ activate?: boolean } | undefined, object>(rest, ep, {}, ctx);
    return { enabled: res?.activate === true };
  },
};
