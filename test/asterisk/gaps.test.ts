/**
 * Issue 23's remaining Asterisk pieces over real sockets against the simulator's AMI front-end: attended transfer
 * (Atxfer, completed when the transferer's leg hangs up, reported as AttendedTransfer); AMI over TLS with
 * verification on by default; the virtual PBX's pilots and agents as app_queue queues and members (live events and
 * the QueueStatus resync); a Reload followed by one resync.
 */
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { selfSignedCertificate } from '../../simulator/frontends/ale/self-signed';
import { simFeatures } from '../../simulator/frontends/ale/operation-routes/features';
import type { AsteriskConnection } from '../../shared/platforms/asterisk/module';
import { connectAmiTo, sleep, waitFor } from './ami-client';
import { startSimulator, type Simulator } from '../../simulator';

let sim: Simulator;
const open: AsteriskConnection[] = [];

beforeAll(async () => {
  sim = await startSimulator({ asterisk: { authFailDelayMs: 20 } });
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const connectAmi = (extra: Record<string, unknown> = {}, url = sim.asterisk!.url) => connectAmiTo(url, open, extra);

describe('asterisk: attended transfer (Atxfer)', () => {
  it('Consultation Call holds the caller and dials the target; Transfer joins them and reports call.transferred', async () => {
    const { c, events, of } = connectAmi();
    await c.ready(5000);
    const ref = sim.pbx.makeCall('alice', '202');
    await waitFor(() => of('202').includes('call.incoming'));
    sim.pbx.answer(ref, 'bob');
    await waitFor(() => of('202').includes('call.answered') && of('201').includes('call.answered'));
    const [held] = (await c.execute('listCalls', {}, { user: '202' })) as Array<{ id: string }>;

    await expect(c.execute('consultationCall', { destination: '203' }, { user: '202' })).resolves.toMatchObject({ heldCallId: held.id, destination: '203' });
    await waitFor(() => of('203').includes('call.incoming') && of('202').includes('call.held'));
    sim.pbx.answer(sim.pbx.viewsOf('carol')[0].ref, 'carol');
    await waitFor(() => of('203').includes('call.answered'));
    const consult = ((await c.execute('listCalls', {}, { user: '202' })) as Array<{ id: string }>).find((x) => x.id !== held.id)!;
    expect(consult).toBeDefined();

    await c.execute('transfer', { callId: consult.id, heldCallId: held.id }, { user: '202' });
    await waitFor(() => of('202').filter((t) => t === 'call.ended').length === 2);
    // Alice and Carol now talk; Bob left both calls, each ended as transferred.
    expect(sim.pbx.calls()).toHaveLength(1);
    expect(sim.pbx.viewsOf('alice')[0].participants.map((p) => p.number)).toEqual(['203']);
    const transferred = events.filter((e) => e.user === '202' && e.type === 'call.transferred');
    expect(transferred).toHaveLength(2);
    expect(transferred.map((e) => e.call?.transferredTo?.number).sort()).toEqual(['201', '203']);
    expect(of('201')).not.toContain('call.ended');
    expect(of('203')).not.toContain('call.ended');
    sim.pbx.hangUp(sim.pbx.viewsOf('alice')[0].ref, 'alice');
    await waitFor(() => of('201').includes('call.ended') && of('203').includes('call.ended'));
  });

  it('Transfer of a consultation the phone placed itself is refused, naming Atxfer', async () => {
    const { c } = connectAmi();
    await c.ready(5000);
    await expect(c.execute('transfer', { callId: 'a', heldCallId: 'b' }, { user: '202' })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('Atxfer') });
  });
});

describe('asterisk: AMI over TLS (5039), verification on by default', () => {
  let tsim: Simulator;
  const cert = selfSignedCertificate(1);
  beforeAll(async () => {
    tsim = await startSimulator({ asterisk: { tls: { key: cert.key, cert: cert.cert } } });
  });
  afterAll(async () => {
    await tsim.close();
  });

  it('refuses a self-signed certificate with the core\'s TLS hint, and logs in with the insecure setting', async () => {
    expect(tsim.asterisk!.url.startsWith('tls://')).toBe(true);
    const strict = connectAmi({}, tsim.asterisk!.url);
    const err = await strict.c.ready(3000).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NETWORK' });
    expect((err as Error).message).toContain('the PBX certificate is self-signed');
    expect((err as Error).message).toContain("give the PBX's CA certificate");
    expect(tsim.asterisk!.stats.logins).toBe(0);

    const loose = connectAmi({ insecure: true }, tsim.asterisk!.url);
    await loose.c.ready(5000);
    const ref = tsim.pbx.makeCall('alice', '203');
    await waitFor(() => loose.of('203').includes('call.incoming'));
    tsim.pbx.callerHangsUp(ref);
    await waitFor(() => loose.of('203').includes('call.missed'));
  });

  it('verifies the certificate against a trusted CA and logs in', async () => {
    const before = getCACertificates('default');
    setDefaultCACertificates([...before, cert.cert]);
    try {
      const { c } = connectAmi({}, tsim.asterisk!.url);
      await c.ready(5000);
      await expect(c.execute('searchDirectory', { query: 'carol' })).resolves.toEqual([expect.objectContaining({ number: '203' })]);
    } finally {
      setDefaultCACertificates(before);
    }
  });
});

describe('asterisk: queues from the simulator\'s pilots (app_queue)', () => {
  it('an agent logs on and pauses, a queue call is answered by the agent, another is abandoned; QueueStatus has the member', async () => {
    const { c, events } = connectAmi();
    await c.ready(5000);
    const agentStates = () => events.filter((e) => e.type === 'agent.state' && e.user === '202').map((e) => e.state);
    const queueEvents = () => events.filter((e) => e.type.startsWith('queue.'));

    await c.execute('setAgentState', { state: 'logon', group: '5000' }, { user: '202' });
    expect(simFeatures(sim.pbx).agents.state('bob')).toMatchObject({ activity: 'ready', group: '5000' });
    await waitFor(() => agentStates().includes('ready'));

    sim.pbx.callFromOutside('0611223344', '5000', { name: 'Customer' });
    await waitFor(() => sim.pbx.viewsOf('bob').length === 1);
    sim.pbx.answer(sim.pbx.viewsOf('bob')[0].ref, 'bob');
    await waitFor(() => queueEvents().some((e) => e.type === 'queue.answered') && agentStates().includes('busy'));
    const joined = queueEvents().find((e) => e.type === 'queue.joined')!;
    const answered = queueEvents().find((e) => e.type === 'queue.answered')!;
    expect(joined).toMatchObject({ user: '5000', queue: { id: '5000', caller: { number: '0611223344' } } });
    expect(answered).toMatchObject({ user: '5000', queue: { id: '5000', callId: joined.queue!.callId, agent: { number: '202' } } });
    sim.pbx.hangUp(sim.pbx.viewsOf('bob')[0].ref, 'bob');
    await waitFor(() => agentStates().at(-1) === 'ready');

    await c.execute('setAgentState', { state: 'not_ready' }, { user: '202' });
    await waitFor(() => agentStates().at(-1) === 'not_ready');
    const waiting = sim.pbx.callFromOutside('0655667788', '5000');
    await waitFor(() => queueEvents().filter((e) => e.type === 'queue.joined').length === 2);
    expect(sim.pbx.viewsOf('bob')).toHaveLength(0);
    sim.pbx.callerHangsUp(waiting);
    await waitFor(() => queueEvents().some((e) => e.type === 'queue.abandoned'));
    expect(queueEvents().filter((e) => e.type === 'queue.abandoned')).toEqual([expect.objectContaining({ user: '5000', queue: expect.objectContaining({ id: '5000', caller: expect.objectContaining({ number: '0655667788' }) }) })]);

    await expect(c.execute('getAgentState', {}, { user: '202' })).resolves.toEqual({ state: 'not_ready', groups: [{ group: '5000', paused: true, inCall: false }] });
    await c.execute('setAgentState', { state: 'logoff', group: '5000' }, { user: '202' });
    await waitFor(() => agentStates().at(-1) === 'logged_off');
    expect(simFeatures(sim.pbx).agents.state('bob').activity).toBe('logged_off');
  });

  it('a client connecting later gets the members from QueueStatus in its resync', async () => {
    simFeatures(sim.pbx).agents.logon('carol', '203', '5000');
    try {
      const { c, events } = connectAmi();
      await c.ready(5000);
      await waitFor(() => events.some((e) => e.type === 'agent.state' && e.user === '203'));
      expect(events.find((e) => e.type === 'agent.state' && e.user === '203')).toMatchObject({ state: 'ready', agent: { group: '5000' } });
    } finally {
      simFeatures(sim.pbx).agents.logoff('carol');
    }
  });
});

describe('asterisk: Reload', () => {
  it('a reload burst (one Reload per module) is followed by one resync that picks up what changed without events', async () => {
    const { c, events } = connectAmi();
    await c.ready(5000);
    await sleep(50);
    const served = sim.asterisk!.faults.snapshotsServed;
    try {
      // queues.conf reloaded with Carol as a member: app_queue says nothing but Reload.
      sim.asterisk!.reload(['app_queue.so', 'res_pjsip.so', 'chan_pjsip.so', 'pbx_config.so'], () => simFeatures(sim.pbx).agents.logon('carol', '203', '5000'));
      await waitFor(() => events.some((e) => e.type === 'agent.state' && e.user === '203'));
      expect(events.find((e) => e.type === 'agent.state' && e.user === '203')).toMatchObject({ state: 'ready', agent: { group: '5000' } });
      await sleep(300);
      expect(sim.asterisk!.faults.snapshotsServed - served).toBe(1);
      expect(c.state).toBe('connected');
    } finally {
      simFeatures(sim.pbx).agents.logoff('carol');
    }
  });
});
