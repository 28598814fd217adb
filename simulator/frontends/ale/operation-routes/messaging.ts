/**
 * Simulated messaging: mailboxes and voicemails (`/messaging/mailboxes`), the counters (`/eventSummary`,
 * `OnEventSummaryUpdated`), OpenTouch `OnMessage*` events and OpenTouch instant messaging (`/im`).
 */
import type { MessagingChange, SimVoicemail } from '../../../pbx/messaging';
import type { ComlogChange } from '../../../pbx/comlog';
import { restError, type AleRoute, type OperationRouteContext, type SimRequest } from '../routes';
import { obj, simFeatures, str } from './features';

const CAPABILITIES = {
  listMessages: true, getMessages: true, getRecord: false, play: false, pause: false, hangup: false, record: false,
  resume: false, cancel: false, forward: false, callback: false, send: false, events: true,
};

export function renderVoicemail(m: SimVoicemail, withUrl = false): Record<string, unknown> {
  const id: Record<string, unknown> = { phoneNumber: m.from.number };
  if (m.from.login) id.loginName = m.from.login;
  const out: Record<string, unknown> = {
    voicemailId: m.id, from: { id, ...(m.from.name ? { displayName: m.from.name } : {}) },
    duration: m.duration, date: new Date(m.date).toISOString(), unread: m.unread, highPriority: m.highPriority,
  };
  if (withUrl) out.url = `http://127.0.0.1/voicemails/${encodeURIComponent(m.id)}.wav`;
  return out;
}

/** A silent 8 kHz mono WAV of about `seconds` (capped): what an O2G voicemail GET returns. */
function wav(seconds: number): Buffer {
  const samples = Math.max(1, Math.min(8000 * 5, Math.round((Number.isFinite(seconds) ? seconds : 1) * 8000)));
  const b = Buffer.alloc(44 + samples);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(8000, 28);
  b.writeUInt16LE(1, 32);
  b.writeUInt16LE(8, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples, 40);
  b.fill(128, 44);
  return b;
}

export function messagingRoutes(ctx: OperationRouteContext): AleRoute[] {
  const { pbx, flavour } = ctx;
  const { messaging, comlog } = simFeatures(pbx);

  const summary = (user: string) => {
    const voiceMessagesNb = messaging.unread(user);
    const missedCallsNb = comlog.missedCalls(user);
    return { missedCallsNb, voiceMessagesNb, callBackRequestsNb: 0, faxNb: 0, eventWaiting: voiceMessagesNb > 0 || missedCallsNb > 0 };
  };
  const publishSummary = (user: string) => ctx.publish({ eventName: 'OnEventSummaryUpdated', loginName: user, eventSummary: summary(user) });

  messaging.on('change', (c: MessagingChange) => {
    if (c.kind === 'im') {
      if (flavour === 'opentouch') ctx.publish({ eventName: 'OnImReceived', loginName: c.user, callRef: c.ref, from: { id: { loginName: c.from, instantMessagingId: c.from } }, message: c.message });
      return;
    }
    // O2G has no messaging events (its SDK defines none); both have the counters.
    if (flavour === 'opentouch') {
      const name = { added: 'OnMessageAdded', updated: 'OnMessageUpdated', deleted: 'OnMessageDeleted' }[c.action];
      const e: Record<string, unknown> = { eventName: name, loginName: c.user, mailboxId: c.mailboxId };
      if (c.action === 'deleted') e.messageId = c.message.id;
      else e.message = renderVoicemail(c.message);
      if (c.action === 'added') e.newVoiceMessagesNb = c.unread;
      ctx.publish(e);
    }
    publishSummary(c.user);
  });
  comlog.on('change', (c: ComlogChange) => publishSummary(c.user));

  const info = (user: string) => ({ totalVoiceMsg: messaging.list(user).length, newVoiceMsg: messaging.unread(user), storageUsage: -1 });

  /** The mailbox must be the acting user's own. */
  const mailbox = (r: SimRequest) => {
    const mine = messaging.mailboxOf(r.user);
    return mine && mine === r.params.mailboxId ? undefined : restError(404, 'NOT_FOUND', `no mailbox ${r.params.mailboxId} for ${r.user}`);
  };

  const routes: AleRoute[] = [
    {
      method: 'GET', path: '/messaging/mailboxes',
      handle: (r) => {
        const id = messaging.mailboxOf(r.user);
        return { status: 200, body: { mailboxes: id ? [{ id, name: `Voicemail of ${r.user}`, capabilities: CAPABILITIES }] : [] } };
      },
    },
    {
      method: 'GET', path: '/messaging/mailboxes/:mailboxId',
      handle: (r) => (flavour === 'o2g' ? restError(405, 'NOT_SUPPORTED', 'O2G: mailbox info is POST <voicemail>/{id}') : mailbox(r) ?? { status: 200, body: info(r.user) }),
    },
    {
      // O2G mailbox info (SDK messaging-rest.ts `getMailboxInfo`): POST with `?withUserPwd` (the user's own
      // password) or with a `{"password"}` body; neither is a request the SDK does not send.
      method: 'POST', path: '/messaging/mailboxes/:mailboxId',
      handle: (r) => {
        if (flavour !== 'o2g') return restError(405, 'NOT_SUPPORTED', 'mailbox info is GET on OpenTouch');
        const denied = mailbox(r);
        if (denied) return denied;
        const password = obj(r.body).password;
        if (!r.query.has('withUserPwd') && typeof password !== 'string') return restError(400, 'BAD_PARAMETER', 'give withUserPwd or a password');
        if (typeof password === 'string' && !/^\d{4,8}$/.test(password)) return restError(403, 'NOT_ALLOWED', 'wrong mailbox password');
        return { status: 200, body: info(r.user) };
      },
    },
    {
      method: 'GET', path: '/messaging/mailboxes/:mailboxId/voicemails',
      handle: (r) => {
        const denied = mailbox(r);
        if (denied) return denied;
        const offset = Number(r.query.get('offset') ?? 0);
        const limit = Number(r.query.get('limit') ?? -1);
        const all = messaging.list(r.user, r.query.get('newOnly') === 'true');
        const page = all.slice(offset, limit > 0 ? offset + limit : undefined);
        return { status: 200, body: { voicemails: page.map((m) => renderVoicemail(m)) } };
      },
    },
    {
      // Reading one voicemail marks it read. OpenTouch (spec): the voicemail with its URL. O2G: the audio itself
      // (SDK `downloadVoiceMessage`); its `acknowledgeVoiceMessage` asks for `Range: bytes=0-1`, and a client that
      // accepts JSON only gets 406 (the resource is audio).
      method: 'GET', path: '/messaging/mailboxes/:mailboxId/voicemails/:voicemailId',
      handle: (r) => {
        const denied = mailbox(r);
        if (denied) return denied;
        const m = messaging.get(r.user, r.params.voicemailId);
        if (!m) return restError(404, 'NOT_FOUND', `no voicemail ${r.params.voicemailId}`);
        if (flavour === 'opentouch') {
          messaging.markRead(r.user, m.id);
          return { status: 200, body: renderVoicemail(m, true) };
        }
        const accept = String(r.headers.accept ?? '*/*');
        if (!/audio|\*\/\*/.test(accept)) return { status: 406 };
        messaging.markRead(r.user, m.id);
        const audio = wav(m.duration);
        const range = /^bytes=(\d+)-(\d+)$/.exec(String(r.headers.range ?? ''));
        if (!range) return { status: 200, body: audio, headers: { 'Content-Type': 'audio/wav' } };
        const from = Number(range[1]);
        const to = Math.min(Number(range[2]), audio.length - 1);
        return { status: 206, body: audio.subarray(from, to + 1), headers: { 'Content-Type': 'audio/wav', 'Content-Range': `bytes ${from}-${to}/${audio.length}` } };
      },
    },
    {
      method: 'DELETE', path: '/messaging/mailboxes/:mailboxId/voicemails/:voicemailId',
      handle: (r) => mailbox(r) ?? (messaging.delete(r.user, r.params.voicemailId), { status: 204 }),
    },
    {
      // OpenTouch joins ids with commas, O2G with semicolons; unknown ids are no error.
      method: 'DELETE', path: '/messaging/mailboxes/:mailboxId/voicemails',
      handle: (r) => {
        const denied = mailbox(r);
        if (denied) return denied;
        const ids = (r.query.get('msgIds') ?? '').split(/[;,]/).filter(Boolean);
        for (const id of ids.length ? ids : messaging.list(r.user).map((m) => m.id)) messaging.delete(r.user, id);
        return { status: 204 };
      },
    },
    { method: 'GET', path: '/eventSummary', handle: (r) => ({ status: 200, body: summary(r.user) }) },
  ];

  if (flavour === 'opentouch') {
    routes.push(
      {
        method: 'POST', path: '/im/calls',
        handle: (r) => {
          const s = messaging.createImSession(r.user);
          return { status: 201, headers: { Location: `/api/rest/1.0/im/calls/${encodeURIComponent(s.ref)}` } };
        },
      },
      {
        method: 'GET', path: '/im/calls',
        handle: (r) => ({
          status: 200,
          body: { imSessions: messaging.imSessionsOf(r.user).map((s) => ({ callRef: s.ref, owner: { id: { loginName: s.owner } }, participants: s.participants.map((p) => ({ participantId: p, identity: { id: { instantMessagingId: p } }, leader: false })) })) },
        }),
      },
      {
        method: 'POST', path: '/im/calls/:callRef/participants',
        handle: (r) => {
          const s = messaging.imSession(r.params.callRef);
          if (!s || s.owner !== r.user) return restError(404, 'NOT_FOUND', `no IM session ${r.params.callRef}`);
          const ids = obj(r.body).participantIds;
          if (!Array.isArray(ids) || !ids.length) return restError(400, 'BAD_PARAMETER', 'participantIds is mandatory');
          for (const id of ids) {
            const u = pbx.user(String(id));
            if (!u) return restError(400, 'BAD_PARAMETER', `unknown participant ${String(id)}`);
            if (!s.participants.includes(u.login)) s.participants.push(u.login);
          }
          return { status: 204 };
        },
      },
      {
        method: 'POST', path: '/im/calls/:callRef/send',
        handle: (r) => {
          const s = messaging.imSession(r.params.callRef);
          if (!s || !(s.owner === r.user || s.participants.includes(r.user))) return restError(404, 'NOT_FOUND', `no IM session ${r.params.callRef}`);
          const message = str(obj(r.body).message);
          if (!message) return restError(400, 'BAD_PARAMETER', 'message is mandatory');
          messaging.sendIm(s.ref, r.user, message);
          return { status: 204 };
        },
      },
    );
  }
  return routes;
}
