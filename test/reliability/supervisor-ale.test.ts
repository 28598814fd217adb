/**
 * ALE on the supervisor keeps what its own loop did (issue 20: behaviour does not change), end to end over the
 * simulator: a session-only connection whose session ends logs in again at its next use, at once, and not in the
 * background; a dead primary is left for the secondary without a back-off wait; a channel that ends in order after
 * a healthy stream is reopened without a warning (over the fake ALE server, which can end a channel in order).
 */
import type { ConnectionConfig } from '../../shared/connection/types';
import type { Phase } from '../../shared/connection/supervisor';
import { AleConnection, type AleDiagnostic } from '../../shared/platforms/ale/connection';
import { AleFrontEnd, startSimulator, type Simulator } from '../../simulator';
import { waitFor } from '../ale/helpers';
import { PASSWORD, startFakeAle } from './fake-ale';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ALE on the supervisor: as its own loop did', () => {
  let sim: Simulator;
  const conns: AleConnection[] = [];
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterEach(async () => {
    await Promise.all(conns.splice(0).map((c) => c.close()));
    await sim.close();
  });

  /** A connection with no event listener (session-only), as an n8n action uses it. */
  function sessionOnly(extra: Record<string, unknown>, over: Partial<ConnectionConfig> = {}): { conn: AleConnection; diags: AleDiagnostic[] } {
    const conn = new AleConnection({ platform: 'o2g', url: sim.url('o2g'), login: 'bob', password: 'bob-pw', requestTimeoutMs: 2000, extra, ...over });
    conns.push(conn);
    const diags: AleDiagnostic[] = [];
    conn.onDiagnostic((d) => diags.push(d));
    return { conn, diags };
  }

  /** The server ends every session and the connection's keepalive hears of it (no waiting for its timer). */
  async function loseSession(conn: AleConnection): Promise<void> {
    sim.frontEnds.o2g.expireSessions();
    await conn.ale.session.keepalive();
    await waitFor(() => conn.state === 'reconnecting', 2000, 'reconnecting');
  }

  it('session-only: a session the server ended is not logged in again while nobody uses the connection', async () => {
    const { conn, diags } = sessionOnly({ backoffInitialMs: 50, backoffMaxMs: 400 });
    await conn.ready();
    expect(sim.frontEnds.o2g.state.sessionsOpened).toBe(1);
    await loseSession(conn);
    // Several back-off steps: a login in the background would have happened by now.
    await sleep(500);
    expect(sim.frontEnds.o2g.state.sessionsOpened).toBe(1);
    expect(conn.stateInfo.reason).toMatch(/^session lost: keepalive refused/);
    // Told once, as a session matter (the old loop's one diagnostic), not again as a channel end.
    expect(diags.filter((d) => /session lost/.test(d.message)).map((d) => d.kind)).toEqual(['session']);
    // The next use logs in again.
    await expect(conn.execute('listCalls', {})).resolves.toBeDefined();
    expect(sim.frontEnds.o2g.state.sessionsOpened).toBe(2);
    await waitFor(() => conn.state === 'connected', 2000, 'connected');
  });

  it('session-only: the operation after a lost session logs in at once, not after the back-off', async () => {
    // A back-off first step of 2-4 s against a 2 s session deadline: an operation that waited for it would fail.
    const { conn } = sessionOnly({ backoffInitialMs: 4000, backoffMaxMs: 4000 });
    await conn.ready();
    await loseSession(conn);
    const t0 = Date.now();
    await expect(conn.execute('listCalls', {})).resolves.toBeDefined();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(sim.frontEnds.o2g.state.sessionsOpened).toBe(2);
  });

  it('HA: once the primary is given up on, the secondary is logged in at once (no back-off wait in between)', async () => {
    const secondary = new AleFrontEnd({ flavour: 'o2g', pbx: sim.pbx, users: sim.users });
    await secondary.start();
    try {
      const conn = new AleConnection({ platform: 'o2g', url: sim.url('o2g'), secondaryUrl: secondary.url, login: 'bob', password: 'bob-pw', requestTimeoutMs: 2000, extra: { backoffInitialMs: 200, backoffMaxMs: 400 } });
      conns.push(conn);
      const log: string[] = [];
      conn.onTransition((to: Phase) => log.push(`phase:${to}`));
      conn.onDiagnostic((d) => log.push(`diag:${d.message}`));
      conn.onEvent(() => undefined);
      await conn.ready();
      await sim.frontEnds.o2g.close();
      await waitFor(() => secondary.state.sessionsOpened === 1 && conn.state === 'connected', 5000, 'connected to the secondary');
      const given = log.indexOf('diag:server unreachable: logging in on the other server');
      expect(given).toBeGreaterThan(0);
      const next = log.slice(given).find((l) => l === 'phase:login' || l === 'phase:backoff');
      expect(next).toBe('phase:login');
      // The failed reopens before it did wait (the back-off paces a server that is down).
      expect(log.slice(0, given)).toContain('phase:backoff');
    } finally {
      await secondary.close();
    }
  });

  it('a channel that ends in order after a healthy stream is reopened at once and quietly', async () => {
    const fake = await startFakeAle();
    try {
      // A stream is healthy after 300 ms; the server then ends the channel in order (as at its channel timeout).
      const conn = new AleConnection({ platform: 'o2g', url: fake.url, login: 'bob', password: PASSWORD, requestTimeoutMs: 2000, extra: { backoffInitialMs: 50, backoffMaxMs: 400, healthyAfterMs: 300 } });
      conns.push(conn);
      const warnings: string[] = [];
      const states: string[] = [];
      conn.onWarning((w) => warnings.push(`${w.kind}: ${w.message}`));
      conn.onEvent((e) => (e.type === 'connection.state' ? states.push(e.connection!.state) : undefined));
      await conn.ready();
      for (let n = 2; n <= 3; n++) {
        await sleep(400);
        for (const ch of fake.channels) ch.end();
        await waitFor(() => fake.counts.channels === n && fake.channels.size === 1, 2000, `channel ${n}`);
      }
      await sleep(100);
      expect(conn.state).toBe('connected');
      // (The fake announces no services: a `session` warning of that comes once; no `channel` one may.)
      expect(warnings.filter((w) => w.startsWith('channel'))).toEqual([]);
      expect(states.filter((s) => s !== 'connected')).toEqual([]);
      expect(fake.counts.logins).toBe(1);
    } finally {
      await Promise.all(conns.splice(0).map((c) => c.close()));
      await fake.close();
    }
  });
});
