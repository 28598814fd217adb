/** Queue calls end to end (account login): abandoned and answered, and none for a user login. */
import { simFeatures } from '../../simulator/frontends/ale/operation-routes/features';
import { startVc, connect, waitFor, type VcSim, type Probe } from './helpers';

let s: VcSim;
const open: Probe[] = [];
beforeAll(async () => {
  s = await startVc('2');
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.conn.close()));
  simFeatures(s.sim.pbx).agents.logoff('carol');
  s.sim.pbx.reset();
});
afterAll(async () => {
  await s.sim.close();
});

describe('Voicenter queues', () => {
  it('an abandoned queue call: joined, then abandoned with its wait; the user login hears nothing of it', async () => {
    const acct = connect(s, 'account');
    const user = connect(s, 'user');
    open.push(acct, user);
    await Promise.all([acct.conn.ready(5000), user.conn.ready(5000)]);
    const ref = s.sim.pbx.makeCall('bob', '5000');
    await waitFor(() => acct.of('queue.joined').length === 1, 5000, 'joined');
    expect(acct.of('queue.joined')[0]).toMatchObject({ user: '5000', queue: { id: '5000', name: 'Support', callId: `sim-${ref}`, caller: { number: '202', name: 'Bob Durand' } } });
    await new Promise((r) => setTimeout(r, 1100));
    s.sim.pbx.callerHangsUp(ref);
    await waitFor(() => acct.of('queue.abandoned').length === 1, 5000, 'abandoned');
    const ab = acct.of('queue.abandoned')[0];
    expect(ab.queue).toMatchObject({ id: '5000', callId: `sim-${ref}`, caller: { number: '202' } });
    expect(ab.queue!.waitSeconds).toBeGreaterThanOrEqual(1);
    expect(user.events.filter((e) => e.type.startsWith('queue.'))).toEqual([]);
  });

  it('a queue call answered: queue.answered, and the agent call carries the queueID', async () => {
    const acct = connect(s, 'account');
    open.push(acct);
    await acct.conn.ready(5000);
    const ref = s.sim.pbx.makeCall('bob', '5000');
    await waitFor(() => acct.of('queue.joined').length === 1, 5000, 'joined');
    simFeatures(s.sim.pbx).agents.logon('carol', '203', '5000');
    await waitFor(() => acct.of('queue.answered').length === 1 && acct.events.some((e) => e.type === 'call.incoming' && e.user === '203'), 5000, 'distributed');
    expect(acct.of('queue.answered')[0].queue).toMatchObject({ id: '5000', callId: `sim-${ref}` });
    const agentCall = acct.events.find((e) => e.type === 'call.incoming' && e.user === '203')!;
    expect(agentCall.call?.extra).toMatchObject({ queueID: 5000, ivrid: `sim-${ref}` });
  });

  it('calls waiting when we log in are reported once', async () => {
    const ref = s.sim.pbx.makeCall('bob', '5000');
    const acct = connect(s, 'account');
    open.push(acct);
    await acct.conn.ready(5000);
    expect(acct.of('queue.joined').map((e) => e.queue?.callId)).toEqual([`sim-${ref}`]);
    s.sim.voicenter!.extensionsUpdated();
    await waitFor(() => acct.conn.stats.snapshots === 2, 5000, 'second snapshot');
    expect(acct.of('queue.joined')).toHaveLength(1);
  });
});
