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
      handle: (r) => mailbox(r) ?? { status: 200, body: { totalVoiceMsg: messaging.list(r.user).length, newVoiceMsg: messaging.unread(r.user), storageUsage: -1 } },
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
      // Reading one voicemail (with its URL) marks it read, as the spec says.
      method: 'GET', path: '/messaging/mailboxes/:mailboxId/voicemails/:voicemailId',
      handle: (r) => {
        const denied = mailbox(r);
        if (denied) return denied;
        const m = messaging.get(r.user, r.params.voicemailId);
        if (!m) return restError(404, 'NOT_FOUND', `no voicemail ${r.params.voicemailId}`);
        messaging.markRead(r.user, m.id);
        return { status: 200, body: renderVoicemail(m, true) };
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
