/**
 * Issue 22.3: an administrator connection never acts for an arbitrary monitored user. Without the user to act for
 * ("Act for User" empty), an operation that acts for one fails with an ActingUserError listing the monitored users,
 * and nothing is sent; with the user, it acts for them; the directory (the company's) needs no user.
 */
import { ActingUserError } from '../../shared/errors';
import { AleConnection } from '../../shared/platforms/ale/connection';
import { startSimulator, type Simulator } from '../../simulator';

describe.each(['opentouch', 'o2g'] as const)('%s administrator connection', (platform) => {
  let sim: Simulator;
  let admin: AleConnection;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
    admin = new AleConnection({ platform, url: sim.url(platform), login: 'admin', password: 'admin-pw', sessionKind: 'admin', users: ['alice', 'bob', 'carol'], requestTimeoutMs: 2000 });
  });
  afterEach(async () => {
    await admin.close();
    await sim.close();
  });

  it('Make Call without a user: a typed error naming the choices, no phone rings (it rang from Alice\'s); with the user, theirs', async () => {
    const fe = sim.frontEnds[platform];
    const mark = fe.requests.length;
    const err = await admin.execute('makeCall', { destination: '203' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActingUserError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', operation: 'makeCall', choices: ['alice', 'bob', 'carol'] });
    expect((err as Error).message).toMatch(/Make Call acts for one user.*"Act for User".*alice, bob, carol/);
    expect(sim.pbx.calls()).toEqual([]);
    expect(fe.requests.slice(mark).filter((r) => r.path.includes('/telephony'))).toEqual([]);
    // The same for any operation that acts for a user.
    await expect(admin.execute('getRouting', {})).rejects.toBeInstanceOf(ActingUserError);
    await expect(admin.execute('listCallLog', {})).rejects.toBeInstanceOf(ActingUserError);

    // With the user named, it acts for them; the directory (the company's) needs none.
    const res = (await admin.execute('makeCall', { destination: '203' }, { user: 'bob' })) as { deviceId: string };
    expect(res.deviceId).toBe('202');
    expect(sim.pbx.viewsOf('bob')).toHaveLength(1);
    expect(sim.pbx.viewsOf('alice')).toEqual([]);
    const found = (await admin.execute('searchDirectory', { query: 'dur' })) as { contacts: unknown[] };
    expect(found.contacts.length).toBeGreaterThan(0);
  });
});
