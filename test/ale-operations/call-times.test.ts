/**
 * Issue 22.5: Make Call's result does not call the call it just created `inProgressAtConnect`; List Calls gives a
 * call this connection placed the time it was placed, and another call the same start at every listing (ALE call
 * lists carry no times); the flag only for calls that may predate the connection.
 */
import { AleConnection } from '../../shared/platforms/ale/connection';
import type { CallInfo } from '../../shared/model/events';
import { startSimulator, type Simulator } from '../../simulator';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['opentouch', 'o2g'] as const)('%s call times on a session-only connection', (platform) => {
  let sim: Simulator;
  const open: AleConnection[] = [];
  const session = (login: string) => {
    const c = new AleConnection({ platform, url: sim.url(platform), login, password: `${login}-pw`, requestTimeoutMs: 2000 });
    open.push(c);
    return c;
  };
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await sim.close();
  });

  it('Make Call: the new call is not "in progress at connect"; later listings keep its start', async () => {
    const alice = session('alice');
    await alice.ready(3000);
    const t0 = Date.now();
    const res = (await alice.execute('makeCall', { destination: '202' })) as { callId: string; call: CallInfo };
    const t1 = Date.now();
    expect(res.call).toMatchObject({ id: res.callId, direction: 'outgoing' });
    expect(res.call.inProgressAtConnect).toBeUndefined();
    const started = Date.parse(res.call.startedAt);
    expect(started).toBeGreaterThanOrEqual(t0);
    expect(started).toBeLessThanOrEqual(t1);

    await sleep(250);
    const listed = (await alice.execute('listCalls', {})) as { calls: CallInfo[] };
    expect(listed.calls).toEqual([expect.objectContaining({ id: res.callId, startedAt: res.call.startedAt })]);
    expect(listed.calls[0].inProgressAtConnect).toBeUndefined();
  });

  it('a call older than the connection: flagged, with the same start at every listing', async () => {
    sim.pbx.makeCall('alice', 'bob');
    await sleep(50);
    const bob = session('bob');
    const first = (await bob.execute('listCalls', {})) as { calls: CallInfo[] };
    expect(first.calls).toEqual([expect.objectContaining({ direction: 'incoming', inProgressAtConnect: true })]);
    await sleep(250);
    const again = (await bob.execute('listCalls', {})) as { calls: CallInfo[] };
    expect(again.calls[0].startedAt).toBe(first.calls[0].startedAt);
    expect(again.calls[0].inProgressAtConnect).toBe(true);
  });
});
