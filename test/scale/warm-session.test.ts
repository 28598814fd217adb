/**
 * Actions need a session only, and a released connection lingers warm: no subscription or event channel until
 * something listens, one login for many acquire/execute/release rounds, and a linger that ends (or is cut short
 * by `releaseAll`) with the session deleted on the PBX.
 */
import '../../shared/platforms';
import { acquireConnection, configureRegistry, openConnectionCount, releaseAll } from '../../shared/connection/registry';
import type { ConnectionConfig } from '../../shared/connection/types';
import type { AleConnection } from '../../shared/platforms/ale/connection';
import { startSimulator, type Simulator } from '../../simulator';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  configureRegistry({ lingerMs: undefined });
  await releaseAll();
  await sim.close();
});
afterEach(async () => {
  configureRegistry({ lingerMs: undefined });
  await releaseAll();
});

const cfg = (platform: 'o2g' | 'opentouch', login = 'bob'): ConnectionConfig => ({ platform, url: sim.url(platform), login, password: `${login}-pw` });
const count = (platform: 'o2g' | 'opentouch', method: string, suffix: string) =>
  sim.frontEnds[platform].requests.filter((r) => r.method === method && r.path.endsWith(suffix)).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('warm sessions for actions', () => {
  it('20 acquire/execute/release rounds: 1 login, 1 session, 0 subscriptions, 0 event channels', async () => {
    configureRegistry({ lingerMs: 60_000 });
    const fe = sim.frontEnds.o2g;
    const logins0 = fe.stats.logins;
    const sessions0 = count('o2g', 'POST', '/sessions');
    const channels0 = fe.stats.channelsOpened;
    const first = acquireConnection(cfg('o2g'));
    const conn = first.connection;
    await first.release();
    for (let i = 0; i < 20; i++) {
      const lease = acquireConnection(cfg('o2g'));
      expect(lease.connection).toBe(conn); // the lingering one, warm
      await lease.connection.ready();
      expect(await lease.connection.execute('listCalls', {})).toBeDefined();
      await lease.release();
    }
    expect(fe.stats.logins - logins0).toBe(1);
    expect(count('o2g', 'POST', '/sessions') - sessions0).toBe(1);
    expect(count('o2g', 'POST', '/subscriptions')).toBe(0);
    expect(fe.stats.channelsOpened - channels0).toBe(0);
    expect((conn as AleConnection).eventsStarted).toBe(false);
    expect(openConnectionCount()).toBe(1); // lingering
    await releaseAll();
    expect(openConnectionCount()).toBe(0);
    expect(fe.state.sessions.size).toBe(0); // logged out on the PBX
  });

  it('the first event listener starts the subscription and the channel; events flow', async () => {
    const lease = acquireConnection(cfg('opentouch', 'alice'));
    await lease.connection.execute('listCalls', {});
    expect(count('opentouch', 'POST', '/subscriptions')).toBe(0);
    const seen: string[] = [];
    expect((lease.connection as AleConnection).eventsStarted).toBe(false);
    lease.connection.onEvent((e) => seen.push(e.type));
    expect((lease.connection as AleConnection).eventsStarted).toBe(true);
    await lease.connection.ready();
    expect(lease.connection.state).toBe('connected');
    expect(count('opentouch', 'POST', '/subscriptions')).toBe(1);
    sim.pbx.makeCall('bob', '201');
    for (let t = 0; !seen.includes('call.incoming'); t++) {
      if (t > 500) throw new Error('no call event');
      await sleep(10);
    }
    await lease.release();
    sim.pbx.reset();
  });

  it('a session-only connection is connected once logged in; a later listener subscribes with no state flap', async () => {
    const subs0 = count('o2g', 'POST', '/subscriptions');
    const lease = acquireConnection(cfg('o2g', 'alice'));
    const conn = lease.connection;
    const states: string[] = [];
    conn.onState((s) => states.push(s.state));
    await conn.ready();
    expect(conn.state).toBe('connected');
    expect(count('o2g', 'POST', '/subscriptions') - subs0).toBe(0);
    const seen: string[] = [];
    conn.onEvent((e) => seen.push(e.type));
    // ready() now means subscribed and resynced, not only logged in.
    await conn.ready();
    expect(count('o2g', 'POST', '/subscriptions') - subs0).toBe(1);
    expect(states).toEqual(['connected']);
    sim.pbx.makeCall('bob', '201');
    for (let t = 0; !seen.includes('call.incoming'); t++) {
      if (t > 500) throw new Error('no call event');
      await sleep(10);
    }
    expect(states).toEqual(['connected']);
    await lease.release();
    sim.pbx.reset();
  });

  it('O2G routing change without a listener: confirmed by reading the state back, no subscription', async () => {
    const lease = acquireConnection(cfg('o2g', 'carol'));
    const subs0 = count('o2g', 'POST', '/subscriptions');
    const r = (await lease.connection.execute('setForward', { target: 'number', number: '202', condition: 'immediate' })) as { routing: { forward: { destination?: string } } };
    expect(r.routing.forward.destination).toBe('202');
    expect(count('o2g', 'POST', '/subscriptions') - subs0).toBe(0);
    await lease.connection.execute('cancelForward', {});
    await lease.release();
  });

  it('a short linger ends with the session deleted; linger 0 closes at once; a wrong password is not kept warm', async () => {
    const fe = sim.frontEnds.o2g;
    const a = acquireConnection({ ...cfg('o2g', 'alice'), lingerMs: 200 });
    await a.connection.execute('listCalls', {});
    expect(fe.state.sessions.size).toBe(1);
    await a.release();
    expect(openConnectionCount()).toBe(1);
    for (let t = 0; openConnectionCount() > 0; t++) {
      if (t > 300) throw new Error('linger did not end');
      await sleep(10);
    }
    // The registry forgets the connection as its close begins; the session's DELETE is then on its way (bounded).
    for (let t = 0; fe.state.sessions.size > 0 && t < 100; t++) await sleep(10);
    expect(fe.state.sessions.size).toBe(0);

    configureRegistry({ lingerMs: 0 });
    const b = acquireConnection(cfg('o2g', 'alice'));
    await b.connection.execute('listCalls', {});
    await b.release();
    expect(openConnectionCount()).toBe(0);
    expect(fe.state.sessions.size).toBe(0);

    configureRegistry({ lingerMs: 60_000 });
    const failed0 = fe.stats.failedLogins;
    const bad = acquireConnection({ ...cfg('o2g', 'alice'), password: 'wrong' });
    await expect(bad.connection.ready()).rejects.toMatchObject({ name: 'AuthError' });
    await expect(bad.connection.execute('listCalls', {})).rejects.toMatchObject({ name: 'AuthError' });
    expect(bad.connection.state).toBe('failed');
    expect(fe.stats.failedLogins - failed0).toBe(1); // one attempt, no retry storm
    await bad.release();
    expect(openConnectionCount()).toBe(0);
  });
});
