/** Call control operations: validated input in, typed result out. Paths and bodies live in telephony-endpoints.ts. */
import { PbxError } from '../../../errors';
import { checkCallCapability } from './capabilities';
import { numberOf, resolveDevice } from './devices';
import { TELEPHONY } from './telephony-endpoints';
import { send, type AleOperationContext, type AleRestLike } from './types';

type Input = Record<string, unknown>;
type Handler = (rest: AleRestLike, input: Input, ctx: AleOperationContext) => Promise<unknown>;

export interface ActionResult {
  ok: true;
  operation: string;
  callId?: string;
}

const s = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** A call action on `callId`: capability check first, then the endpoint. */
function callAction(op: keyof typeof TELEPHONY, build: (rest: AleRestLike, input: Input, ctx: AleOperationContext) => Promise<object> | object): Handler {
  return async (rest, input, ctx) => {
    const callId = s(input.callId);
    // Input errors first (a missing park target), then what the call allows, then the request.
    const built = await build(rest, input, ctx);
    checkCallCapability(op, ctx.findCall?.(callId, ctx.user));
    const args = { callId, ...built };
    await send(rest, TELEPHONY[op] as never, args as never, ctx);
    return { ok: true, operation: op, callId } satisfies ActionResult;
  };
}

/** O2G sends `anonymous` always (SDK); OpenTouch only when set (spec: omitted = not set). */
const anonymousFlag = (i: Input, ctx: AleOperationContext): boolean | undefined =>
  i.anonymous === true ? true : ctx.platform === 'o2g' ? false : undefined;

const withDevice = (rest: AleRestLike, input: Input, ctx: AleOperationContext) =>
  resolveDevice(rest, ctx, input.deviceId, s(input.callId)).then((deviceId) => ({ deviceId }));

export const TELEPHONY_HANDLERS: Record<string, Handler> = {
  async makeCall(rest, input, ctx) {
    const deviceId = await resolveDevice(rest, ctx, input.deviceId);
    // The PBX gives no creation time: the call began when it was asked for (it did not predate the connection).
    const placedAt = Date.now();
    const res = await send<unknown, { deviceId: string; destination: string; autoAnswer: boolean }>(
      rest, TELEPHONY.makeCall, { deviceId, destination: s(input.destination), autoAnswer: input.autoAnswer === true }, ctx);
    // The 201 body is a bare string (the new callRef, we believe); O2G may answer 204 with nothing.
    const callId = typeof res === 'string' && res ? res : typeof (res as { callRef?: unknown })?.callRef === 'string' ? (res as { callRef: string }).callRef : undefined;
    const out = { ok: true, operation: 'makeCall', ...(callId ? { callId } : {}), deviceId };
    if (callId) ctx.placed?.(ctx.user, callId, placedAt);
    if (!callId || !ctx.normalizeCalls || ctx.raw) return out;
    // The reply has ids only: the new call in the normalized model (destination, state) comes from the user's call
    // list, one more GET; no event stream is needed, so an action stays a session-only request.
    const call = await send<{ calls?: unknown[] } | undefined, object>(rest, TELEPHONY.listCalls, {}, ctx)
      .then(async (r) => (await ctx.normalizeCalls!(ctx.user, Array.isArray(r?.calls) ? r.calls : [])).find((c) => c.id === callId))
      .catch(() => undefined); // the call was placed: a failed look-up must not turn that into an error
    return { ...out, call: call ?? { id: callId, direction: 'outgoing', to: { number: s(input.destination) }, startedAt: new Date(placedAt).toISOString() } };
  },
  async listCalls(rest, _input, ctx) {
    const res = await send<{ calls?: unknown[] } | undefined, object>(rest, TELEPHONY.listCalls, {}, ctx);
    const calls = Array.isArray(res?.calls) ? res.calls : [];
    return { calls: ctx.normalizeCalls && !ctx.raw ? await ctx.normalizeCalls(ctx.user, calls) : calls };
  },
  answer: callAction('answer', withDevice),
  hangUp: callAction('hangUp', () => ({})),
  hold: callAction('hold', withDevice),
  retrieve: callAction('retrieve', withDevice),
  alternate: callAction('alternate', async (rest, i, ctx) => {
    const device = await withDevice(rest, i, ctx);
    if (ctx.platform === 'opentouch') return device;
    // O2G names the active call in the path (see telephony-endpoints.ts): find the user's other, active call.
    const held = s(i.callId);
    const res = await send<{ calls?: Array<{ callRef?: unknown; legs?: Array<{ state?: unknown }> }> } | undefined, object>(rest, TELEPHONY.listCalls, {}, ctx);
    const active = (res?.calls ?? []).find((c) => typeof c.callRef === 'string' && c.callRef !== held && (c.legs ?? []).some((l) => l.state === 'ACTIVE'));
    if (!active) throw new PbxError('NOT_ALLOWED', `Alternate: ${ctx.user} has no active call to hold while going back to call ${held}`);
    return { ...device, callId: active.callRef as string };
  }),
  transfer: callAction('transfer', (_r, i) => ({ heldCallId: s(i.heldCallId) })),
  blindTransfer: callAction('blindTransfer', (_r, i, ctx) => ({ destination: s(i.destination), anonymous: anonymousFlag(i, ctx) })),
  redirect: callAction('redirect', (_r, i, ctx) => ({ destination: s(i.destination), anonymous: anonymousFlag(i, ctx) })),
  async sendToVoicemail(rest, input, ctx) {
    if (ctx.platform === 'opentouch') return callAction('sendToVoicemail', () => ({}))(rest, input, ctx);
    const callId = s(input.callId);
    checkCallCapability('sendToVoicemail', ctx.findCall?.(callId, ctx.user));
    await send(rest, TELEPHONY.overflowToVoicemail, { callId }, ctx);
    return { ok: true, operation: 'sendToVoicemail', callId } satisfies ActionResult;
  },
  conference: callAction('conference', (_r, i) => ({ heldCallId: s(i.heldCallId) })),
  addParticipant: callAction('addParticipant', (_r, i) => ({ destination: s(i.destination) })),
  sendDtmf: callAction('sendDtmf', async (rest, i, ctx) => {
    const digits = s(i.digits);
    if (!/^[0-9*#A-Da-d]+$/.test(digits)) throw new PbxError('INVALID_INPUT', `Send DTMF: "Digits" may hold only 0-9, *, # (and A-D), got "${digits}"`);
    return { ...(await withDevice(rest, i, ctx)), digits };
  }),
  park: callAction('park', (_r, i, ctx) => {
    const destination = s(i.destination).trim();
    // The O2G SDK will not send a park without a target; OpenTouch parks on the current device when none is given.
    if (!destination && ctx.platform === 'o2g') throw new PbxError('INVALID_INPUT', 'Park: give the number to park the call on ("Destination")');
    return { destination: destination || undefined };
  }),
  pickUp: callAction('pickUp', async (rest, i, ctx) => ({
    deviceId: await resolveDevice(rest, ctx, i.deviceId),
    otherNumber: await numberOf(rest, ctx, s(i.otherUser)),
  })),
};
