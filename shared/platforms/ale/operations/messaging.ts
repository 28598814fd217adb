/**
 * Messaging: voicemail, the unread / missed-call counters (`eventSummary`) and OpenTouch instant messages (`/im`).
 * Endpoint tables first, operations below. Paths are below each service's URL (services.ts).
 * - OpenTouch (spec, messaging): service `/messaging`, mailboxes at `/mailboxes`, `/mailboxes/{id}/voicemails`...
 * - O2G (o2g-node-sdk src/internal/rest/messaging-rest.ts): the `voicemail` service URL IS the mailbox list
 *   (`GET <voicemail>`), a mailbox is `<voicemail>/{id}`, its messages `<voicemail>/{id}/voicemails`.
 */
import { PbxError } from '../../../errors';
import { getUserProfile } from './devices';
import { seg, send, type AleOperationContext, type AlePlatform, type AleRestLike, type Endpoint } from './types';

interface Mailbox { mailboxId: string }
interface Message extends Mailbox { voicemailId: string }
type VoicemailQuery = Mailbox & { newOnly: boolean; offset: number; limit: number };

interface MailboxEndpoints {
  mailboxes: Endpoint<object>;
  voicemails: Endpoint<VoicemailQuery>;
  deleteVoicemail: Endpoint<Message>;
  markRead: Endpoint<Message>;
}

function mailboxEndpoints(service: 'messaging' | 'voicemail', root: string, markReadHeaders?: Record<string, string>): MailboxEndpoints {
  const box = (i: Mailbox) => `${root}/${seg(i.mailboxId)}`;
  return {
    mailboxes: { method: 'GET', service, path: () => root },
    voicemails: {
      method: 'GET', service, path: (i) => `${box(i)}/voicemails`,
      // `limit` -1 is the spec's "no limit"; the O2G SDK sends these only when set and non-zero.
      query: (i) => ({ newOnly: i.newOnly || undefined, offset: i.offset || undefined, limit: i.limit > 0 ? i.limit : undefined }),
    },
    deleteVoicemail: { method: 'DELETE', service, path: (i) => `${box(i)}/voicemails/${seg(i.voicemailId)}` },
    markRead: { method: 'GET', service, path: (i) => `${box(i)}/voicemails/${seg(i.voicemailId)}`, ...(markReadHeaders ? { headers: markReadHeaders } : {}) },
  };
}

export const MAILBOX: Record<AlePlatform, MailboxEndpoints> = {
  /** GET of one voicemail returns it (with its URL) and marks it read (spec, messaging). */
  opentouch: mailboxEndpoints('messaging', '/mailboxes'),
  /**
   * The same GET returns the audio; the SDK's `acknowledgeVoiceMessage` asks for two bytes of it
   * (`Range: bytes=0-1`): listening marks the message read without fetching the whole file.
   */
  o2g: mailboxEndpoints('voicemail', '', { Range: 'bytes=0-1', Accept: '*/*' }),
};

export const MESSAGING = {
  /** O2G: `GET <eventSummary>` (o2g-node-sdk src/internal/rest/eventSummary-rest.ts); OpenTouch: `GET /eventSummary`. */
  eventSummary: { method: 'GET', service: 'eventsummary', path: () => '' } as Endpoint<object>,
  /** IM session: 201 with the reference in `Location` (not visible to us), hence the list read after it. */
  imCreate: { method: 'POST', service: 'im', path: () => '/calls' } as Endpoint<object>,
  imList: { method: 'GET', service: 'im', path: () => '/calls' } as Endpoint<object>,
  imAddParticipants: { method: 'POST', service: 'im', path: (i) => `/calls/${seg(i.callRef)}/participants`, body: (i) => ({ participantIds: i.ids }) } as Endpoint<{ callRef: string; ids: string[] }>,
  imSend: { method: 'POST', service: 'im', path: (i) => `/calls/${seg(i.callRef)}/send`, body: (i) => ({ message: i.message }) } as Endpoint<{ callRef: string; message: string }>,
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
  const res = await send<{ mailboxes?: Array<{ id?: string }> } | undefined, object>(rest, MAILBOX[ctx.platform].mailboxes, {}, ctx);
  const id = res?.mailboxes?.find((m) => typeof m.id === 'string')?.id;
  if (!id) throw new PbxError('UNSUPPORTED', `User ${ctx.user} has no voice mailbox`);
  return id;
}

const voicemailId = (input: Input): string => String(input.voicemailId ?? '');

export const MESSAGING_HANDLERS: Record<string, Handler> = {
  async listVoicemails(rest, input, ctx) {
    const mailboxId = await mailboxOf(rest, ctx);
    const limit = typeof input.limit === 'number' ? input.limit : 50;
    const res = await send<{ voicemails?: Voicemail[] } | undefined, VoicemailQuery>(
      rest, MAILBOX[ctx.platform].voicemails, { mailboxId, newOnly: input.unreadOnly === true, offset: 0, limit }, ctx);
    // Some servers ignore `limit`; the node promised at most `limit` results.
    const voicemails = (res?.voicemails ?? []).slice(0, limit > 0 ? limit : undefined);
    return { mailboxId, voicemails };
  },
  async deleteVoicemail(rest, input, ctx) {
    const mailboxId = await mailboxOf(rest, ctx);
    await send(rest, MAILBOX[ctx.platform].deleteVoicemail, { mailboxId, voicemailId: voicemailId(input) }, ctx);
    return { ok: true, operation: 'deleteVoicemail', voicemailId: voicemailId(input) };
  },
  async markVoicemailRead(rest, input, ctx) {
    const mailboxId = await mailboxOf(rest, ctx);
    await send(rest, MAILBOX[ctx.platform].markRead, { mailboxId, voicemailId: voicemailId(input) }, ctx);
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
