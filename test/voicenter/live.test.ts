/** The Voicenter client against the simulator over real socket.io on loopback: login types and calls end to end. */
import { startVc, connect, waitFor, callKinds, type VcSim, type Probe } from './helpers';

let s: VcSim;
const open: Probe[] = [];
const probe = (...a: Parameters<typeof connect>): Probe => {
  const p = connect(...a);
  open.push(p);
  return p;
};

beforeAll(async () => {
  s = await startVc('2');
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.conn.close()));
  s.sim.pbx.reset();
});
afterAll(async () => {
  await s.sim.close();
});

describe('Voicenter live events (socket.io 2.x server and client)', () => {
  it('user login: HTTP login API, then the own extension only; an answered call', async () => {
    const p = probe(s, 'user');
    await p.conn.ready(5000);
    expect(p.conn.stats.httpLogins).toBe(1);
    const ref = s.sim.pbx.makeCall('bob', '201');
    await waitFor(() => p.of('call.incoming').length === 1, 5000, 'incoming');
    s.sim.pbx.answer(ref, 'alice');
    await waitFor(() => p.of('call.answered').length === 1, 5000, 'answered');
    s.sim.pbx.hangUp(ref, 'bob');
    await waitFor(() => p.of('call.ended').length === 1, 5000, 'ended');
    expect(callKinds(p.events)).toEqual(['call.incoming', 'call.answered', 'call.ended:completed']);
    const inc = p.of('call.incoming')[0];
    expect(inc.user).toBe('201');
    expect(inc.call).toMatchObject({ direction: 'incoming', from: { number: '202', name: 'Bob Durand' } });
    expect(inc.call?.extra).toMatchObject({ did: '201', voicenterDirection: 'Incoming' });
    // bob's own extension (202) is not alice's to see
    expect(p.events.filter((e) => e.user === '202')).toEqual([]);
  });

  it('a missed call end to end: the caller gives up while it rings', async () => {
    const p = probe(s, 'account');
    await p.conn.ready(5000);
    const ref = s.sim.pbx.makeCall('bob', '203');
    await waitFor(() => p.of('call.incoming').length === 1, 5000, 'incoming');
    s.sim.pbx.callerHangsUp(ref);
    await waitFor(() => p.of('call.missed').length === 1, 5000, 'missed');
    expect(p.of('call.missed')[0]).toMatchObject({ user: '203', call: { endReason: 'abandoned', answered: false, from: { number: '202' } } });
    // the caller's side: an outgoing call that ended, never missed
    expect(callKinds(p.events.filter((e) => e.user === '202'))).toEqual(['call.outgoing', 'call.ended:abandoned']);
  });

  it('hold and retrieve: HOLD and UNHOLD', async () => {
    const p = probe(s, 'account');
    await p.conn.ready(5000);
    const ref = s.sim.pbx.makeCall('bob', '201');
    await waitFor(() => p.of('call.incoming').length === 1, 5000, 'incoming');
    s.sim.pbx.answer(ref, 'alice');
    s.sim.pbx.hold(ref, 'alice');
    s.sim.pbx.retrieve(ref, 'alice');
    s.sim.pbx.hangUp(ref, 'alice');
    await waitFor(() => p.of('call.ended').length === 2, 5000, 'ended');
    expect(callKinds(p.events.filter((e) => e.user === '201'))).toEqual(['call.incoming', 'call.answered', 'call.held', 'call.retrieved', 'call.ended:completed']);
  });

  it('token login on the socket (discovery) and through the login API', async () => {
    const a = probe(s, 'token');
    const b = probe(s, 'token-api');
    await Promise.all([a.conn.ready(5000), b.conn.ready(5000)]);
    expect(a.conn.stats.httpLogins).toBe(0);
    expect(s.sim.voicenter!.stats.discoveries).toBeGreaterThanOrEqual(1);
    expect(b.conn.stats.httpLogins).toBe(1);
    s.sim.voicenter!.setUserStatus('carol', 3);
    await waitFor(() => a.of('agent.state').some((e) => e.state === 'lunch') && b.of('agent.state').some((e) => e.state === 'lunch'), 5000, 'status');
    expect(a.of('agent.state').find((e) => e.state === 'lunch')).toMatchObject({ user: '203', agent: { state: 'lunch' } });
  });
});
