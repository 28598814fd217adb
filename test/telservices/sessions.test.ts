/**
 * TelServices sessions under faults, over real sockets: session timeout and reopen, administrator close, PBX link
 * out of service and back (resync), a server that never answers, wrong credentials, HTTP and the long poll, and
 * shutdown with nothing left open.
 */
import { AuthError, PbxError } from '../../shared/errors';
import { TelServicesConnection } from '../../shared/platforms/telservices/module';
import { startSimulator, type Simulator } from '../../simulator';
import { config, live, ofType, waitFor, type Live } from './helpers';

const handles = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap' || r === 'TCPSocketWrap' || r === 'TCPWrap').sort().join(',');

describe('TelServices sessions', () => {
  let t: Live | undefined;
  let sim: Simulator | undefined;
  const conns: TelServicesConnection[] = [];
  const open = (c: TelServicesConnection) => (conns.push(c), c);
  afterEach(async () => {
    await Promise.all(conns.splice(0).map((c) => c.close()));
    await t?.close();
    t = undefined;
    await sim?.close();
    sim = undefined;
  });

  it('keeps the session alive with snapshots, and reopens it after the server times it out', async () => {
    // Keep-alive every 300 ms within a 1 s session timeout: the session must stay open.
    t = await live({ users: ['201'], extra: { sessionTimeoutSeconds: 1, keepAliveMs: 300 } });
    const fe = t.sim.telservices;
    expect(fe.sessions.get('201')!.timeoutSec).toBe(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(t.conn.stats.sessionsOpened).toBe(1);
    expect(fe.sessions.has('201')).toBe(true);
    await t.close();
    // Now a keep-alive slower than the timeout: TelServer closes the session, the client hears it and reopens.
    t = await live({ users: ['201'], extra: { sessionTimeoutSeconds: 1, keepAliveMs: 60_000 } });
    await waitFor(() => t!.conn.stats.sessionsOpened >= 2, 'session reopened', 6000);
    expect(t.warnings.some((w) => /sessionClosedByTimeout/.test(w.message))).toBe(true);
    await waitFor(() => t!.conn.state === 'connected' && t!.sim.telservices.sessions.has('201'), 'connected again');
    // Events flow on the reopened session.
    t.sim.pbx.makeCall('carol', '201');
    await waitFor(() => ofType(t!.events, 'call.incoming', '201')[0], 'incoming after reopen');
  });

  it('reopens a session the administrator closed', async () => {
    t = await live();
    t.sim.telservices.closeByAdmin('202');
    await waitFor(() => t!.conn.stats.sessionsOpened >= 4 && t!.sim.telservices.sessions.has('202'), 'reopened');
    expect(t.events.some((e) => e.type === 'connection.state' && /sessionClosedByAdmin/.test(e.connection!.reason ?? ''))).toBe(true);
    await waitFor(() => t!.conn.state === 'connected', 'connected');
  });

  it('PBX link out of service and back: reconnecting, then reopen and resync ends the call lost meanwhile', async () => {
    t = await live();
    const ref = t.sim.pbx.makeCall('carol', '202');
    await waitFor(() => ofType(t!.events, 'call.incoming', '202')[0], 'incoming');
    t.sim.telservices.setLink(false);
    await waitFor(() => t!.conn.state === 'reconnecting', 'reconnecting');
    expect(t.conn.stateInfo.reason).toMatch(/pbxlinkOutOfService/);
    t.sim.pbx.callerHangsUp(ref); // TelServer cannot see this: its link is down
    await new Promise((r) => setTimeout(r, 100));
    expect(ofType(t.events, 'call.ended', '202')).toHaveLength(0);
    const opened = t.conn.stats.sessionsOpened;
    t.sim.telservices.setLink(true);
    await waitFor(() => t!.conn.stats.sessionsOpened >= opened + 2 && t!.conn.state === 'connected', 'reopened after the link is back');
    const ended = await waitFor(() => ofType(t!.events, 'call.ended', '202')[0], 'call ended by the resync');
    expect(ended.call).toMatchObject({ endedDuringOutage: true, endReason: 'unknown' });
    // Requests while the link is down get the typed error.
    t.sim.telservices.setLink(false);
    await expect(t.conn.execute('setDnd', { enabled: true }, { user: '201' })).rejects.toThrow(/pbxlinkOutOfService/);
    t.sim.telservices.setLink(true);
  });

  it('a server that never answers: ready() times out, requests stay under the back-off ceiling', async () => {
    sim = await startSimulator();
    sim.telservices.neverAnswer = true;
    const conn = open(new TelServicesConnection(config(sim, { requestTimeoutMs: 200, extra: { backoffInitialMs: 100, backoffMaxMs: 400 } })));
    const err = await conn.ready(5000).catch((e: PbxError) => e);
    expect(err).toBeInstanceOf(PbxError);
    expect((err as PbxError).code).toBe('TIMEOUT');
    expect((err as PbxError).message).toMatch(/did not answer within 200 ms/);
    await new Promise((r) => setTimeout(r, 1200));
    const sent = sim.telservices.stats.requests;
    // 1.2 s of 200 ms timeouts with a 100..400 ms back-off: a handful of attempts, never a storm.
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(sent).toBeLessThanOrEqual(8);
    const t0 = Date.now();
    await conn.close();
    expect(Date.now() - t0).toBeLessThan(2500);
  });

  it('wrong credentials stop for good after one attempt', async () => {
    sim = await startSimulator();
    const conn = open(new TelServicesConnection(config(sim, { login: 'alice', password: 'not-the-password', users: ['201'] })));
    const states: string[] = [];
    conn.onState((s) => states.push(s.state));
    const err = await conn.ready(5000).catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toMatch(/invalidCredentials/);
    expect(err.message).not.toContain('not-the-password');
    await new Promise((r) => setTimeout(r, 600));
    expect(sim.telservices.stats.byService.openSession).toBe(1);
    expect(sim.telservices.stats.rejectedCredentials).toBe(1);
    expect(conn.state).toBe('failed');
    expect(states).toContain('failed');
    await expect(conn.execute('getDnd', {})).rejects.toBeInstanceOf(AuthError);
    await conn.close();
    // The right password (the device's user, or an administrator for several devices) opens.
    const ok = open(new TelServicesConnection(config(sim, { login: 'admin', password: 'admin-pw', users: ['201', '203'] })));
    await ok.ready(5000);
    await ok.close();
  });

  it('HTTP binding: requests as POSTs, the makeCall GET shortcut', async () => {
    sim = await startSimulator();
    const conn = open(new TelServicesConnection(config(sim, { url: sim.telservices.httpUrl, users: ['201', '202'], extra: { makeCallShortcut: true } })));
    const events: string[] = [];
    conn.onEvent((e) => events.push(`${e.type}@${e.user}`));
    await conn.ready(5000);
    await conn.execute('makeCall', { destination: '202' }, { user: '201' });
    expect(sim.telservices.stats.byService.makeCallShortcut).toBe(1);
    await waitFor(() => events.includes('call.incoming@202') && events.includes('call.outgoing@201'), 'call over HTTP');
    expect(sim.telservices.stats.byService.openSession).toBe(2);
    await conn.close();
  });

  it('the snapshot long poll as the event source: a missed call without UDP', async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
    const conn = open(new TelServicesConnection(config(sim, { url: sim.telservices.httpUrl, users: ['202'], extra: { eventSource: 'poll', pollTimeoutSeconds: 2 } })));
    const events: Array<{ type: string; user: string; reason?: string }> = [];
    conn.onEvent((e) => events.push({ type: e.type, user: e.user, reason: e.call?.endReason }));
    await conn.ready(5000);
    expect([...sim.telservices.sessions.get('202')!.clients.values()][0].port).toBeUndefined();
    const ref = sim.pbx.makeCall('carol', '202');
    await waitFor(() => events.find((e) => e.type === 'call.incoming'), 'incoming by long poll');
    sim.pbx.callerHangsUp(ref);
    await waitFor(() => events.find((e) => e.type === 'call.missed'), 'missed by long poll');
    expect(conn.stats.polls).toBeGreaterThanOrEqual(2);
    const t0 = Date.now();
    await conn.close();
    expect(Date.now() - t0).toBeLessThan(2500); // the poll in flight is aborted, not waited for
  });

  it('shutdown closes every session and leaves no socket open', async () => {
    sim = await startSimulator();
    const before = handles();
    const conn = open(new TelServicesConnection(config(sim, { users: ['201', '202', '203'] })));
    await conn.ready(5000);
    expect(sim.telservices.sessions.size).toBe(3);
    expect(handles()).not.toBe(before);
    await conn.close();
    expect(sim.telservices.stats.byService.closeSession).toBe(3);
    expect(sim.telservices.sessions.size).toBe(0);
    // Nothing of ours is left: no more sockets of each kind than before it started (earlier tests' may still be closing).
    const count = (h: string, k: string) => h.split(',').filter((x) => x === k).length;
    await waitFor(() => ['UDPWrap', 'TCPSocketWrap', 'TCPWrap'].every((k) => count(handles(), k) <= count(before, k)), 'sockets released')
      .catch(() => expect(handles()).toBe(before));
    expect(conn.state).toBe('disconnected');
  });
});
