/**
 * Messaging: voicemail (`/messaging/mailboxes`), the unread / missed-call counters (`/eventSummary`) and
 * OpenTouch instant messages (`/im`). Endpoint table first, operations below. Paths relative to `/api/rest/1.0`.
 * O2G names the messaging service `voicemail`; its SDK calls the service URL directly, which we take to be
 * the same `/messaging/mailboxes` collection [INFERRED].
 */
import { PbxError } from '../../../errors';
import { getUserProfile } from './devices';
import { seg, send, type AleOperationContext, type AleRestLike, type Endpoint } from './types';

interface Mailbox { mailboxId: string }
interface Message extends Mailbox { voicemailId: string }

export const MESSAGING = {
  mailboxes: { method: 'GET', path: () => '/messaging/mailboxes' } as Endpoint<object>,
  voicemails: {
    method: 'GET', path: (i) => `/messaging/mailboxes/${seg(i.mailboxId)}/voicemails`,
    // `limit` -1 is the spec's "no limit"; O2G sends these only when set and non-zero.
    query: (i) => ({ newOnly: i.newOnly || undefined, offset: i.offset || undefined, limit: i.limit > 0 ? i.limit : undefined }),
  } as Endpoint<Mailbox & { newOnly: boolean; offset: number; limit: number }>,
  deleteVoicemail: { method: 'DELETE', path: (i) => `/messaging/mailboxes/${seg(i.mailboxId)}/voicemails/${seg(i.voicemailId)}` } as Endpoint<Message>,
  /**
   * OpenTouch: GET of one voicemail returns it with its URL and marks it read. O2G: the same GET returns the
   * audio and its SDK adds `Range: bytes=0-1` to only mark it read [INFERRED: we send the plain GET].
   */
  markRead: { method: 'GET', path: (i) => `/messaging/mailboxes/${seg(i.mailboxId)}/voicemails/${seg(i.voicemailId)}` } as Endpoint<Message>,
  eventSummary: { method: 'GET', path: () => '/eventSummary' } as Endpoint<object>,
  /** IM session: 201 with the reference in `Location` (not visible to us), hence the list read after it. */
  imCreate: { method: 'POST', path: () => '/im/calls' } as Endpoint<object>,
  imList: { method: 'GET', path: () => '/im/calls' } as Endpoint<object>,
  imAddParticipants: { method: 'POST', path: (i) => `/im/calls/${seg(i.callRef)}/participants`, body: (i) => ({ participantIds: i.ids }) } as Endpoint<{ callRef: string; ids: string[] }>,
  imSend: { method: 'POST', path: (i) => `/im/calls/${seg(i.callRef)}/send`, body: (i) => ({ message: i.message }) } as Endpoint<{ callRef: string; message: string }>,
};

type Input = Record<string, unknown>;
type Handler = (rest: AleRestLike, input: Input, ctx: AleOperationContext) => Promise<unknown>;

export interface Voicemail {
  voicemailId: string;
  from?: unknown;
  duration?: number;
  date?: string;
  unread?: boolean;
  highPriority?: boolean;
  url?: string;
}

/** "OpenTouch supports only one mailbox per user": the first one is the user's. */
async function mailboxOf(rest: AleRestLike, ctx: AleOperationContext): Promise<string> {
  const res = await send<{ mailboxes?: Array<{ id?: string }> } | undefined, object>(rest, MESSAGING.mailboxes, {}, ctx);
  const id = res?.mailboxes?.find((m) => typeof m.id === 'string')?.id;
  if (!id) throw new PbxError('UNSUPPORTED', `User ${ctx.user} has no voice mailbox`);
  return id;
}

const voicemailId = (input: Input): string => String(input.voicemailId ?? '');

export const MESSAGING_HANDLERS: Record<string, Handler> = {
  async listVoicemails(rest, input, ctx) {
    const mailboxId = await mailboxOf(rest, ctx);
    const limit = typeof input.limit === 'number' ? input.limit : 50;
    const res = await send<{ voicemails?: Voicemail[] } | undefined, Parameters<typeof MESSAGING.voicemails.path>[0]>(
      rest, MESSAGING.voicemails, { mailboxId, newOnly: input.unreadOnly === true, offset: 0, limit }, ctx);
    // Some servers ignore `limit`; the node promised at most `limit` results.
    const voicemails = (res?.voicemails ?? []).slice(0, limit > 0 ? limit : undefined);
    return { mailboxId, voicemails };
  },
  async deleteVoicemail(rest, input, ctx) {
    const mailboxId = await mailboxOf(rest, ctx);
    await send(rest, MESSAGING.deleteVoicemail, { mailboxId, voicemailId: voicemailId(input) }, ctx);
    return { ok: true, operation: 'deleteVoicemail', voicemailId: voicemailId(input) };
  },
  async markVoicemailRead(rest, input, ctx) {
    const mailboxId = await mailboxOf(rest, ctx);
    await send(rest, MESSAGING.markRead, { mailboxId, voicemailId: voicemailId(input) }, ctx);
    return { ok: true, operation: 'markVoicemailRead', voicemailId: voicemailId(input) };
  },
  async getCounters(rest, _input, ctx) {
    const s = (await send<Record<string, unknown> | undefined, object>(rest, MESSAGING.eventSummary, {}, ctx)) ?? {};
    const n = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
    // Absent means "the server cannot say", which is not 0: keep it absent.
    return {
      voicemailsUnread: n(s.voiceMessagesNb),
      missedCalls: n(s.missedCallsNb),
      callbackRequests: n(s.callBackRequestsNb),
      faxes: n(s.faxNb),
      eventWaiting: typeof s.eventWaiting === 'boolean' ? s.eventWaiting : undefined,
    };
  },
  async sendInstantMessage(rest, input, ctx) {
    const to = String(input.to ?? '');
    const recipient = await getUserProfile(rest, to, ctx);
    const imId = recipient.instantMessagingId ?? recipient.loginName ?? to;
    const created = await send<unknown, object>(rest, MESSAGING.imCreate, {}, ctx);
    let callRef = typeof created === 'string' && created ? created : undefined;
    if (!callRef) {
      const list = await send<{ imSessions?: Array<{ callRef?: string }> } | undefined, object>(rest, MESSAGING.imList, {}, ctx);
      callRef = list?.imSessions?.at(-1)?.callRef;
    }
    if (!callRef) throw new PbxError('PBX', 'The PBX created no instant-messaging session');
    await send(rest, MESSAGING.imAddParticipants, { callRef, ids: [imId] }, ctx);
    await send(rest, MESSAGING.imSend, { callRef, message: String(input.message ?? '') }, ctx);
    // The spec: "delivery is not guaranteed and no result is returned".
    return { ok: true, operation: 'sendInstantMessage', sessionId: callRef, to: imId };
  },
};
