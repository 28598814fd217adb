/**
 * Requests as the official clients send them. For every O2G operation, the simulator's record of the request is
 * compared with what ALE's O2G SDK (o2g-node-sdk 2.5.9, MIT; the file is named on each row) sends: method, path
 * built from the services the session announces (the simulator announces URLs that differ from the old fixed
 * paths, so a hard-coded path fails here), query (`loginName` only where the SDK adds it) and body. OpenTouch
 * rows check the spec's form where it differs. The simulator answers what a server would to the shapes the official
 * client never sends.
 */
import { PbxApiError, PbxError } from '../../shared/errors';
import type { OperationName } from '../../shared/operations/catalogue';
import { startSimulator, type Simulator } from '../../simulator';
import { simFeatures } from '../../simulator/frontends/ale/operation-routes';
import type { RecordedRequest } from '../../simulator/frontends/ale/server';
import { AFFINITY_COOKIE } from '../../simulator/frontends/ale/server';
import { defaultServices } from '../../simulator/frontends/ale/services';
import { connect, waitFor, type Probe } from '../ale/helpers';

const V1 = '/api/rest/1.0';
type Sent = Pick<RecordedRequest, 'method' | 'path' | 'query' | 'body'>;
type Expected = Sent & { headers?: RecordedRequest['headers'] };

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({ ringTimeoutMs: 60_000 });
});
afterEach(async () => {
  await sim.close();
});

/** The announced relative URL of a service (the simulator's session info), as the client must use it. */
function svc(platform: 'opentouch' | 'o2g', name: string): string {
  if (name === 'telephony') return '/telephony';
  const s = sim.frontEnds[platform].services.find((x) => x.serviceName.toLowerCase() === name.toLowerCase());
  if (!s) throw new Error(`no service ${name}`);
  return s.relativeUrl;
}

/** Requests the front-end received while `f` ran (background reads included). */
async function during(platform: 'opentouch' | 'o2g', f: () => Promise<unknown>): Promise<{ sent: Sent[]; result: unknown }> {
  const fe = sim.frontEnds[platform];
  const mark = fe.requests.length;
  const result = await f().catch((e: unknown) => e);
  const sent = fe.requests.slice(mark).map(({ method, path, query, body }) => ({ method, path, query, body }));
  return { sent, result };
}

/** alice calls bob; bob's ringing call. */
async function ringing(bob: Probe, from = 'alice'): Promise<string> {
  const ref = sim.pbx.makeCall(from, '202');
  await waitFor(() => bob.events.some((e) => e.type === 'call.incoming' && e.call?.id === ref), 3000, 'bob rings');
  return ref;
}

async function talking(bob: Probe, from = 'alice'): Promise<string> {
  const ref = await ringing(bob, from);
  sim.pbx.answer(ref, 'bob', '202');
  await waitFor(() => bob.events.some((e) => e.type === 'call.answered' && e.call?.id === ref), 3000, 'bob answers');
  return ref;
}

/** bob on an active call with carol and a held one with alice. */
async function twoCalls(bob: Probe): Promise<{ held: string; active: string }> {
  const held = await talking(bob, 'alice');
  sim.pbx.hold(held, 'bob');
  await waitFor(() => bob.events.some((e) => e.type === 'call.held' && e.call?.id === held), 3000, 'held');
  const active = await talking(bob, 'carol');
  return { held, active };
}

interface Row {
  op: OperationName;
  /** SDK file the expected shape comes from. */
  source: string;
  setup?: (bob: Probe) => Promise<Record<string, unknown>>;
  input?: Record<string, unknown>;
  /** The request(s) the SDK sends, given what setup returned. */
  expect: (ctx: Record<string, unknown>) => Expected[];
}

const tel = (p: string): string => `${V1}/telephony${p}`;
const at = (service: string, p = ''): string => `${V1}${svc('o2g', service)}${p}`;

const O2G_ROWS: Row[] = [
  { op: 'makeCall', source: 'telephony-rest.ts makeCallEx', input: { destination: '203' }, expect: () => [{ method: 'POST', path: tel('/calls'), query: {}, body: { deviceId: '202', callee: '203', autoAnswer: false } }] },
  { op: 'listCalls', source: 'telephony-rest.ts getCalls', expect: () => [{ method: 'GET', path: tel('/calls'), query: {}, body: undefined }] },
  { op: 'answer', source: 'telephony-rest.ts answer', setup: async (b) => ({ callId: await ringing(b) }), expect: (c) => [{ method: 'POST', path: tel(`/calls/${c.callId}/answer`), query: {}, body: { deviceId: '202' } }] },
  { op: 'hold', source: 'telephony-rest.ts hold', setup: async (b) => ({ callId: await talking(b) }), expect: (c) => [{ method: 'POST', path: tel(`/calls/${c.callId}/hold`), query: {}, body: { deviceId: '202' } }] },
  { op: 'hangUp', source: 'telephony-rest.ts dropme', setup: async (b) => ({ callId: await talking(b) }), expect: (c) => [{ method: 'POST', path: tel(`/calls/${c.callId}/dropme`), query: {}, body: undefined }] },
  {
    // Our input names the held call to go back to; the SDK's path names the active one.
    op: 'alternate', source: 'services/o2g-telephony.ts alternate ("the call reference of the active call")',
    setup: async (b) => {
      const { held, active } = await twoCalls(b);
      return { callId: held, active };
    },
    expect: (c) => [{ method: 'POST', path: tel(`/calls/${c.active}/alternate`), query: {}, body: { deviceId: '202' } }],
  },
  { op: 'blindTransfer', source: 'telephony-rest.ts blindTransfer', setup: async (b) => ({ callId: await talking(b), destination: '203' }), expect: (c) => [{ method: 'POST', path: tel(`/calls/${c.callId}/blindtransfer`), query: {}, body: { transferTo: '203', anonymous: false } }] },
  { op: 'redirect', source: 'telephony-rest.ts redirect', setup: async (b) => ({ callId: await ringing(b), destination: '203', anonymous: true }), expect: (c) => [{ method: 'POST', path: tel(`/calls/${c.callId}/redirect`), query: {}, body: { redirectTo: '203', anonymous: true } }] },
  { op: 'sendToVoicemail', source: 'telephony-rest.ts overflowToVoiceMail', setup: async (b) => ({ callId: await ringing(b) }), expect: (c) => [{ method: 'POST', path: tel(`/calls/${c.callId}/overflowToVoiceMail`), query: {}, body: undefined }] },
  {
    op: 'transfer', source: 'telephony-rest.ts transfer',
    setup: async (b) => {
      const { held, active } = await twoCalls(b);
      return { callId: active, heldCallId: held };
    },
    expect: (c) => [{ method: 'POST', path: tel(`/calls/${c.callId}/transfer`), query: {}, body: { heldCallRef: c.heldCallId } }],
  },
  {
    op: 'conference', source: 'telephony-rest.ts merge',
    setup: async (b) => {
      const { held, active } = await twoCalls(b);
      return { callId: active, heldCallId: held };
    },
    expect: (c) => [{ method: 'POST', path: tel(`/calls/${c.callId}/merge`), query: {}, body: { heldCallRef: c.heldCallId } }],
  },
  { op: 'sendDtmf', source: 'telephony-rest.ts sendDtmf', setup: async (b) => ({ callId: await talking(b), digits: '12#' }), expect: (c) => [{ method: 'POST', path: tel(`/calls/${c.callId}/sendDtmf`), query: {}, body: { deviceId: '202', number: '12#' } }] },
  // The simulator offers no park capability: a call the tracker does not know is left for the server to judge.
  { op: 'park', source: 'telephony-rest.ts park', input: { callId: 'not-tracked', destination: '203' }, expect: (c) => [{ method: 'POST', path: tel(`/calls/${c.callId}/park`), query: {}, body: { parkTo: '203' } }] },
  {
    op: 'pickUp', source: 'telephony-rest.ts pickUp',
    setup: async () => {
      const ref = sim.pbx.makeCall('alice', '203');
      await waitFor(() => sim.pbx.viewsOf('carol').some((v) => v.ref === ref), 3000, 'carol rings');
      return { callId: ref, otherUser: '203' };
    },
    expect: (c) => [{ method: 'POST', path: tel('/devices/202/pickup'), query: {}, body: { otherCallRef: c.callId, otherPhoneNumber: '203', autoAnswer: false } }],
  },
  { op: 'setForward', source: 'routing-rest.ts forwardOnNumber + types/routing/forward.ts toJson', input: { target: 'number', number: '203', condition: 'busy' }, expect: () => [{ method: 'POST', path: at('routing', '/forwardroute'), query: {}, body: { forwardRoute: { forwardType: 'BUSY', destinations: [{ type: 'NUMBER', number: '203' }] } } }] },
  { op: 'cancelForward', source: 'routing-rest.ts cancelForward', expect: () => [{ method: 'DELETE', path: at('routing', '/forwardroute'), query: {}, body: undefined }] },
  { op: 'setOverflow', source: 'routing-rest.ts overflowOnVoiceMail + types/routing/overflow.ts toJson', input: { target: 'voicemail', condition: 'busy_no_answer' }, expect: () => [{ method: 'POST', path: at('routing', '/overflowroute'), query: {}, body: { overflowRoutes: { overflowType: 'BUSY_NO_ANSWER', destinations: [{ type: 'VOICEMAIL', selected: true }] } } }] },
  { op: 'cancelOverflow', source: 'routing-rest.ts cancelOverflow', expect: () => [{ method: 'DELETE', path: at('routing', '/overflowroute'), query: {}, body: undefined }] },
  { op: 'setDnd', source: 'routing-rest.ts activateDnd', input: { enabled: true }, expect: () => [{ method: 'POST', path: at('routing', '/dnd'), query: {}, body: undefined }] },
  { op: 'getDnd', source: 'routing-rest.ts getDndState', expect: () => [{ method: 'GET', path: at('routing', '/dnd'), query: {}, body: undefined }] },
  { op: 'getRouting', source: 'routing-rest.ts getRoutingState', expect: () => [{ method: 'GET', path: at('routing', '/state'), query: {}, body: undefined }] },
  {
    op: 'listVoicemails', source: 'messaging-rest.ts getMailboxes + getVoiceMessages', input: { unreadOnly: true, limit: 5 },
    expect: (): Expected[] => [
      { method: 'GET', path: at('voicemail'), query: {}, body: undefined },
      { method: 'GET', path: at('voicemail', `/${simFeatures(sim.pbx).messaging.mailboxOf('bob')}/voicemails`), query: { newOnly: 'true', limit: '5' }, body: undefined },
    ],
  },
  {
    op: 'markVoicemailRead', source: 'messaging-rest.ts acknowledgeVoiceMessage (Range: bytes=0-1)',
    setup: async () => ({ voicemailId: simFeatures(sim.pbx).messaging.deposit('bob', { number: '201' }).id }),
    expect: (c) => [{ method: 'GET', path: at('voicemail', `/${simFeatures(sim.pbx).messaging.mailboxOf('bob')}/voicemails/${encodeURIComponent(String(c.voicemailId))}`), query: {}, body: undefined, headers: { range: 'bytes=0-1' } }],
  },
  {
    op: 'deleteVoicemail', source: 'messaging-rest.ts deleteVoiceMessage',
    setup: async () => ({ voicemailId: simFeatures(sim.pbx).messaging.deposit('bob', { number: '201' }).id }),
    expect: (c) => [{ method: 'DELETE', path: at('voicemail', `/${simFeatures(sim.pbx).messaging.mailboxOf('bob')}/voicemails/${encodeURIComponent(String(c.voicemailId))}`), query: {}, body: undefined }],
  },
  { op: 'getCounters', source: 'eventSummary-rest.ts get', expect: () => [{ method: 'GET', path: at('eventSummary'), query: {}, body: undefined }] },
  { op: 'listCallLog', source: 'comlog-rest.ts getComRecords', input: { unansweredOnly: true, limit: 10 }, expect: () => [{ method: 'GET', path: at('comlog'), query: { unanswered: 'true', limit: '10' }, body: undefined }] },
  {
    op: 'acknowledgeCallLog', source: 'comlog-rest.ts acknowledgeComRecords (ids as strings)',
    setup: async () => {
      const r = simFeatures(sim.pbx).comlog.add('bob', { ref: 'x1', direction: 'incoming', answered: false, acknowledged: false, parties: [{ number: '201' }], reason: 'no_answer', beginDate: Date.now(), endDate: Date.now() });
      return { recordIds: String(r.recordId) };
    },
    expect: (c) => [{ method: 'PUT', path: at('comlog'), query: { acknowledge: 'true' }, body: { recordIds: [String(c.recordIds)] } }],
  },
  { op: 'getUser', source: 'users-rest.ts get', input: { login: 'alice' }, expect: () => [{ method: 'GET', path: at('users', '/alice'), query: {}, body: undefined }] },
  { op: 'getAgentState', source: 'ccAgent-rest.ts getState', expect: () => [{ method: 'GET', path: at('acdagent', '/state'), query: {}, body: undefined }] },
  {
    op: 'setAgentState', source: 'ccAgent-rest.ts getConfiguration + logon (the pro-ACD device)', input: { state: 'logon', group: '5000' },
    expect: (): Expected[] => [
      { method: 'GET', path: at('acdagent', '/config'), query: {}, body: undefined },
      { method: 'POST', path: at('acdagent', '/logon'), query: {}, body: { proAcdDeviceNumber: '2021', pgGroupNumber: '5000' } },
    ],
  },
];

describe('O2G requests, row by row against the O2G SDK', () => {
  it('the simulator announces service URLs that differ from the old fixed paths', () => {
    const announced = Object.fromEntries(defaultServices('o2g').map((s) => [s.serviceName, s.relativeUrl]));
    expect(announced.voicemail).not.toBe('/messaging/mailboxes');
    expect(announced.comlog).not.toBe('/comlog/records');
    expect(announced.acdagent).not.toBe('/acd/agent');
  });

  it.each(O2G_ROWS.map((r) => [r.op, r] as const))('%s', async (_op, row) => {
    const bob = connect(sim, 'o2g');
    try {
      await bob.conn.ready();
      const ctx = { ...(row.input ?? {}), ...(row.setup ? await row.setup(bob) : {}) };
      const { active: _a, ...input } = ctx as Record<string, unknown>;
      const { sent, result } = await during('o2g', () => bob.conn.execute(row.op, input));
      // Not one of bob's calls: the server's 404, after the request was sent in the SDK's shape.
      if (row.op === 'park') expect(result).toMatchObject({ status: 404 });
      else expect(result).not.toBeInstanceOf(Error);
      for (const want of row.expect(ctx)) {
        const { headers, ...shape } = want;
        expect(sent).toContainEqual(shape);
        if (headers) {
          const got = sim.frontEnds.o2g.requests.find((r) => r.method === shape.method && r.path === shape.path);
          expect(got?.headers).toMatchObject(headers);
        }
      }
    } finally {
      await bob.conn.close();
    }
  });

  it('an administrator session adds loginName only where the SDK does', async () => {
    const admin = connect(sim, 'o2g', { login: 'admin', password: 'admin-pw', sessionKind: 'admin', users: ['bob'] });
    const bob = connect(sim, 'o2g');
    try {
      await Promise.all([admin.conn.ready(), bob.conn.ready()]);
      const ref = await ringing(bob);
      const answer = await during('o2g', () => admin.conn.execute('answer', { callId: ref, deviceId: '202' }, { user: 'bob' }));
      expect(answer.sent).toContainEqual({ method: 'POST', path: tel(`/calls/${ref}/answer`), query: {}, body: { deviceId: '202' } });
      await waitFor(() => bob.events.some((e) => e.type === 'call.answered'), 3000, 'answered');
      const hold = await during('o2g', () => admin.conn.execute('hold', { callId: ref, deviceId: '202' }, { user: 'bob' }));
      expect(hold.sent).toContainEqual({ method: 'POST', path: tel(`/calls/${ref}/hold`), query: { loginName: 'bob' }, body: { deviceId: '202' } });
      const dtmf = await during('o2g', () => admin.conn.execute('sendDtmf', { callId: ref, deviceId: '202', digits: '5' }, { user: 'bob' }));
      expect(dtmf.sent.find((r) => r.path.endsWith('/sendDtmf'))?.query).toEqual({});
    } finally {
      await Promise.all([admin.conn.close(), bob.conn.close()]);
    }
  });

  it('park without a target: a clear input error, nothing sent', async () => {
    const bob = connect(sim, 'o2g');
    try {
      await bob.conn.ready();
      const { sent, result } = await during('o2g', () => bob.conn.execute('park', { callId: 'not-tracked' }));
      expect(result).toBeInstanceOf(PbxError);
      expect(result).toMatchObject({ code: 'INVALID_INPUT' });
      expect((result as Error).message).toMatch(/Park: give the number/);
      expect(sent.filter((r) => r.path.endsWith('/park'))).toEqual([]);
    } finally {
      await bob.conn.close();
    }
  });
});

describe('OpenTouch requests, the spec form', () => {
  it('alternate names the held call; anonymous only when set; park may omit its target; ack ids are numbers; overflow is a list', async () => {
    const bob = connect(sim, 'opentouch');
    try {
      await bob.conn.ready();
      const { held } = await twoCalls(bob);
      const alt = await during('opentouch', () => bob.conn.execute('alternate', { callId: held }));
      expect(alt.result).not.toBeInstanceOf(Error);
      expect(alt.sent).toContainEqual({ method: 'POST', path: tel(`/calls/${held}/alternate`), query: {}, body: { deviceId: '202' } });

      const ringingRef = await ringing(bob, 'carol');
      const redirect = await during('opentouch', () => bob.conn.execute('redirect', { callId: ringingRef, destination: '201' }));
      expect(redirect.sent).toContainEqual({ method: 'POST', path: tel(`/calls/${ringingRef}/redirect`), query: {}, body: { redirectTo: '201' } });

      const park = await during('opentouch', () => bob.conn.execute('park', { callId: 'not-tracked' }));
      expect(park.sent).toContainEqual({ method: 'POST', path: tel('/calls/not-tracked/park'), query: {}, body: {} });

      const r = simFeatures(sim.pbx).comlog.add('bob', { ref: 'x1', direction: 'incoming', answered: false, acknowledged: false, parties: [{ number: '201' }], reason: 'no_answer', beginDate: Date.now(), endDate: Date.now() });
      const ack = await during('opentouch', () => bob.conn.execute('acknowledgeCallLog', { recordIds: String(r.recordId) }));
      expect(ack.result).not.toBeInstanceOf(Error);
      expect(ack.sent).toContainEqual({ method: 'PUT', path: `${V1}/comlog/records`, query: { acknowledge: 'true' }, body: { recordIds: [r.recordId] } });

      const ovf = await during('opentouch', () => bob.conn.execute('setOverflow', { target: 'voicemail', condition: 'busy' }));
      const post = ovf.sent.find((x) => x.method === 'POST' && x.path === `${V1}/routing/overflowroute`);
      expect(Array.isArray((post?.body as { overflowRoutes?: unknown })?.overflowRoutes)).toBe(true);

      const vm = simFeatures(sim.pbx).messaging.deposit('bob', { number: '201' });
      const read = await during('opentouch', () => bob.conn.execute('markVoicemailRead', { voicemailId: vm.id }));
      expect(read.result).not.toBeInstanceOf(Error);
      const get = sim.frontEnds.opentouch.requests.find((x) => x.method === 'GET' && x.path.endsWith(`/voicemails/${encodeURIComponent(vm.id)}`));
      expect(get?.headers.range).toBeUndefined();
      expect(get?.headers.accept).toBe('application/json');
    } finally {
      await bob.conn.close();
    }
  });
});

describe('the O2G simulator is as strict as a server', () => {
  let bob: Probe;
  beforeEach(async () => {
    bob = connect(sim, 'o2g');
    await bob.conn.ready();
  });
  afterEach(async () => {
    await bob.conn.close();
  });
  const status = (p: Promise<unknown>) => p.then(() => 200, (e: unknown) => (e instanceof PbxApiError ? e.status : -1));

  it('old fixed paths are not resources: 404', async () => {
    expect(await status(bob.conn.rest.request('GET', '/messaging/mailboxes'))).toBe(404);
    expect(await status(bob.conn.rest.request('GET', '/comlog/records'))).toBe(404);
    expect(await status(bob.conn.rest.request('GET', '/acd/agent/state'))).toBe(404);
    expect(await status(bob.conn.rest.request('GET', `${svc('o2g', 'voicemail')}`))).toBe(200);
  });

  it('overflow as an array, or to a number: 400', async () => {
    const route = { overflowType: 'BUSY', destinations: [{ type: 'VOICEMAIL', selected: true }] };
    expect(await status(bob.conn.rest.request('POST', '/routing/overflowroute', { body: { overflowRoutes: [route] } }))).toBe(400);
    expect(await status(bob.conn.rest.request('POST', '/routing/overflowroute', { body: { overflowRoutes: { ...route, destinations: [{ type: 'NUMBER', number: '203' }] } } }))).toBe(400);
    expect(await status(bob.conn.rest.request('POST', '/routing/overflowroute', { body: { overflowRoutes: route } }))).toBe(200);
  });

  it('alternate on the held call (the OpenTouch reading) is refused on O2G: 403', async () => {
    const { held } = await twoCalls(bob);
    expect(await status(bob.conn.rest.request('POST', `/telephony/calls/${held}/alternate`, { body: { deviceId: '202' } }))).toBe(403);
  });

  it('call-log ids as numbers, mark-as-read accepting JSON only, a foreign pro-ACD device, a missing affinity cookie', async () => {
    expect(await status(bob.conn.rest.request('PUT', svc('o2g', 'comlog'), { query: { acknowledge: 'true' }, body: { recordIds: [1] } }))).toBe(400);
    const vm = simFeatures(sim.pbx).messaging.deposit('bob', { number: '201' });
    const box = simFeatures(sim.pbx).messaging.mailboxOf('bob')!;
    const vmPath = `${svc('o2g', 'voicemail')}/${encodeURIComponent(box)}/voicemails/${encodeURIComponent(vm.id)}`;
    expect(await status(bob.conn.rest.request('GET', vmPath))).toBe(406);
    expect(simFeatures(sim.pbx).messaging.get('bob', vm.id)?.unread).toBe(true);
    expect(await status(bob.conn.rest.request('POST', `${svc('o2g', 'acdagent')}/logon`, { body: { proAcdDeviceNumber: '202' } }))).toBe(400);
    // The session cookie alone: the node behind the balancer does not know the session.
    const fe = sim.frontEnds.o2g;
    const last = [...fe.requests].reverse().find((r) => r.headers.cookie?.includes('AlcUserId='))!;
    expect(last.headers.cookie).toContain(`${AFFINITY_COOKIE}=`);
    const alcOnly = last.headers.cookie!.split('; ').filter((c) => c.startsWith('AlcUserId=')).join('; ');
    const res = await fetch(`${sim.url('o2g')}${V1}/telephony/calls`, { headers: { Cookie: alcOnly } });
    expect(res.status).toBe(403);
  });

  it('mailbox info: POST <voicemail>/{id} with withUserPwd or a password body, as the SDK sends it', async () => {
    const box = encodeURIComponent(simFeatures(sim.pbx).messaging.mailboxOf('bob')!);
    const base = svc('o2g', 'voicemail');
    expect(await bob.conn.rest.request('POST', `${base}/${box}`, { query: { withUserPwd: true } })).toMatchObject({ totalVoiceMsg: expect.any(Number) });
    const sent = sim.frontEnds.o2g.requests.at(-1)!;
    expect(sent.query).toEqual({ withUserPwd: '' });
    expect(await bob.conn.rest.request('POST', `${base}/${box}`, { body: { password: '1234' } })).toMatchObject({ newVoiceMsg: expect.any(Number) });
    expect(await status(bob.conn.rest.request('POST', `${base}/${box}`))).toBe(400);
    expect(await status(bob.conn.rest.request('GET', `${base}/${box}`))).toBe(405);
  });
});

describe('services the session announces', () => {
  it('a service the session does not list: UNSUPPORTED, nothing sent', async () => {
    sim.frontEnds.o2g.services = defaultServices('o2g').filter((s) => s.serviceName !== 'voicemail');
    const bob = connect(sim, 'o2g');
    try {
      await bob.conn.ready();
      const { sent, result } = await during('o2g', () => bob.conn.execute('listVoicemails', {}));
      expect(result).toBeInstanceOf(PbxError);
      expect(result).toMatchObject({ code: 'UNSUPPORTED' });
      expect((result as Error).message).toMatch(/"voicemail" service/);
      expect(sent).toEqual([]);
    } finally {
      await bob.conn.close();
    }
  });

  it('subscriptions go to the announced subscriptions URL (the old path is not served)', async () => {
    sim.frontEnds.o2g.services = defaultServices('o2g').map((x) => (x.serviceName === 'subscriptions' ? { ...x, relativeUrl: '/eventing/subscriptions', internal: '/subscriptions' } : x));
    const bob = connect(sim, 'o2g');
    try {
      await bob.conn.ready();
      expect(sim.frontEnds.o2g.requests.filter((r) => r.method === 'POST' && r.path.endsWith('subscriptions')).map((r) => r.path)).toEqual([`${V1}/eventing/subscriptions`]);
      expect(await bob.conn.rest.request('POST', '/subscriptions', { body: { filter: { selectors: [{ names: ['telephony'] }] } } }).catch((e: unknown) => (e as PbxApiError).status)).toBe(404);
    } finally {
      await bob.conn.close();
    }
  });

  it('no services list at all: the fixed paths, with one warning per service', async () => {
    sim.frontEnds.o2g.services = [];
    const bob = connect(sim, 'o2g');
    try {
      await bob.conn.ready();
      const { sent, result } = await during('o2g', () => bob.conn.execute('listCallLog', {}));
      expect(result).toMatchObject({ records: [] });
      expect(sent).toContainEqual(expect.objectContaining({ method: 'GET', path: `${V1}/comlog/records` }));
      await bob.conn.execute('listCallLog', {});
      expect(bob.diags.filter((d) => /"comlog" service/.test(d.message))).toHaveLength(1);
    } finally {
      await bob.conn.close();
    }
  });
});
