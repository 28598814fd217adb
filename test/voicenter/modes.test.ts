/**
 * Both socket.io server modes (2.x, and 4.x with allowEIO3) with both client modes. The client follows the login
 * answer's `Client` field by default; a forced 4.x client cannot talk to a 2.x (Engine.IO v3) server, which is why
 * 2.x is the default.
 */
import { startVc, connect, waitFor, callKinds, type VcSim, type Probe } from './helpers';

const open: Probe[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.conn.close()));
});

async function callThrough(s: VcSim, p: Probe): Promise<void> {
  await p.conn.ready(5000);
  const ref = s.sim.pbx.makeCall('bob', '201');
  await waitFor(() => p.of('call.incoming').length === 1, 5000, 'incoming');
  s.sim.pbx.callerHangsUp(ref);
  await waitFor(() => p.of('call.missed').length === 1, 5000, 'missed');
  expect(callKinds(p.events)).toEqual(['call.incoming', 'call.ended:abandoned', 'call.missed:abandoned']);
}

describe.each(['2', '4'] as const)('socket.io %s.x server', (server) => {
  let s: VcSim;
  beforeAll(async () => {
    s = await startVc(server);
  });
  afterAll(async () => {
    await s.sim.close();
  });

  it('client chosen from the login answer (Client field)', async () => {
    const p = connect(s, 'user');
    open.push(p);
    await callThrough(s, p);
  });

  it('2.x client forced', async () => {
    const p = connect(s, 'user', { extra: { socketVersion: '2' } });
    open.push(p);
    await callThrough(s, p);
  });

  it.each(server === '4' ? (['2', '4'] as const) : (['2'] as const))('a refused token stops for good (client %s.x)', async (client) => {
    const p = connect(s, 'token', { password: 'not-the-token', extra: { serverUrl: s.vc.socketUrls[0], socketVersion: client } });
    open.push(p);
    await expect(p.conn.ready(5000)).rejects.toMatchObject({ code: 'AUTH' });
    await new Promise((r) => setTimeout(r, 300));
    expect(p.conn.stats.sockets).toBe(1);
  });

  if (server === '4') {
    it('4.x client forced', async () => {
      const p = connect(s, 'user', { extra: { socketVersion: '4' } });
      open.push(p);
      await callThrough(s, p);
    });
  } else {
    it('4.x client forced: cannot connect to an Engine.IO v3 server; retries through the back-off, never ready', async () => {
      const p = connect(s, 'user', { extra: { socketVersion: '4', backoffInitialMs: 100, backoffMaxMs: 200 } });
      open.push(p);
      await waitFor(() => p.conn.stats.sockets >= 3, 8000, 'retries');
      expect(p.conn.state).toBe('reconnecting');
      expect(p.conn.stats.snapshots).toBe(0);
      // one HTTP login: a socket that cannot connect is not a login problem
      expect(p.conn.stats.httpLogins).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(p.conn.stats.sockets).toBeLessThanOrEqual(8);
    });
  }
});
