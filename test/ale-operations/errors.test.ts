/** Error paths of ALE operations, against the simulator over real HTTP. */
import { PbxApiError, PbxError } from '../../shared/errors';
import { startSimulator, type Simulator } from '../../simulator';
import { connect, waitFor, type Probe } from '../ale/helpers';

describe.each(['opentouch', 'o2g'] as const)('%s operation errors', (platform) => {
  let sim: Simulator;
  let bob: Probe;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
    bob = connect(sim, platform, { requestTimeoutMs: 500 });
    await bob.conn.ready();
  });
  afterEach(async () => {
    await bob.conn.close();
    await sim.close();
  });

  it('an operation on an unknown call is a typed PBX error (404 NOT_FOUND)', async () => {
    const err = await bob.conn.execute('hangUp', { callId: 'no-such-call' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PbxApiError);
    expect(err).toMatchObject({ code: 'PBX', status: 404, type: 'NOT_FOUND' });
  });

  it('a PBX rejection (RestErrorInfo) keeps its type and canRetry', async () => {
    const ref = sim.pbx.makeCall('alice', '202');
    await waitFor(() => bob.calls().length > 0, 3000, 'incoming');
    // Holding a call that still rings is not possible in that state.
    const err = await bob.conn.execute('hold', { callId: ref }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PbxApiError);
    expect(err).toMatchObject({ code: 'PBX', status: 400, type: 'NOT_EXPECTED', canRetry: true });
    expect(sim.pbx.viewsOf('bob')[0].state).toBe('ringing_incoming');
  });

  it('missing input is refused before anything is sent', async () => {
    await expect(bob.conn.execute('answer', {})).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(bob.conn.execute('setForward', { target: 'number', number: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('a PBX that answers too slowly gives TIMEOUT', async () => {
    sim.faults.slowAnswers(1500, platform);
    const err = await bob.conn.execute('listCalls', {}).catch((e: unknown) => e);
    sim.faults.slowAnswers(0, platform);
    expect(err).toBeInstanceOf(PbxError);
    expect((err as PbxError).code).toBe('TIMEOUT');
  });

  it('a session that expired during an action is renewed and the action retried once', async () => {
    const ref = sim.pbx.makeCall('alice', '202');
    await waitFor(() => bob.calls().length > 0, 3000, 'incoming');
    sim.faults.expireSessions(platform);
    await bob.conn.execute('answer', { callId: ref });
    expect(sim.pbx.viewsOf('bob')[0].state).toBe('active');
    // The action was sent once: the call was answered, not answered twice (which would be a 400).
    await waitFor(() => bob.conn.state === 'connected', 3000, 'reconnected');
  });
});
