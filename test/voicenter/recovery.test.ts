/** Fail-over, reconnect with reconciliation, keepalive, re-login and token refresh, with request counts. */
import { startVc, connect, waitFor, callKinds, type VcSim, type Probe } from './helpers';

let s: VcSim;
const open: Probe[] = [];
const probe = (...a: Parameters<typeof connect>): Probe => {
  const p = connect(...a);
  open.push(p);
  return p;
};
beforeAll(async () => {
  s = await startVc('2', { tokenTtlSeconds: 7 });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.conn.close()));
  s.sim.pbx.reset();
  s.vc.silence(false);
  for (let i = 0; i < 2; i++) await s.vc.startServer(i);
});
afterAll(async () => {
  await s.sim.close();
});

const ids = (p: Probe) => p.events.filter((e) => e.type !== 'connection.state').map((e) => e.id);

describe('Voicenter recovery', () => {
  it('fails over to the second server when the first goes away', async () => {
    const p = probe(s, 'user');
    await p.conn.ready(5000);
    expect(s.vc.clients()).toEqual([1, 0]);
    await s.vc.stopServer(0);
    await waitFor(() => s.vc.clients()[1] === 1 && p.conn.state === 'connected', 5000, 'on the second server');
    const ref = s.sim.pbx.makeCall('bob', '201');
    await waitFor(() => p.of('call.incoming').length === 1, 5000, 'incoming on server 2');
    expect(p.of('call.incoming')[0].call?.id).toBe(`sim-${ref}`);
    expect(p.conn.stats.sockets).toBeLessThanOrEqual(4);
  });

  it('first server down at start: connects to the second', async () => {
    await s.vc.stopServer(0);
    const p = probe(s, 'user');
    await waitFor(() => p.conn.state === 'connected', 5000, 'connected');
    expect(s.vc.clients()).toEqual([0, 1]);
    expect(p.conn.stats.sockets).toBe(2);
  });

  it('reconnect reconciles: a call that ended during the outage ends, one still ringing is not repeated', async () => {
    const p = probe(s, 'account');
    await p.conn.ready(5000);
    const ringing = s.sim.pbx.makeCall('bob', '201');
    const toEnd = s.sim.pbx.makeCall('carol', '5000');
    await waitFor(() => p.events.filter((e) => e.type === 'call.incoming' || e.type === 'call.outgoing').length === 3, 5000, 'calls');
    await s.vc.stopServer(0);
    await s.vc.stopServer(1);
    s.sim.pbx.callerHangsUp(toEnd);
    s.sim.pbx.answer(ringing, 'alice');
    await s.vc.startServer(0);
    await s.vc.startServer(1);
    await waitFor(() => p.conn.stats.snapshots >= 2 && p.conn.state === 'connected', 8000, 'resynced');
    const carol = p.events.filter((e) => e.user === '203' && e.type.startsWith('call.'));
    expect(callKinds(carol)).toEqual(['call.outgoing', 'call.ended:unknown']);
    expect(carol[1].call?.endedDuringOutage).toBe(true);
    expect(callKinds(p.events.filter((e) => e.user === '201'))).toEqual(['call.incoming', 'call.answered']);
    expect(p.of('call.incoming').filter((e) => e.call?.id === `sim-${ringing}`)).toHaveLength(1);
    const all = ids(p);
    expect(new Set(all).size).toBe(all.length);
  });

  it('server restart: reconnects and nothing is reported twice', async () => {
    const p = probe(s, 'account');
    await p.conn.ready(5000);
    const ref = s.sim.pbx.makeCall('bob', '201');
    await waitFor(() => p.of('call.incoming').length === 1, 5000, 'incoming');
    const before = ids(p).length;
    s.vc.restart();
    await waitFor(() => p.conn.stats.snapshots === 2 && p.conn.state === 'connected', 5000, 'back');
    expect(ids(p).length).toBe(before);
    s.sim.pbx.answer(ref, 'alice');
    await waitFor(() => p.of('call.answered').filter((e) => e.user === '201').length === 1, 5000, 'answered');
    expect(p.states).toContain('reconnecting');
  });

  it('keepalive after silence; an errorCode reconnects; no answer at all reconnects too', async () => {
    const p = probe(s, 'account', { extra: { keepaliveMs: 400 } });
    await p.conn.ready(5000);
    await waitFor(() => p.conn.stats.keepalives >= 2, 5000, 'keepalives');
    expect(p.conn.stats.sockets).toBe(1);
    s.vc.keepaliveError(1);
    await waitFor(() => p.conn.stats.sockets === 2 && p.conn.state === 'connected', 5000, 'reconnected after errorCode');
    s.vc.silence(true);
    await waitFor(() => p.conn.stats.sockets >= 3, 5000, 'reconnected after silence');
    expect(p.warnings.some((w) => /keepalive refused/.test(w.message))).toBe(true);
    expect(p.warnings.some((w) => /no answer to keepalive/.test(w.message))).toBe(true);
  });

  it('ExtensionsUpdated: logs in again (one login each time) without repeating events', async () => {
    const p = probe(s, 'user');
    await p.conn.ready(5000);
    s.sim.pbx.makeCall('bob', '201');
    await waitFor(() => p.of('call.incoming').length === 1, 5000, 'incoming');
    const n = ids(p).length;
    s.vc.extensionsUpdated();
    await waitFor(() => p.conn.stats.snapshots === 2, 5000, 'second login');
    expect(p.conn.stats.socketLogins).toBe(2);
    expect(p.conn.stats.httpLogins).toBe(1);
    expect(ids(p).length).toBe(n);
  });

  it('the token is refreshed before it expires; expired tokens get one fresh login', async () => {
    const p = probe(s, 'user');
    await p.conn.ready(5000);
    // tokenTtlSeconds 7: refreshed 5 s before expiry
    await waitFor(() => s.vc.stats.refreshes >= 1 && p.conn.stats.refreshes >= 1, 6000, 'refresh');
    expect(p.conn.state).toBe('connected');
    const logins = s.vc.stats.httpLogins;
    s.vc.expireTokens();
    await waitFor(() => p.conn.stats.snapshots >= 2 && p.conn.state === 'connected', 5000, 'back after expiry');
    expect(s.vc.stats.httpLogins - logins).toBe(1);
  });
});
