/**
 * Session-level behaviour over the simulator: fail-over to the secondary server, the O2G internal `RTSM_*` event
 * form normalized like the public one, and the keepalive holding a short-lived session open.
 */
import { createServer } from 'node:net';
import type { PbxEvent } from '../../shared/model/events';
import type { AleEvent } from '../../shared/platforms/ale/decoder';
import { startSimulator, type Simulator } from '../../simulator';
import { connect, kinds, waitFor } from './helpers';

/** A loopback URL nobody listens on (a server down): the port was just free. */
async function deadUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** What a consumer reads from a call event, without what differs between runs (ids, times). */
const view = (e: PbxEvent) => ({
  type: e.type,
  user: e.user,
  direction: e.call?.direction,
  from: e.call?.from,
  to: e.call?.to,
  device: e.call?.device,
  answered: e.call?.answered,
  endReason: e.call?.endReason,
});

describe('ALE session', () => {
  const sims: Simulator[] = [];
  const start = async (o: Parameters<typeof startSimulator>[0] = {}) => {
    const s = await startSimulator({ ringTimeoutMs: 60_000, ...o });
    sims.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.close()));
  });

  it.each(['opentouch', 'o2g'] as const)('%s: the primary server is down, the secondary serves the session, events and operations', async (platform) => {
    const sim = await start();
    const p = connect(sim, platform, { url: await deadUrl(), secondaryUrl: sim.url(platform) });
    try {
      await p.conn.ready();
      expect(p.conn.state).toBe('connected');
      expect(sim.frontEnds[platform].state.sessionsOpened).toBe(1);
      await p.conn.execute('makeCall', { destination: '203' });
      await waitFor(() => p.calls('bob').length > 0, 3000, 'call.outgoing from the secondary');
      expect(p.calls('bob')[0].type).toBe('call.outgoing');
      expect(sim.pbx.calls()).toHaveLength(1);
      // A failed primary is a reason to move on, not to stop: no auth failure, one login.
      expect(p.conn.stats.logins).toBe(1);
    } finally {
      await p.conn.close();
    }
  });

  it('both servers down: ready() rejects with a network error, not an auth failure', async () => {
    const p = connect(await start(), 'o2g', { url: await deadUrl(), secondaryUrl: await deadUrl() });
    try {
      await expect(p.conn.ready()).rejects.toMatchObject({ code: 'NETWORK' });
      expect(p.conn.state).not.toBe('failed');
    } finally {
      await p.conn.close();
    }
  });

  it('O2G internal RTSM_* events are normalized exactly like the public form', async () => {
    const script = async (sim: Simulator) => {
      const p = connect(sim, 'o2g');
      const raw: AleEvent[] = [];
      p.conn.onRawEvent((e) => raw.push(e));
      await p.conn.ready();
      const a = sim.pbx.makeCall('alice', '202');
      await waitFor(() => p.calls().length === 1, 3000, 'incoming');
      sim.pbx.answer(a, 'bob', '2021');
      sim.pbx.hold(a, 'bob');
      sim.pbx.retrieve(a, 'bob');
      sim.pbx.hangUp(a, 'alice');
      const b = sim.pbx.makeCall('carol', '202');
      await waitFor(() => p.calls().length === 2 + 4, 3000, 'second call');
      sim.pbx.callerHangsUp(b);
      await waitFor(() => p.calls().filter((e) => e.type === 'call.ended').length === 2, 3000, 'ends');
      await new Promise((r) => setTimeout(r, 100));
      await p.conn.close();
      return { p, raw, refs: [a, b] };
    };
    const pub = await script(await start());
    const rtsm = await script(await start({ o2gRtsm: true }));
    // The second simulator really spoke the internal form, the first the public one.
    expect(rtsm.raw.some((e) => String(e.name).startsWith('RTSM_CALL_'))).toBe(true);
    expect(pub.raw.some((e) => 'name' in e && String(e.name).startsWith('RTSM_'))).toBe(false);
    expect(rtsm.refs).toEqual(pub.refs);
    expect(kinds(rtsm.p.calls())).toEqual(kinds(pub.p.calls()));
    expect(kinds(pub.p.calls())).toEqual([
      `call.incoming:${pub.refs[0]}`, `call.answered:${pub.refs[0]}`, `call.held:${pub.refs[0]}`, `call.retrieved:${pub.refs[0]}`, `call.ended:${pub.refs[0]}:completed`,
      `call.incoming:${pub.refs[1]}`, `call.ended:${pub.refs[1]}:abandoned`, `call.missed:${pub.refs[1]}:abandoned`,
    ]);
    expect(rtsm.p.calls().map(view)).toEqual(pub.p.calls().map(view));
    // Event ids come from the source's identity, not its dialect: the same calls give the same ids.
    expect(rtsm.p.calls().map((e) => e.id)).toEqual(pub.p.calls().map((e) => e.id));
    const states = (p: typeof pub.p) => p.events.filter((e) => e.type === 'user.state').map((e) => `${e.user}:${e.state}`);
    expect(states(rtsm.p)).toEqual(states(pub.p));
    expect(states(pub.p).length).toBeGreaterThan(0);
  });

  it.each(['opentouch', 'o2g'] as const)('%s: the keepalive holds a 2 s session open through 5 s without other requests', async (platform) => {
    const sim = await start({ sessionTtlSeconds: 2 });
    const p = connect(sim, platform);
    try {
      await p.conn.ready();
      const fe = sim.frontEnds[platform];
      const token = [...fe.state.sessions.keys()][0];
      expect(fe.state.sessions.get(token)!.ttlSeconds).toBe(2);
      // Idle: the open event channel alone does not count as use on the server, only REST requests do.
      await new Promise((r) => setTimeout(r, 5000));
      // A request the server would refuse (403) if the session had lapsed; the client would then log in again.
      await p.conn.execute('listCalls', {});
      expect(fe.state.sessions.has(token)).toBe(true);
      expect(fe.state.sessionsOpened).toBe(1);
      expect(p.conn.stats.logins).toBe(1);
      expect(p.diags.filter((d) => d.kind === 'session')).toEqual([]);
    } finally {
      await p.conn.close();
    }
  });
});
