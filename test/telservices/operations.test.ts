/**
 * Every TelServices operation through the connection, over TCP to the simulator's TelServer, checked by what the
 * PBX and the events say afterwards. Devices: 201 (alice), 202 (bob), 203 (carol).
 */
import { PbxApiError, PbxError } from '../../shared/errors';
import { OPERATIONS, operationsFor } from '../../shared/operations/catalogue';
import { TELSERVICES_OPERATIONS } from '../../shared/platforms/telservices/operations';
import { simFeatures } from '../../simulator/frontends/ale/operation-routes';
import { live, ofType, waitFor, type Live } from './helpers';

describe('TelServices operations', () => {
  let t: Live;
  beforeAll(async () => {
    t = await live({ login: 'admin', password: 'admin-pw', users: ['201', '202', '203'] });
  });
  afterAll(async () => {
    await t.close();
  });
  afterEach(async () => {
    // Each test starts without calls.
    for (const c of t.sim.pbx.calls()) for (const p of c.parties) if (p.login) { try { t.sim.pbx.hangUp(p.ref, p.login); } catch { /* already gone */ } }
    await waitFor(() => t.sim.pbx.calls().length === 0 && t.conn.pipeline.tracker.size === 0, 'no calls left');
    t.events.length = 0;
  });
  const x = (op: string, input: Record<string, unknown>, user: string) => t.conn.execute(op as never, input, { user });
  const incoming = (user: string, n = 1) => waitFor(() => ofType(t.events, 'call.incoming', user)[n - 1], `incoming #${n} on ${user}`);

  it('supports exactly its operations, honestly', () => {
    const mine = operationsFor('telservices').map((o) => o.name).sort();
    expect([...TELSERVICES_OPERATIONS].sort()).toEqual(mine);
    for (const o of OPERATIONS) expect(t.conn.supports(o.name)).toBe(mine.includes(o.name));
    for (const no of ['listVoicemails', 'sendInstantMessage', 'sendDtmf', 'park', 'pickUp', 'sendToVoicemail', 'setOverflow', 'getCounters']) expect(t.conn.supports(no as never)).toBe(false);
  });

  it('make, answer, hold, retrieve, hang up', async () => {
    await x('makeCall', { destination: '202' }, '201');
    const inc = await incoming('202');
    await expect(x('hold', { callId: inc.call!.id }, '202')).rejects.toMatchObject({ code: 'NOT_ALLOWED' }); // ringing: not permitted
    await x('answer', { callId: inc.call!.id }, '202');
    await waitFor(() => ofType(t.events, 'call.answered', '202')[0], 'answered');
    await x('hold', { callId: inc.call!.id }, '202');
    await waitFor(() => ofType(t.events, 'call.held', '202')[0], 'held');
    await x('retrieve', { callId: inc.call!.id }, '202');
    await waitFor(() => ofType(t.events, 'call.retrieved', '202')[0], 'retrieved');
    await x('hangUp', { callId: inc.call!.id }, '202');
    const ended = await waitFor(() => ofType(t.events, 'call.ended', '202')[0], 'ended');
    expect(ended.call!.endReason).toBe('completed');
    await expect(x('hangUp', { callId: inc.call!.id }, '202')).rejects.toThrow(/noCall/);
  });

  it('consultation, alternate, transfer', async () => {
    await x('makeCall', { destination: '202' }, '201');
    const a = await incoming('202');
    await x('answer', { callId: a.call!.id }, '202');
    await waitFor(() => ofType(t.events, 'call.answered', '202')[0], 'answered');
    await x('consultationCall', { callId: a.call!.id, destination: '203' }, '202');
    await waitFor(() => ofType(t.events, 'call.held', '202')[0], 'first call held');
    const c = await incoming('203');
    await x('answer', { callId: c.call!.id }, '203');
    await waitFor(() => ofType(t.events, 'call.answered', '202').length === 2, 'consultation answered');
    const consult = t.conn.pipeline.tracker.callsOf('202').find((k) => k.id !== a.call!.id)!;
    await x('alternate', { callId: a.call!.id }, '202');
    await waitFor(() => ofType(t.events, 'call.retrieved', '202')[0], 'alternated');
    await x('alternate', { callId: consult.id }, '202');
    await waitFor(() => ofType(t.events, 'call.held', '202').length === 3, 'alternated back');
    await x('transfer', { callId: consult.id, heldCallId: a.call!.id }, '202');
    await waitFor(() => t.conn.pipeline.tracker.callsOf('202').length === 0, '202 left');
    expect(ofType(t.events, 'call.transferred', '202').length).toBeGreaterThanOrEqual(1);
    const parties = t.sim.pbx.calls()[0].parties.map((p) => p.login).sort();
    expect(parties).toEqual(['alice', 'carol']);
  });

  it('conference and reconnect', async () => {
    await x('makeCall', { destination: '202' }, '201');
    const a = await incoming('202');
    await x('answer', { callId: a.call!.id }, '202');
    await x('consultationCall', { destination: '203' }, '202');
    const c = await incoming('203');
    await x('answer', { callId: c.call!.id }, '203');
    await waitFor(() => ofType(t.events, 'call.answered', '202').length === 2, 'consultation answered');
    await x('conference', { callId: t.conn.pipeline.tracker.callsOf('202').find((k) => k.id !== a.call!.id)!.id, heldCallId: a.call!.id }, '202');
    await waitFor(() => t.sim.pbx.calls().length === 1 && t.sim.pbx.calls()[0].parties.length === 3, 'three parties');
    await waitFor(() => ofType(t.events, 'call.conferenced')[0], 'conferenced event');
    t.sim.pbx.hangUp(t.sim.pbx.calls()[0].parties.find((p) => p.login === 'alice')!.ref, 'alice');
    t.sim.pbx.hangUp(t.sim.pbx.calls()[0].parties.find((p) => p.login === 'carol')!.ref, 'carol');
    await waitFor(() => t.sim.pbx.calls().length === 0, 'cleared');
    // Reconnect: drop the consultation, take the held call back.
    await x('makeCall', { destination: '202' }, '201');
    const b = await incoming('202', 2);
    await x('answer', { callId: b.call!.id }, '202');
    await x('consultationCall', { destination: '203' }, '202');
    await incoming('203', 2);
    await x('reconnectCall', {}, '202');
    await waitFor(() => t.sim.pbx.calls().length === 1 && t.sim.pbx.calls()[0].parties.every((p) => p.state === 'active'), 'reconnected');
  });

  it('redirect (divert while ringing), blind transfer and divert of a connected call, add participant', async () => {
    await x('makeCall', { destination: '202' }, '201');
    const a = await incoming('202');
    await x('redirect', { callId: a.call!.id, destination: '203' }, '202');
    await incoming('203');
    const ended = await waitFor(() => ofType(t.events, 'call.ended', '202')[0], 'left 202');
    expect(ended.call!.endReason).toBe('redirected');
    expect(ofType(t.events, 'call.missed', '202')).toHaveLength(0);
    expect(ofType(t.events, 'call.redirected', '202')[0].call!.redirectedTo).toEqual({ number: '203' });
    const c = ofType(t.events, 'call.incoming', '203')[0];
    await x('answer', { callId: c.call!.id }, '203');
    await waitFor(() => ofType(t.events, 'call.answered', '203')[0], 'answered on 203');
    await x('blindTransfer', { callId: c.call!.id, destination: '202' }, '203');
    await incoming('202', 2);
    expect((await waitFor(() => ofType(t.events, 'call.ended', '203')[0], '203 left')).call!.endReason).toBe('transferred');
    const b = ofType(t.events, 'call.incoming', '202')[1];
    await x('answer', { callId: b.call!.id }, '202');
    await waitFor(() => ofType(t.events, 'call.answered', '202')[0], 'answered on 202');
    await x('divertCall', { callId: b.call!.id, destination: '203' }, '202');
    await incoming('203', 2);
    const c2 = ofType(t.events, 'call.incoming', '203')[1];
    await x('answer', { callId: c2.call!.id }, '203');
    await waitFor(() => t.sim.pbx.calls()[0]?.parties.every((p) => p.state === 'active'), 'alice-carol connected');
    await x('addParticipant', { callId: c2.call!.id, destination: '202' }, '203');
    const b3 = await incoming('202', 3);
    await x('answer', { callId: b3.call!.id }, '202');
    await waitFor(() => t.sim.pbx.calls().length === 1 && t.sim.pbx.calls()[0].parties.length === 3, 'party added');
  });

  it('qualify a ringing call, list calls, snapshot', async () => {
    await x('makeCall', { destination: '202' }, '201');
    await incoming('202');
    await expect(x('qualifyCall', {}, '202')).resolves.toEqual({ number: '201', name: 'Alice Martin' });
    expect(t.sim.pbx.calls()[0].parties.find((p) => p.login === 'bob')!.state).toBe('ringing_incoming'); // not answered
    const list = (await x('listCalls', {}, '202')) as { calls: Array<{ direction: string; from: { number: string } }> };
    expect(list.calls).toHaveLength(1);
    expect(list.calls[0]).toMatchObject({ direction: 'incoming', from: { number: '201' } });
    const snap = (await x('getSnapshot', {}, '202')) as { calls: Array<{ primCall: { state: string } }> };
    expect(snap.calls[0].primCall.state).toBe('alerting');
    await expect(x('qualifyCall', {}, '203')).rejects.toThrow(/noCall/);
  });

  it('forward, do not disturb, message waiting', async () => {
    const r = await x('setForward', { target: 'number', number: '203', condition: 'busy_no_answer' }, '201');
    expect(r).toEqual({ forward: { type: 'number', destination: '203', condition: 'busy_no_answer' }, overflow: null, dnd: false });
    expect(t.sim.pbx.routing('alice').forward).toEqual({ destination: '203', condition: 'busy_no_answer' });
    await waitFor(() => ofType(t.events, 'routing.changed', '201').some((e) => e.routing!.forward?.condition === 'busy_no_answer'), 'routing event');
    expect(await x('getRouting', {}, '201')).toEqual(r);
    await expect(x('setForward', { target: 'voicemail', condition: 'immediate' }, '201')).rejects.toBeInstanceOf(PbxError);
    expect(await x('cancelForward', {}, '201')).toEqual({ forward: null, overflow: null, dnd: false });
    expect(t.sim.pbx.routing('alice').forward).toBeNull();
    await x('setDnd', { enabled: true }, '201');
    expect(await x('getDnd', {}, '201')).toEqual({ enabled: true });
    await waitFor(() => ofType(t.events, 'routing.changed', '201').some((e) => e.routing!.dnd), 'dnd event');
    await x('setDnd', { enabled: false }, '201');
    expect(await x('getMessageWaiting', {}, '201')).toEqual({ messageWaiting: false });
    simFeatures(t.sim.pbx).messaging.deposit('alice', { number: '203', name: 'Carol Petit' });
    await waitFor(() => ofType(t.events, 'messages.changed', '201')[0], 'message waiting event');
    expect(ofType(t.events, 'messages.changed', '201')[0].messages).toEqual({ messageWaiting: true });
    expect(await x('getMessageWaiting', {}, '201')).toEqual({ messageWaiting: true });
  });

  it('agent state, user statistics', async () => {
    await x('setAgentState', { state: 'ready' }, '203');
    await waitFor(() => ofType(t.events, 'agent.state', '203').some((e) => e.state === 'ready'), 'agent ready event');
    expect(await x('getAgentState', {}, '203')).toMatchObject({ state: 'ready', group: 'Support' });
    await x('setAgentState', { state: 'not_ready' }, '203');
    await waitFor(() => ofType(t.events, 'agent.state', '203').some((e) => e.state === 'pause'), 'agent paused');
    const stats = (await x('getUserStatistics', { type: 'snapshot' }, '203')) as { name: string; value: { agentState: string } };
    expect(stats).toEqual({ name: 'snapshot', value: { agentState: 'notReady', inboundServices: ['Support'] } });
    expect(((await x('getUserStatistics', { type: 'total' }, '203')) as { name: string }).name).toBe('total');
    await x('setAgentState', { state: 'logoff' }, '203');
    expect(await x('getAgentState', {}, '203')).toMatchObject({ state: 'log_off' });
  });

  it('call log, directory search, user directory, directory sync', async () => {
    t.sim.pbx.callerHangsUp(t.sim.pbx.makeCall('carol', '201'));
    await waitFor(() => ofType(t.events, 'call.missed', '201')[0], 'missed');
    const log = (await x('listCallLog', { unansweredOnly: true }, '201')) as { records: Array<{ otherParty: { number: string }; isOutgoing: boolean }> };
    expect(log.records[0]).toMatchObject({ otherParty: { number: '203' }, isOutgoing: false });
    const byName = (await x('searchDirectory', { query: 'Bob' }, '201')) as { results: Array<{ number: string; name: string }> };
    expect(byName.results.map((p) => p.name)).toEqual(['Bob Durand']);
    const byNumber = (await x('searchDirectory', { query: '203' }, '201')) as { results: Array<{ name: string }> };
    expect(byNumber.results[0].name).toBe('Carol Petit');
    await x('updateUserDirectory', { directoryName: 'outlook', parties: JSON.stringify([{ number: '0160121314', name: 'Zoe Blake', numberType: 'work', company: 'TheCompany' }]) }, '201');
    const zoe = (await x('searchDirectory', { query: 'zoe' }, '201')) as { results: Array<{ number: string }> };
    expect(zoe.results).toEqual([{ number: '0160121314', name: 'Zoe Blake', numberType: 'work', company: 'TheCompany' }]);
    await expect(x('updateUserDirectory', { directoryName: 'outlook', parties: 'not json' }, '201')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(x('updateDirectory', { directoryName: 'ldap' }, '201')).resolves.toEqual({ ok: true });
    const e = (await x('updateDirectory', { directoryName: 'nope' }, '201').catch((err: unknown) => err)) as PbxApiError;
    expect(e).toBeInstanceOf(PbxApiError);
    expect(e.message).toMatch(/updateDirectory for 201: TelServer refused the request \(reject\)/);
  });

  it('routing-point (supervisor) services', async () => {
    await x('startRoutingPoint', { service: 'camp1', config: JSON.stringify({ noAnswerTimeout: 20, agentsDistribution: 'most-idle' }) }, '201');
    expect(await x('getRoutingPointState', { service: 'camp1' }, '201')).toEqual({ state: 'started-running' });
    await x('suspendRoutingPoint', { service: 'camp1' }, '201');
    expect(await x('getRoutingPointState', { service: 'camp1' }, '201')).toEqual({ state: 'started-suspended' });
    await x('resumeRoutingPoint', { service: 'camp1' }, '201');
    await x('updateRoutingPoint', { service: 'camp1', config: '{"queueLimit": 100}' }, '201');
    const st = (await x('getRoutingPointStatistics', { service: 'camp1', type: 'snapshot' }, '201')) as { name: string; value: { agents: unknown[] } };
    expect(st.name).toBe('snapshot');
    expect(st.value.agents).toHaveLength(3);
    await x('stopRoutingPoint', { service: 'camp1' }, '201');
    expect(await x('getRoutingPointState', { service: 'camp1' }, '201')).toEqual({ state: 'stopped' });
    await expect(x('startRoutingPoint', { service: 'c2', config: '{"agentsDistribution": "random"}' }, '201')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
