/**
 * CCD pilots (queues) over the simulator's O2G front-end and the real event channel: a call to pilot 5000
 * "Support" is handed to a ready agent of group 5000 (queue.joined, queue.answered naming the agent, then the agent's
 * own call events), or waits with no ready agent and is abandoned when the caller hangs up (queue.abandoned, no
 * call.missed for anyone). The pilot package is asked for by pilot number and dropped when the server refuses it.
 */
import type { PbxEvent } from '../../shared/model/events';
import { AlePipeline } from '../../shared/platforms/ale/pipeline';
import { startSimulator, type Simulator } from '../../simulator';
import { simFeatures } from '../../simulator/frontends/ale/operation-routes';
import { connect, waitFor, type Probe } from './helpers';

const queueEvents = (p: Probe): PbxEvent[] => p.events.filter((e) => e.type.startsWith('queue.'));

describe('O2G queues (CCD pilot 5000 "Support")', () => {
  let sim: Simulator;
  let admin: Probe;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
    admin = connect(sim, 'o2g', { login: 'admin', password: 'admin-pw', sessionKind: 'admin', users: ['alice', 'bob', 'carol'], extra: { backoffInitialMs: 50, backoffMaxMs: 400, pilots: { '5000': 'Support' } } });
    await admin.conn.ready();
  });
  afterEach(async () => {
    await admin.conn.close();
    await sim.close();
  });

  it('a ready agent: queue.joined, queue.answered with the agent, and the agent gets the call', async () => {
    simFeatures(sim.pbx).agents.logon('alice', '201', '5000');
    const ref = sim.pbx.makeCall('carol', '5000');
    await waitFor(() => admin.calls('alice').some((e) => e.type === 'call.incoming'), 3000, 'alice call.incoming');
    sim.pbx.answer(ref, 'alice');
    await waitFor(() => admin.calls('alice').some((e) => e.type === 'call.answered'), 3000, 'alice call.answered');

    const q = queueEvents(admin);
    expect(q.map((e) => e.type)).toEqual(['queue.joined', 'queue.answered']);
    expect(q[0]).toMatchObject({ platform: 'o2g', user: '5000', queue: { id: '5000', name: 'Support', callId: ref, caller: { number: '203' } } });
    expect(q[1].queue).toMatchObject({ id: '5000', callId: ref, caller: { number: '203' }, agent: { number: '201' }, waitSeconds: expect.any(Number) });
    // The queue event comes before the agent's phone rings.
    expect(admin.events.indexOf(q[1])).toBeLessThan(admin.events.findIndex((e) => e.user === 'alice' && e.type === 'call.incoming'));
    const incoming = admin.calls('alice').find((e) => e.type === 'call.incoming')!;
    expect(incoming.call).toMatchObject({ id: ref, direction: 'incoming', from: { number: '203', login: 'carol' } });
    sim.pbx.hangUp(ref, 'alice');
    await waitFor(() => admin.calls('alice').some((e) => e.type === 'call.ended'), 3000, 'alice call.ended');
    expect(admin.events.some((e) => e.type === 'call.missed')).toBe(false);
  });

  it('no ready agent, the caller hangs up: queue.joined then queue.abandoned, and no call.missed', async () => {
    const agents = simFeatures(sim.pbx).agents;
    agents.logon('alice', '201', '5000');
    agents.setActivity('alice', 'paused');
    const ref = sim.pbx.makeCall('carol', '5000');
    await waitFor(() => queueEvents(admin).length === 1, 3000, 'queue.joined');
    expect(simFeatures(sim.pbx).pilots.queued('5000')).toEqual([ref]);
    sim.pbx.callerHangsUp(ref);
    await waitFor(() => queueEvents(admin).length === 2, 3000, 'queue.abandoned');
    await waitFor(() => admin.calls('carol').some((e) => e.type === 'call.ended'), 3000, 'carol call.ended');

    const q = queueEvents(admin);
    expect(q.map((e) => e.type)).toEqual(['queue.joined', 'queue.abandoned']);
    expect(q[1]).toMatchObject({ user: '5000', queue: { id: '5000', name: 'Support', callId: ref, waitSeconds: expect.any(Number) } });
    expect(q[1].queue?.agent).toBeUndefined();
    // Nobody's phone rang: no agent saw the call, and the caller's own call is not a missed call either.
    expect(admin.calls('alice')).toEqual([]);
    expect(admin.events.filter((e) => e.type === 'call.missed')).toEqual([]);
    expect(simFeatures(sim.pbx).pilots.queued('5000')).toEqual([]);
  });

  it('a queued call goes to the first agent who becomes ready', async () => {
    const agents = simFeatures(sim.pbx).agents;
    agents.logon('bob', '202', '5000');
    agents.setActivity('bob', 'paused');
    const ref = sim.pbx.makeCall('carol', '5000');
    await waitFor(() => queueEvents(admin).length === 1, 3000, 'queue.joined');
    agents.setActivity('bob', 'ready');
    await waitFor(() => admin.calls('bob').some((e) => e.type === 'call.incoming'), 3000, 'bob call.incoming');
    expect(queueEvents(admin).map((e) => e.type)).toEqual(['queue.joined', 'queue.answered']);
    expect(queueEvents(admin)[1].queue).toMatchObject({ callId: ref, agent: { number: '202' } });
  });

  it('a refused pilot subscription (unknown pilot) still gives call events, without queue events', async () => {
    const other = connect(sim, 'o2g', { login: 'carol', password: 'carol-pw', extra: { backoffInitialMs: 50, backoffMaxMs: 400, pilots: ['9999'] } });
    try {
      await other.conn.ready();
      expect(other.diags.some((d) => /refused with the agent\/pilot packages/.test(d.message))).toBe(true);
      const ref = sim.pbx.makeCall('alice', '203');
      await waitFor(() => other.calls('carol').some((e) => e.type === 'call.incoming'), 3000, 'carol call.incoming');
      sim.pbx.callerHangsUp(ref);
      await waitFor(() => other.calls('carol').some((e) => e.type === 'call.missed'), 3000, 'carol call.missed');
    } finally {
      await other.conn.close();
    }
  });
});

describe('O2G pilot events, as the SDKs spell them', () => {
  const line = (o: Record<string, unknown>) => JSON.stringify({ time: Date.parse('2024-05-01T10:00:00Z'), ...o });

  it('Created then Queued is one queue.joined; the wait is counted; overflow ends the wait with no event', () => {
    const p = new AlePipeline({ platform: 'o2g', defaultUser: 'sup', pilotNames: { '12340': 'Hotline' } });
    const out = [
      line({ eventName: 'OnPilotCallCreated', pilot: '12340', caller: '0645234123', callRef: 'c1', cause: 'ACD_ENTER_DISTRIBUTION' }),
      line({ eventName: 'OnPilotCallQueued', pilot: '12340', caller: '0645234123', callRef: 'c1', cause: 'NO_AVAILABLE_AGENT', queue: '13340', numberOfQueued: 1 }),
      line({ eventName: 'OnPilotCallRemoved', pilot: '12340', callRef: 'c1', cause: 'DISTRIBUTED', newDestination: '10120', time: Date.parse('2024-05-01T10:00:42Z') }),
      line({ eventName: 'OnPilotCallQueued', pilot: '12340', caller: '0611', callRef: 'c2', cause: 'NO_AVAILABLE_AGENT' }),
      line({ eventName: 'OnPilotCallRemoved', pilot: '12340', callRef: 'c2', cause: 'OVERFLOWN', newDestination: '8000' }),
    ].flatMap((l) => p.pushLine(l));
    expect(out.map((e) => [e.type, e.user, e.queue])).toEqual([
      ['queue.joined', '12340', { id: '12340', name: 'Hotline', callId: 'c1', caller: { number: '0645234123' } }],
      // The caller seen at arrival is named on the outcome too (issue 11).
      ['queue.answered', '12340', { id: '12340', name: 'Hotline', callId: 'c1', caller: { number: '0645234123' }, agent: { number: '10120' }, waitSeconds: 42 }],
      ['queue.joined', '12340', { id: '12340', name: 'Hotline', callId: 'c2', caller: { number: '0611' } }],
    ]);
    expect(new Set(out.map((e) => e.id)).size).toBe(3);
  });
});
