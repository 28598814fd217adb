/**
 * The one life cycle (shared/connection/supervisor.ts) driven by a fake driver: no simulator, no socket. Each test
 * scripts what the driver's steps do and checks what the supervisor decides: how often it retries, when it stops
 * for good, when its back-off starts again, and that close() leaves nothing running.
 */
import { AuthError, PbxError } from '../../shared/errors';
import type { PlatformDriver } from '../../shared/connection/driver';
import { FakeDriver, firstResyncFails, sleep, untilAborted, waitFor, type Session } from './fake-driver';
import { SupervisedConnection, type Phase, type SupervisorOptions } from '../../shared/connection/supervisor';
import type { ConnectionStateInfo } from '../../shared/model/events';

const open: SupervisedConnection<Session>[] = [];
function start(driver: FakeDriver, o: Partial<SupervisorOptions> = {}): SupervisedConnection<Session> {
  const c = new SupervisedConnection(driver, { platform: 'asterisk', user: 'tester', backoff: { initialMs: 20, maxMs: 80, random: () => 1 }, healthyAfterMs: 150, ...o });
  open.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe('supervisor: retries', () => {
  it('keeps a login that fails with a network error under the back-off ceiling (attempts per scaled minute)', async () => {
    const d = new FakeDriver();
    d.loginStep = async () => {
      throw new PbxError('NETWORK', 'connect ECONNREFUSED 127.0.0.1:5038');
    };
    const c = start(d);
    const states: ConnectionStateInfo[] = [];
    c.onState((s) => states.push(s));
    // A "minute" scaled to 1 s with a back-off of 20 ms..80 ms: waits are 20, 40, 80, 80... so at most
    // 1 + 2 + 1000/80 tries; a loop that skipped the back-off would make thousands.
    await sleep(1000);
    const n = d.logins.length;
    expect(n).toBeGreaterThanOrEqual(8);
    expect(n).toBeLessThanOrEqual(16);
    // Attempts are numbered once, by the back-off, and logins from 1.
    expect(d.logins.map((l) => l.attempt).slice(0, 3)).toEqual([1, 2, 3]);
    expect(states.filter((s) => s.state === 'reconnecting').map((s) => s.attempt).slice(0, 3)).toEqual([1, 2, 3]);
    expect(c.state).toBe('reconnecting');
  });

  it('does not storm when streams open and drop at once (never healthy)', async () => {
    const d = new FakeDriver();
    d.streamStep = async (sink) => {
      sink.up();
      return { kind: 'lost', reason: 'connection reset' };
    };
    const c = start(d);
    await sleep(1000);
    expect(d.streams).toBeLessThanOrEqual(16);
    expect(d.streams).toBeGreaterThanOrEqual(8);
    // The session is still usable: no new login for a lost stream.
    expect(d.logins).toHaveLength(1);
    expect(c.phase).not.toBe('failed');
  });

  it('an ended stream that was never healthy backs off too (no "reopen now" loop)', async () => {
    const d = new FakeDriver();
    d.streamStep = async () => ({ kind: 'ended', reason: 'server said goodbye' });
    start(d);
    await sleep(500);
    expect(d.streams).toBeLessThanOrEqual(10);
  });
});

describe('supervisor: stop for good', () => {
  it('a wrong password is one attempt, then failed, and nothing restarts it', async () => {
    const d = new FakeDriver();
    d.loginStep = async () => {
      throw new AuthError('Authentication failed');
    };
    const c = start(d);
    await expect(c.ready(2000)).rejects.toMatchObject({ code: 'AUTH' });
    await sleep(300);
    expect(d.logins).toHaveLength(1);
    expect(c.state).toBe('failed');
    expect(c.phase).toBe('failed');
    await expect(c.execute('makeCall', {})).rejects.toMatchObject({ code: 'AUTH' });
  });

  it.each(['INVALID_INPUT', 'UNSUPPORTED', 'NOT_ALLOWED'] as const)('%s from a step is final', async (code) => {
    const d = new FakeDriver();
    d.loginStep = async () => {
      throw new PbxError(code, 'no');
    };
    const c = start(d);
    await expect(c.ready(2000)).rejects.toMatchObject({ code });
    await sleep(100);
    expect(d.logins).toHaveLength(1);
  });

  it('a refused stream logs in once more, a second refusal before any stream came up is final', async () => {
    const d = new FakeDriver();
    d.streamStep = async () => ({ kind: 'refused', reason: 'token refused' });
    const c = start(d);
    await expect(c.ready(2000)).rejects.toMatchObject({ code: 'AUTH' });
    expect(d.logins).toHaveLength(2);
    expect(d.streams).toBe(2);
  });

  it('a fatal stream end stops with its error', async () => {
    const d = new FakeDriver();
    d.streamStep = async () => ({ kind: 'fatal', error: new PbxError('NOT_ALLOWED', 'Permission denied') });
    const c = start(d);
    await expect(c.ready(2000)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await sleep(100);
    expect(d.streams).toBe(1);
  });
});

describe('supervisor: the healthy clock', () => {
  it('restarts the back-off from its first step only after a stream stayed up healthyAfterMs', async () => {
    const d = new FakeDriver();
    // Streams 1-3 drop at once (attempts climb), stream 4 lasts past healthyAfterMs, stream 5 drops at once.
    d.streamStep = async (sink, signal, n) => {
      sink.up();
      if (n === 4) await sleep(250);
      if (n >= 6) return untilAborted(signal);
      return { kind: 'lost', reason: `drop ${n}` };
    };
    const c = start(d);
    const attempts: number[] = [];
    c.onState((s) => {
      if (s.state === 'reconnecting') attempts.push(s.attempt!);
    });
    await waitFor(() => d.streams >= 6 && c.state === 'connected');
    // 1, 2, 3 (unhealthy drops), then 1 after the healthy stream 4, then 2 after stream 5.
    expect(attempts).toEqual([1, 2, 3, 1, 2]);
  });
});

describe('supervisor: phases, session-only, execute', () => {
  it('goes login -> subscribe -> open -> resync -> connected, and resyncs after every (re)open', async () => {
    const d = new FakeDriver();
    d.streamStep = async (sink, signal, n) => {
      sink.up();
      if (n === 1) {
        await sleep(30);
        return { kind: 'lost', reason: 'blip' };
      }
      return untilAborted(signal);
    };
    const c = start(d);
    const phases: Phase[] = [];
    c.onTransition((to) => phases.push(to));
    await sleep(200);
    // (`login` ran in the constructor, before this listener.)
    expect(phases.slice(0, 4)).toEqual(['subscribe', 'open', 'resync', 'connected']);
    expect(phases.slice(4)).toEqual(['backoff', 'subscribe', 'open', 'resync', 'connected']);
    expect(d.logins).toHaveLength(1);
    expect(d.resyncs).toBe(2);
    expect(c.state).toBe('connected');
  });

  it('session-only until the first listener: operations run on the session, the stream opens only when wanted', async () => {
    const d = new FakeDriver();
    d.streamStep = async (sink, signal) => {
      sink.up();
      return untilAborted(signal);
    };
    const c = start(d, { events: 'when-listened' });
    await expect(c.execute('makeCall', { destination: '202' })).resolves.toEqual({ ok: true });
    expect(c.phase).toBe('session-only');
    expect(d.streams).toBe(0);
    c.onEvent(() => undefined);
    await sleep(50);
    expect(d.streams).toBe(1);
    expect(c.phase).toBe('connected');
    expect(d.logins).toHaveLength(1);
    expect(d.executed).toEqual(['makeCall@1']);
  });

  it('fail over moves to the next server and logs in again', async () => {
    const d = new FakeDriver();
    d.streamStep = async (sink, signal, n) => (n === 1 ? { kind: 'failover', reason: 'standby' } : (sink.up(), untilAborted(signal)));
    const c = start(d);
    await c.ready(2000);
    expect(d.logins.map((l) => l.server)).toEqual([0, 1]);
  });

  it('an unsupported operation is refused at once, without waiting for a session', async () => {
    const d = new FakeDriver();
    d.loginStep = () => new Promise(() => undefined);
    const c = start(d);
    await expect(c.execute('hold', {})).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('close does not wait for a driver step that never ends, and a session that arrives late is shut down', async () => {
    const d = new FakeDriver();
    let release!: () => void;
    d.loginStep = () => new Promise<void>((r) => (release = r));
    const c = start(d);
    await sleep(20);
    const t0 = Date.now();
    await c.close();
    expect(Date.now() - t0).toBeLessThan(500);
    release();
    await sleep(20);
    expect(d.shutdowns).toBe(2);
  });

  it('a lost session (driver says unusable) is logged in again', async () => {
    const d = new FakeDriver();
    let session: Session | undefined;
    d.streamStep = async (sink, signal, n) => {
      sink.up();
      if (n === 1) {
        await sleep(20);
        return { kind: 'lost', reason: 'socket closed' };
      }
      return untilAborted(signal);
    };
    const origLogin = d.login.bind(d);
    d.login = async (ctx) => {
      const s = await origLogin(ctx);
      if (!session) {
        session = s;
        setTimeout(() => (s.alive = false), 10);
      }
      return s;
    };
    const c = start(d);
    await sleep(200);
    expect(d.logins).toHaveLength(2);
    expect(c.state).toBe('connected');
  });
});

describe('supervisor: fail-over with the same session, renewal', () => {
  it('fail-over with sameSession opens the stream on the next server without a new login', async () => {
    const d = new FakeDriver();
    const servers: number[] = [];
    d.openStream = (_s, sink, signal, server = 0) => {
      servers.push(server);
      d.streams++;
      return d.streams < 3 ? Promise.resolve({ kind: 'failover', reason: 'gone', sameSession: true }) : (sink.up(), untilAborted(signal));
    };
    const c = start(d);
    await c.ready(2000);
    expect(servers).toEqual([0, 1, 2]);
    expect(d.logins).toHaveLength(1);
  });

  /** A driver whose session expires: it asks for a renewal at once, every time. */
  function renewing(d: FakeDriver, renew: () => Promise<void>): { renewals: number[] } {
    const seen = { renewals: [] as number[] };
    const r = d as FakeDriver & Pick<PlatformDriver<Session>, 'renewal' | 'renew' | 'renewalName'>;
    r.renewal = () => ({ dueAt: 0 });
    r.renew = async () => {
      seen.renewals.push(Date.now());
      await renew();
    };
    (r as { renewalName?: string }).renewalName = 'token refresh';
    d.streamStep = async (sink, signal) => (sink.up(), untilAborted(signal));
    return seen;
  }

  it('renews a session that is always due no more than the ceiling a window, never sooner than the floor', async () => {
    const d = new FakeDriver();
    const seen = renewing(d, async () => undefined);
    const c = start(d, { renewal: { floorMs: 20, windowMs: 300, perWindow: 3 } });
    await c.ready(2000);
    await sleep(1000);
    const t = seen.renewals;
    // 3 per 300 ms window: about 10 in a second, not one every 20 ms (50), nor a tight loop.
    expect(t.length).toBeGreaterThanOrEqual(6);
    expect(t.length).toBeLessThanOrEqual(14);
    for (let i = 1; i < t.length; i++) expect(t[i] - t[i - 1]).toBeGreaterThanOrEqual(15);
    for (let i = 3; i < t.length; i++) expect(t[i] - t[i - 3]).toBeGreaterThanOrEqual(290);
    expect(d.logins).toHaveLength(1);
  });

  it('a renewal that keeps failing warns, backs off, and after 3 failures logs in again through the back-off', async () => {
    const d = new FakeDriver();
    const seen = renewing(d, async () => {
      throw new PbxError('NETWORK', 'refresh endpoint down');
    });
    const c = start(d, { renewal: { floorMs: 20, windowMs: 1000, perWindow: 100 } });
    const warnings: string[] = [];
    c.onWarning((w) => warnings.push(w.message));
    await c.ready(2000);
    await waitFor(() => d.logins.length >= 2);
    expect(seen.renewals.length).toBeGreaterThanOrEqual(3);
    expect(d.streams).toBeGreaterThanOrEqual(2);
    expect(warnings.some((m) => /token refresh failed: refresh endpoint down/.test(m))).toBe(true);
    expect(warnings.some((m) => /token refresh failed 3 times/.test(m))).toBe(true);
  });

  it('a refused renewal logs in again at once (no more renewals on that session)', async () => {
    const d = new FakeDriver();
    const onSession: number[] = [];
    renewing(d, async () => {
      onSession.push(d.logins.length);
      throw new AuthError('refresh token refused');
    });
    const c = start(d, { renewal: { floorMs: 20, windowMs: 1000, perWindow: 100 } });
    await c.ready(2000);
    await waitFor(() => d.logins.length >= 2);
    await sleep(30);
    // One renewal of the first session, then a login (not a renewal loop, not a failure for good).
    expect(onSession.filter((n) => n === 1)).toHaveLength(1);
    expect(c.phase).not.toBe('failed');
  });

  it('an unsupported operation says why, in the driver\'s words', async () => {
    const d = new FakeDriver();
    (d as FakeDriver & { unsupported(op: string): string }).unsupported = (op) => `events only (${op})`;
    const c = start(d);
    await expect(c.execute('hold', {})).rejects.toMatchObject({ code: 'UNSUPPORTED', message: 'events only (hold)' });
  });
});

describe('supervisor: held streams, required resyncs', () => {
  it('held: reconnecting with the reason, operations still run, probed on the capped back-off until a probe ends the stream', async () => {
    const d = new FakeDriver() as FakeDriver & Pick<PlatformDriver<Session>, 'probe'>;
    const probes: number[] = [];
    d.probe = async () => {
      probes.push(Date.now());
      return probes.length < 4 ? undefined : { kind: 'relogin', reason: 'the PBX is back' };
    };
    d.streamStep = async (sink, signal, n) => {
      sink.up();
      if (n === 1) setTimeout(() => sink.hold('the PBX link is down'), 30);
      return untilAborted(signal);
    };
    const c = start(d);
    await c.ready(2000);
    await waitFor(() => c.phase === 'held');
    expect(c.stateInfo).toMatchObject({ state: 'reconnecting', reason: 'the PBX link is down' });
    // The session is there: an operation runs now (the server gives its own error), it does not wait for `connected`.
    const t0 = Date.now();
    await expect(c.execute('makeCall', {})).resolves.toEqual({ ok: true });
    expect(Date.now() - t0).toBeLessThan(100);
    await waitFor(() => d.logins.length === 2 && c.state === 'connected');
    // Probes 20, 40, 80 ms apart (random: 1): the back-off, not a tight loop.
    expect(probes).toHaveLength(4);
    for (let i = 1; i < probes.length; i++) expect(probes[i] - probes[i - 1]).toBeGreaterThanOrEqual(15 * 2 ** (i - 1));
    expect(d.streams).toBe(2);
  });

  it('a driver whose resync is required: a failed resync rejects ready() and logs in again (no "connected" without it)', async () => {
    const d = new FakeDriver() as FakeDriver & { resyncRequired: boolean };
    d.resyncRequired = true;
    d.resync = async () => {
      d.resyncs++;
      if (d.resyncs === 1) throw new PbxError('PBX', 'snapshot refused');
      return [];
    };
    d.streamStep = async (sink, signal) => (sink.up(), untilAborted(signal));
    const c = start(d);
    const states: string[] = [];
    c.onState((st) => states.push(st.state));
    await expect(c.ready(2000)).rejects.toMatchObject({ message: 'snapshot refused' });
    await waitFor(() => c.state === 'connected');
    expect(d.logins).toHaveLength(2);
    expect(d.streams).toBe(2);
    expect(states.indexOf('connected')).toBeGreaterThan(states.indexOf('reconnecting'));
  });
});

describe('supervisor: on-demand start, session-enough operations, reopen after a failed resync', () => {
  it('start on-demand: constructed and closed unused, nothing logs in; the first ready() starts the life cycle', async () => {
    const d = new FakeDriver();
    const idle = start(d, { start: 'on-demand', events: 'when-listened' });
    await sleep(30);
    expect(d.logins).toHaveLength(0);
    expect(idle.phase).toBe('idle');
    await idle.close();
    expect(d.logins).toHaveLength(0);
    const used = start(d, { start: 'on-demand', events: 'when-listened' });
    await used.ready(2000);
    expect(d.logins).toHaveLength(1);
    expect(used.phase).toBe('session-only');
  });

  it('executeNeeds session: an operation runs on the session while the stream is down (no wait for connected)', async () => {
    const d = new FakeDriver();
    // Streams never come up: the connection backs off between them and is never `connected`.
    d.streamStep = async () => ({ kind: 'lost', reason: 'no route' });
    const c = start(d, { executeNeeds: 'session', sessionTimeoutMs: 300, backoff: { initialMs: 200, maxMs: 200, random: () => 1 } });
    c.onEvent(() => undefined);
    await waitFor(() => d.streams >= 1);
    expect(c.state).not.toBe('connected');
    await expect(c.execute('makeCall', { destination: '202' })).resolves.toEqual({ ok: true });
    expect(d.executed).toEqual(['makeCall@1']);
  });

  it("resyncRequired 'reopen': a failed resync ends the stream as lost, reopened on the same session, then connected", async () => {
    const d = firstResyncFails();
    const c = start(d);
    const states: string[] = [];
    c.onState((st) => states.push(st.state));
    await c.ready(2000);
    expect(d.logins).toHaveLength(1);
    expect(d.streams).toBe(2);
    expect(states.indexOf('connected')).toBeGreaterThan(states.indexOf('reconnecting'));
  });
});

describe('supervisor: close', () => {
  it('leaves no timer or handle behind, from any phase', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const d = new FakeDriver();
    d.loginStep = async (n) => {
      if (n < 3) throw new PbxError('NETWORK', 'down');
    };
    d.streamStep = async (sink, signal) => {
      sink.up();
      return untilAborted(signal);
    };
    const c = new SupervisedConnection(d, { platform: 'asterisk', user: 't', backoff: { initialMs: 10, maxMs: 20 }, expiryEveryMs: 50 });
    c.onEvent(() => undefined);
    await waitFor(() => c.state === 'connected').finally(() => c.close());
    // The back-off sleep, the expiry sweep and the alive handle are all gone; the driver was shut down once.
    // (A timer an earlier test left to run out may still be pending: allow it to fire.)
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await waitFor(() => timers() <= before, 1000).catch(() => undefined);
    expect(timers()).toBeLessThanOrEqual(before);
    expect(d.shutdowns).toBe(1);
    expect(c.state).toBe('disconnected');
    expect(c.phase).toBe('closed');
  });

  it('close during a back-off sleep ends at once', async () => {
    const d = new FakeDriver();
    d.loginStep = async () => {
      throw new PbxError('NETWORK', 'down');
    };
    const c = new SupervisedConnection(d, { platform: 'asterisk', user: 't', backoff: { initialMs: 60_000, maxMs: 60_000 } });
    await sleep(20);
    const t0 = Date.now();
    await c.close();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(d.logins).toHaveLength(1);
  });
});
