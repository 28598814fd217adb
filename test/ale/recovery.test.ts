import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError } from '../../shared/errors';
import { startSimulator, type Simulator } from '../../simulator';
import { connect, kinds, waitFor } from './helpers';

describe('ALE connection recovery', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it.each(['o2g', 'opentouch'] as const)('%s: a channel dropped mid-stream recovers with no lost and no duplicate events', async (platform) => {
    const p = connect(sim, platform);
    await p.conn.ready();
    const ref = sim.pbx.makeCall('alice', 'bob');
    await waitFor(() => p.calls().length === 1, 3000, 'incoming');
    sim.faults.dropChannel(platform);
    // While the channel is down the server queues these.
    sim.pbx.answer(ref, 'bob', '2021');
    sim.pbx.hangUp(ref, 'alice');
    await waitFor(() => p.calls().length >= 3, 5000, 'events after reconnect');
    await new Promise((r) => setTimeout(r, 100));
    expect(kinds(p.calls())).toEqual([`call.incoming:${ref}`, `call.answered:${ref}`, `call.ended:${ref}:completed`]);
    expect(p.calls()[1].call!.device).toBe('2021');
    expect(new Set(p.events.map((e) => e.id)).size).toBe(p.events.length);
    const states = p.events.filter((e) => e.type === 'connection.state').map((e) => e.connection!.state);
    expect(states).toEqual(['connected', 'reconnecting', 'connected']);
    expect(p.conn.stats.logins).toBe(1);
    await p.conn.close();
  });

  it('a session expired mid-stream: logs in again, resubscribes, and the resync fills the gap once', async () => {
    const p = connect(sim, 'o2g');
    await p.conn.ready();
    const a = sim.pbx.makeCall('alice', 'bob');
    await waitFor(() => p.calls().length === 1, 3000, 'incoming A');
    sim.faults.expireSessions('o2g');
    // Lost with the subscription: only the resync can tell.
    sim.pbx.answer(a, 'bob');
    const b = sim.pbx.makeCall('carol', 'bob');
    await waitFor(() => p.calls().length >= 3, 5000, 'resync');
    expect(p.conn.stats.logins).toBe(2);
    sim.pbx.hangUp(a, 'alice');
    sim.pbx.callerHangsUp(b);
    await waitFor(() => p.calls().filter((e) => e.type === 'call.ended').length === 2, 3000, 'ends');
    await new Promise((r) => setTimeout(r, 100));
    const seq = kinds(p.calls());
    expect(seq.filter((k) => k.endsWith(a) || k.includes(`:${a}:`))).toEqual([`call.incoming:${a}`, `call.answered:${a}`, `call.ended:${a}:completed`]);
    expect(seq.filter((k) => k.includes(b))).toEqual([`call.incoming:${b}`, `call.ended:${b}:abandoned`, `call.missed:${b}:abandoned`]);
    expect(new Set(p.events.map((e) => e.id)).size).toBe(p.events.length);
    await p.conn.close();
  });

  it('a call that ended during the outage is reconciled (endedDuringOutage)', async () => {
    const p = connect(sim, 'opentouch');
    await p.conn.ready();
    const a = sim.pbx.makeCall('alice', 'bob');
    sim.pbx.answer(a, 'bob');
    await waitFor(() => p.calls().length === 2, 3000, 'answered');
    sim.faults.restart('opentouch');
    sim.pbx.hangUp(a, 'alice');
    await waitFor(() => p.calls().length === 3, 5000, 'reconciled end');
    const end = p.calls()[2];
    expect(end.type).toBe('call.ended');
    expect(end.call!.endReason).toBe('unknown');
    expect(end.call!.endedDuringOutage).toBe(true);
    expect(p.conn.state).toBe('connected');
    await p.conn.close();
  });

  it.each(['o2g', 'opentouch'] as const)('%s: a wrong password stops cleanly with AuthError and no retry storm', async (platform) => {
    const p = connect(sim, platform, { password: 'S3cret-nope' });
    const err = await p.conn.ready().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).not.toContain('S3cret-nope');
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.frontEnds[platform].stats.failedLogins).toBe(1);
    expect(p.conn.state).toBe('failed');
    await expect(p.conn.execute('listCalls', {})).rejects.toBeInstanceOf(AuthError);
    await p.conn.close();
  });

  it('an administrator session monitors several users with loginName', async () => {
    const p = connect(sim, 'o2g', { login: 'admin', password: 'admin-pw', sessionKind: 'admin', users: ['alice', 'bob'] });
    await p.conn.ready();
    const ref = sim.pbx.makeCall('alice', 'bob');
    await waitFor(() => p.calls().length === 2, 3000, 'both views');
    expect(p.calls().map((e) => `${e.user}:${e.type}`).sort()).toEqual(['alice:call.outgoing', 'bob:call.incoming']);
    const res = await p.conn.rest.request<{ calls: Array<{ callRef: string }> }>('GET', '/telephony/calls', { user: 'bob' });
    expect(res.calls.map((c) => c.callRef)).toEqual([ref]);
    const carol = await p.conn.rest.request<{ calls: unknown[] }>('GET', '/telephony/calls', { user: 'carol' });
    expect(carol.calls).toEqual([]);
    await p.conn.close();
  });

  it('REST: RestErrorInfo becomes PbxApiError; an expired session is renewed and the request retried once', async () => {
    const p = connect(sim, 'o2g');
    await p.conn.ready();
    const err = await p.conn.rest.request('GET', '/telephony/calls/nope').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'PbxApiError', status: 404, type: 'NOT_FOUND', pbxCode: 1003, canRetry: true });
    sim.faults.expireSessions('o2g');
    const res = await p.conn.rest.request<{ calls: unknown[] }>('GET', '/telephony/calls');
    expect(res.calls).toEqual([]);
    sim.faults.slowAnswers(300, 'o2g');
    const slow = await p.conn.rest.request('GET', '/telephony/calls', { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(slow).toMatchObject({ code: 'TIMEOUT' });
    sim.faults.slowAnswers(0, 'o2g');
    await p.conn.close();
  });

  describe('TLS', () => {
    let dir: string | undefined;
    let tls: { key: string; cert: string } | undefined;
    let reason = '';
    beforeAll(() => {
      try {
        dir = mkdtempSync(join(tmpdir(), 'pbxflow-tls-'));
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
        tls = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
      } catch (e) {
        reason = `openssl not available: ${(e as Error).message}`;
      }
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('rejects a self-signed certificate by default and accepts it with rejectUnauthorized: false (REST and channel)', async () => {
      if (!tls) {
        console.warn(`TLS test skipped: ${reason}`);
        return;
      }
      const tsim = await startSimulator({ tls });
      try {
        expect(tsim.url('o2g').startsWith('https://')).toBe(true);
        const strict = connect(tsim, 'o2g');
        const err = await strict.conn.ready().catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'NETWORK' });
        expect((err as Error).message).toMatch(/certificate/);
        await strict.conn.close();
        const lax = connect(tsim, 'o2g', { tls: { rejectUnauthorized: false } });
        await lax.conn.ready();
        tsim.pbx.makeCall('alice', 'bob');
        await waitFor(() => lax.calls().length === 1, 3000, 'event over TLS');
        await lax.conn.close();
        const withCa = connect(tsim, 'o2g', { tls: { ca: tls.cert } });
        await withCa.conn.ready();
        await withCa.conn.close();
      } finally {
        await tsim.close();
      }
    });
  });
});
