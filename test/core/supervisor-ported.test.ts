/**
 * What the platforms' own loops did before the supervisor took over their life cycles (issue 20: "behaviour does
 * not change"), pinned on the supervisor with a fake driver: a fail-over to the other server goes at once (old ALE
 * HA loop) but only once per outage; a session-only session that ends is logged in again at the next use, at once,
 * and not in the background (old ALE session-only mode); a healthy stream's orderly end is reopened quietly and
 * from the back-off's first step (old ALE loop), and a failed resync's reopen is not warned of twice.
 */
import type { StreamEnd } from '../../shared/connection/driver';
import { FakeDriver, firstResyncFails, sleep, untilAborted, waitFor, type Session } from './fake-driver';
import { SupervisedConnection, type Phase, type SupervisorOptions } from '../../shared/connection/supervisor';
import type { ConnectionWarning } from '../../shared/connection/types';
import type { ConnectionStateInfo } from '../../shared/model/events';

/** A driver with a session-only mode: `endSession()` ends the held session as ALE's does when its keepalive is refused. */
class SessionOnlyDriver extends FakeDriver {
  private ends = new Set<(e: StreamEnd) => void>();

  holdSession(_s: Session, signal: AbortSignal): Promise<StreamEnd> {
    return new Promise((resolve) => {
      const done = (e: StreamEnd) => {
        this.ends.delete(done);
        resolve(e);
      };
      if (signal.aborted) return resolve({ kind: 'aborted' });
      this.ends.add(done);
      signal.addEventListener('abort', () => done({ kind: 'aborted' }), { once: true });
    });
  }

  endSession(reason = 'session lost: keepalive refused (HTTP 403)'): void {
    for (const end of [...this.ends]) end({ kind: 'relogin', reason });
  }
}

const open: SupervisedConnection<Session>[] = [];
function start(driver: FakeDriver, o: Partial<SupervisorOptions> = {}): SupervisedConnection<Session> {
  const c = new SupervisedConnection(driver, { platform: 'opentouch', user: 'tester', backoff: { initialMs: 20, maxMs: 80, random: () => 1 }, healthyAfterMs: 150, ...o });
  open.push(c);
  return c;
}

/** Records phases, states and warnings from now on. */
function watch(c: SupervisedConnection<Session>) {
  const phases: Phase[] = [];
  const states: ConnectionStateInfo[] = [];
  const warnings: ConnectionWarning[] = [];
  c.onTransition((to) => phases.push(to));
  c.onState((s) => states.push(s));
  c.onWarning((w) => warnings.push(w));
  return { phases, states, warnings, channel: () => warnings.filter((w) => w.kind === 'channel').map((w) => w.message) };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe('ported: fail-over (old ALE HA loop: the other server at once, the back-off once every server failed)', () => {
  it('a fail-over to the other server logs in there at once, reconnecting with its reason, no back-off wait', async () => {
    const d = new FakeDriver();
    d.streamStep = async (sink, signal, n) => (n === 1 ? { kind: 'failover', reason: 'event channel unreachable 2 times in a row' } : (sink.up(), untilAborted(signal)));
    // A back-off step of 400 ms: a fail-over that waited for it could not be connected within 250 ms.
    const c = start(d, { backoff: { initialMs: 400, maxMs: 400, random: () => 1 } });
    const w = watch(c);
    const t0 = Date.now();
    await c.ready(2000);
    expect(Date.now() - t0).toBeLessThan(250);
    expect(d.logins.map((l) => l.server)).toEqual([0, 1]);
    expect(w.phases).not.toContain('backoff');
    expect(w.states.find((s) => s.state === 'reconnecting')?.reason).toBe('event channel unreachable 2 times in a row');
    // Still a reason an operator hears of.
    expect(w.channel()).toEqual(['event channel unreachable 2 times in a row']);
  });

  it('every server failing: one hop at once, then each hop waits the back-off (under the per-minute ceiling); a stream that came up allows the next hop at once again', async () => {
    const d = new FakeDriver();
    // Streams 1-6 cannot reach their server; stream 7 comes up and is then given up; stream 8 stays.
    d.streamStep = async (sink, signal, n) => {
      if (n < 7) return { kind: 'failover', reason: `server ${n} unreachable` };
      if (n === 7) {
        sink.up();
        await sleep(10);
        return { kind: 'failover', reason: 'server 7 unreachable' };
      }
      sink.up();
      return untilAborted(signal);
    };
    const c = start(d);
    const w = watch(c);
    await waitFor(() => d.streams === 8);
    await c.ready(2000);
    // (The first login ran in the constructor.) Hop 1 at once, hops 2-6 after a back-off each, hop 7 (after a
    // stream came up) at once again.
    const seq = w.phases.filter((p) => p === 'login' || p === 'backoff');
    expect(seq).toEqual(['login', 'backoff', 'login', 'backoff', 'login', 'backoff', 'login', 'backoff', 'login', 'backoff', 'login', 'login']);
    expect(d.logins.map((l) => l.server)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('both servers dead for a scaled minute: the first hop at once, then logins under the ceiling (one more than the back-off allows, not a storm)', async () => {
    const d = new FakeDriver();
    d.streamStep = async () => ({ kind: 'failover', reason: 'unreachable' });
    const c = start(d);
    const w = watch(c);
    // A "minute" scaled to 1 s with a back-off of 20..80 ms (see supervisor.test.ts): at most 1 + 2 + 1000/80 tries,
    // plus the one hop at once.
    await sleep(1000);
    expect(w.phases.filter((p) => p === 'login' || p === 'backoff').slice(0, 4)).toEqual(['login', 'backoff', 'login', 'backoff']);
    expect(d.logins.length).toBeGreaterThanOrEqual(8);
    expect(d.logins.length).toBeLessThanOrEqual(17);
    expect(w.phases.filter((p) => p === 'backoff').length).toBeGreaterThanOrEqual(d.logins.length - 3);
    expect(c.state).toBe('reconnecting');
  });

  it('a fail-over keeping its session (Voicenter: the next server at every drop) waits the back-off; one with a new login does not', async () => {
    const d = new FakeDriver();
    d.streamStep = async (sink, signal, n) => {
      if (n === 1) return { kind: 'failover', reason: 'dead server' };
      if (n === 2 || n === 3) return { kind: 'failover', reason: 'socket dropped', sameSession: true };
      sink.up();
      return untilAborted(signal);
    };
    const c = start(d);
    const w = watch(c);
    await waitFor(() => d.streams === 4);
    await c.ready(2000);
    // login (at once, new server), open, then two back-offs before the next opens on the same session.
    const seq = w.phases.filter((p) => p === 'login' || p === 'backoff' || p === 'open');
    expect(seq).toEqual(['open', 'login', 'open', 'backoff', 'open', 'backoff', 'open']);
    expect(d.logins).toHaveLength(2);
  });
});

describe('ported: session-only (old ALE: a lost session logs in again at the next use, at once)', () => {
  it('a session that ends is not logged in again in the background: reconnecting, and no channel warning', async () => {
    const d = new SessionOnlyDriver();
    const c = start(d, { events: 'when-listened' });
    await c.ready(1000);
    expect(c.phase).toBe('session-only');
    const w = watch(c);
    d.endSession();
    // Longer than several back-off steps (20..80 ms): a background login would have happened.
    await sleep(300);
    expect(d.logins).toHaveLength(1);
    expect(c.state).toBe('reconnecting');
    expect(c.stateInfo.reason).toBe('session lost: keepalive refused (HTTP 403)');
    expect(c.phase).toBe('idle');
    // The driver tells of its lost session (ALE: a `session` diagnostic); the supervisor adds no channel warning.
    expect(w.channel()).toEqual([]);
    expect(d.streams).toBe(0);
  });

  it('the next operation logs in again at once, not after the back-off', async () => {
    const d = new SessionOnlyDriver();
    // A back-off of 2 s against a session deadline of 1 s: an operation that waited for it would fail.
    const c = start(d, { events: 'when-listened', executeNeeds: 'session', sessionTimeoutMs: 1000, backoff: { initialMs: 2000, maxMs: 2000, random: () => 1 } });
    await c.ready(1000);
    d.endSession();
    await waitFor(() => c.state === 'reconnecting');
    const t0 = Date.now();
    await expect(c.execute('makeCall', { destination: '202' })).resolves.toEqual({ ok: true });
    expect(Date.now() - t0).toBeLessThan(300);
    expect(d.executed).toEqual(['makeCall@2']);
    expect(d.logins).toHaveLength(2);
    await waitFor(() => c.state === 'connected');
    expect(c.phase).toBe('session-only');
  });

  it('ready() and a first listener are uses too: each logs in at once', async () => {
    const d = new SessionOnlyDriver();
    d.streamStep = async (sink, signal) => (sink.up(), untilAborted(signal));
    const c = start(d, { events: 'when-listened', backoff: { initialMs: 2000, maxMs: 2000, random: () => 1 } });
    await c.ready(1000);
    d.endSession();
    await waitFor(() => c.state === 'reconnecting');
    await expect(c.ready(500)).resolves.toBeUndefined();
    expect(d.logins).toHaveLength(2);
    d.endSession();
    await waitFor(() => c.state === 'reconnecting');
    c.onEvent(() => undefined);
    await waitFor(() => d.streams === 1, 500);
    expect(d.logins).toHaveLength(3);
    await waitFor(() => c.phase === 'connected', 500);
  });

  it('close() while waiting for the next use ends at once', async () => {
    const d = new SessionOnlyDriver();
    const c = start(d, { events: 'when-listened' });
    await c.ready(1000);
    d.endSession();
    await waitFor(() => c.phase === 'idle');
    const t0 = Date.now();
    await c.close();
    expect(Date.now() - t0).toBeLessThan(200);
    expect(d.logins).toHaveLength(1);
    expect(c.phase).toBe('closed');
  });
});

describe('ported: warnings and the back-off after ordinary ends (old ALE loop)', () => {
  it('a healthy stream that ends in order is reopened at once with no warning; ends that back off warn', async () => {
    const d = new FakeDriver();
    d.streamStep = async (sink, signal, n) => {
      sink.up();
      if (n === 1) {
        await sleep(200); // healthy: past healthyAfterMs (150)
        return { kind: 'ended', reason: 'event channel ended by the server' };
      }
      if (n === 2) {
        await sleep(10);
        return { kind: 'ended', reason: 'event channel ended early' };
      }
      if (n === 3) return { kind: 'lost', reason: 'connection reset' };
      return untilAborted(signal);
    };
    const c = start(d);
    const w = watch(c);
    await waitFor(() => d.streams === 4);
    await waitFor(() => c.phase === 'connected');
    expect(w.channel()).toEqual(['event channel ended early', 'connection reset']);
    const seq = w.phases.filter((p) => p === 'backoff' || p === 'open');
    expect(seq).toEqual(['open', 'open', 'backoff', 'open', 'backoff', 'open']);
  });

  it('after a healthy stream ends in order, the next failure waits the back-off\'s first step (attempt 1)', async () => {
    const d = new FakeDriver();
    d.streamStep = async (sink, signal, n) => {
      if (n === 1) {
        sink.up();
        await sleep(200);
        return { kind: 'ended', reason: 'channel timeout' };
      }
      if (n === 2) return { kind: 'lost', reason: 'connect ECONNREFUSED' };
      sink.up();
      return untilAborted(signal);
    };
    const c = start(d);
    const w = watch(c);
    await waitFor(() => d.streams === 3);
    expect(w.states.filter((s) => s.state === 'reconnecting').map((s) => s.attempt)).toEqual([1]);
  });

  it("a failed resync's reopen (resyncRequired 'reopen') is warned of by the resync only, not again as a channel end", async () => {
    const d = firstResyncFails();
    const c = start(d);
    const w = watch(c);
    await waitFor(() => d.streams === 2);
    await c.ready(2000);
    expect(w.phases).toContain('backoff');
    expect(w.channel()).toEqual([]);
  });
});
