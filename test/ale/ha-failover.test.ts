/**
 * High availability mid-session: two O2G servers in front of one PBX (as an O2G HA pair in front of one OXE).
 * The primary dies while connected; the connection must not wait for the keepalive (minutes) but log in on the
 * secondary once the event channel cannot be reopened, resubscribe, resync, and go on without duplicates.
 */
import type { PbxEvent } from '../../shared/model/events';
import { AleFrontEnd, startSimulator, type Simulator } from '../../simulator';
import { connect, kinds, waitFor } from './helpers';

describe('ALE HA fail-over mid-session', () => {
  let sim: Simulator;
  let secondary: AleFrontEnd;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
    secondary = new AleFrontEnd({ flavour: 'o2g', pbx: sim.pbx, users: sim.users });
    await secondary.start();
  });
  afterEach(async () => {
    await secondary.close();
    await sim.close();
  });

  it('the primary dies: events keep coming through the secondary within seconds, no duplicates', async () => {
    const p = connect(sim, 'o2g', { secondaryUrl: secondary.url });
    try {
      await p.conn.ready();
      const a = sim.pbx.makeCall('alice', '202');
      await waitFor(() => p.calls('bob').length === 1, 3000, 'call.incoming on the primary');
      const mark = p.events.length;

      // The primary server goes away for good: its sockets close and its port refuses connections.
      const t0 = Date.now();
      await sim.frontEnds.o2g.close();
      // While the connection has no server, bob answers: only the resync on the secondary can tell.
      sim.pbx.answer(a, 'bob', '202');
      await waitFor(() => p.conn.state === 'connected' && p.events.slice(mark).some((e) => e.type === 'connection.state' && e.connection?.state === 'connected'), 5000, 'connected again');
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(secondary.state.sessionsOpened).toBe(1);
      expect(p.conn.stats.logins).toBe(2);
      const states = p.events.slice(mark).filter((e) => e.type === 'connection.state').map((e) => e.connection!.state);
      expect(states[0]).toBe('reconnecting');
      expect(states.at(-1)).toBe('connected');

      // Live events now come from the secondary.
      sim.pbx.hangUp(a, 'alice');
      const b = sim.pbx.makeCall('carol', '202');
      sim.pbx.callerHangsUp(b);
      await waitFor(() => p.calls('bob').filter((e) => e.type === 'call.missed').length === 1, 3000, 'second call via the secondary');
      await new Promise((r) => setTimeout(r, 100));
      expect(kinds(p.calls('bob'))).toEqual([
        `call.incoming:${a}`, `call.answered:${a}`, `call.ended:${a}:completed`,
        `call.incoming:${b}`, `call.ended:${b}:abandoned`, `call.missed:${b}:abandoned`,
      ]);
      const ids = p.events.filter((e: PbxEvent) => e.type !== 'connection.state').map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(p.diags.some((d) => d.message.includes('logging in on the other server'))).toBe(true);
    } finally {
      await p.conn.close();
    }
  });

  it('without a secondary the connection keeps retrying the same server', async () => {
    const p = connect(sim, 'o2g');
    try {
      await p.conn.ready();
      await sim.frontEnds.o2g.close();
      await waitFor(() => p.diags.filter((d) => d.kind === 'channel').length >= 4, 5000, 'several failed reopens');
      expect(p.conn.state).toBe('reconnecting');
      expect(p.diags.some((d) => d.message.includes('other server'))).toBe(false);
      expect(secondary.state.sessionsOpened).toBe(0);
    } finally {
      await p.conn.close();
    }
  });
});
