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
    checkCallCapability(op, ctx.findCall?.(callId, ctx.user));
    const args = { callId, ...(await build(rest, input, ctx)) };
    await send(rest, TELEPHONY[op] as never, args as never, ctx);
    return { ok: true, operation: op, callId } satisfies ActionResult;
  };
}

const withDevice = (rest: AleRestLike, input: Input, ctx: AleOperationContext) =>
  resolveDevice(rest, ctx, input.deviceId, s(input.callId)).then((deviceId) => ({ deviceId }));

export const TELEPHONY_HANDLERS: Record<string, Handler> = {
  async makeCall(rest, input, ctx) {
    const deviceId = await resolveDevice(rest, ctx, input.deviceId);
    const res = await send<unknown, { deviceId: string; destination: string; autoAnswer: boolean }>(
      rest, TELEPHONY.makeCall, { deviceId, destination: s(input.destination), autoAnswer: input.autoAnswer === true }, ctx);
    // The 201 body is a bare string (the new callRef, we believe); O2G may answer 204 with nothing.
    const callId = typeof res === 'string' && res ? res : typeof (res as { callRef?: unknown })?.callRef === 'string' ? (res as { callRef: string }).callRef : undefined;
    return { ok: true, operation: 'makeCall', ...(callId ? { callId } : {}), deviceId };
  },
  async listCalls(rest, _input, ctx) {
    const res = await send<{ calls?: unknown[] } | undefined, object>(rest, TELEPHONY.listCalls, {}, ctx);
    return { calls: res?.calls ?? [] };
  },
  answer: callAction('answer', withDevice),
  hangUp: callAction('hangUp', () => ({})),
  hold: callAction('hold', withDevice),
  retrieve: callAction('retrieve', withDevice),
  alternate: callAction('alternate', withDevice),
  transfer: callAction('transfer', (_r, i) => ({ heldCallId: s(i.heldCallId) })),
  blindTransfer: callAction('blindTransfer', (_r, i) => ({ destination: s(i.destination) })),
  redirect: callAction('redirect', (_r, i) => ({ destination: s(i.destination) })),
  sendToVoicemail: callAction('sendToVoicemail', () => ({})),
  conference: callAction('conference', (_r, i) => ({ heldCallId: s(i.heldCallId) })),
  addParticipant: callAction('addParticipant', (_r, i) => ({ destination: s(i.destination) })),
  sendDtmf: callAction('sendDtmf', async (rest, i, ctx) => {
    const digits = s(i.digits);
    if (!/^[0-9*#A-Da-d]+$/.test(digits)) throw new PbxError('INVALID_INPUT', `Send DTMF: "Digits" may hold only 0-9, *, # (and A-D), got "${digits}"`);
    return { ...(await withDevice(rest, i, ctx)), digits };
  }),
  park: callAction('park', (_r, i) => ({ destination: s(i.destination) })),
  pickUp: callAction('pickUp', async (rest, i, ctx) => ({
    deviceId: await resolveDevice(rest, ctx, i.deviceId),
    otherNumber: await numberOf(rest, ctx, s(i.otherUser)),
  })),
};
