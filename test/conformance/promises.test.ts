/**
 * The promises every platform keeps (issue 19, "A conformance suite every platform must pass"), each case run over
 * every entry of platforms.ts against the simulator with a fault peer in front. Retry ceilings: retry.test.ts.
 */
import { inspect } from 'node:util';
import { AuthError } from '../../shared/errors';
import { extraResources, open, resources, sleep, stateRun, waitFor, type Probe } from './harness';
import { CALLER, NUMBER, PASSWORD, PLATFORMS, secretForms, type PlatformEntry, type Rig } from './platforms';

describe.each(PLATFORMS.map((p) => [p.name, p] as const))('%s', (_name, p: PlatformEntry) => {
  let rig: Rig;
  const probes: Probe[] = [];
  const connect = (over?: Parameters<Rig['config']>[0]) => {
    const probe = open(p, rig, over);
    probes.push(probe);
    return probe;
  };

  beforeEach(async () => {
    rig = await p.start();
  });
  afterEach(async () => {
    for (const pr of probes.splice(0)) await pr.conn.close().catch(() => undefined);
    await rig.stop();
  });

  /** Rings Bob from outside and waits for the connection to see it; returns the simulator's ref and our call id. */
  async function ringBob(probe: Probe): Promise<{ ref: string; id: string }> {
    const before = probe.events.length;
    const ref = rig.sim.pbx.callFromOutside(CALLER, NUMBER);
    await waitFor(() => probe.events.slice(before).some((e) => e.type === 'call.incoming'), 'call.incoming');
    return { ref, id: probe.events.slice(before).find((e) => e.type === 'call.incoming')!.call!.id };
  }

  it('a bad frame / line / datagram costs one warning, no reconnect, and the next events arrive', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const probe = connect();
      await probe.conn.ready(5000);
      const streams = rig.streamsOpened();
      const w0 = probe.warnings.length;
      const s0 = probe.states.length;
      rig.injectBadInput();
      await sleep(300);
      const { id } = await ringBob(probe);
      await sleep(200);
      expect(uncaught).toEqual([]);
      expect(probe.warnings.slice(w0).map((w) => w.message)).toHaveLength(1);
      expect(probe.states.slice(s0).map((s) => s.state)).not.toContain('reconnecting');
      expect(rig.streamsOpened()).toBe(streams);
      expect(id).toBeTruthy();
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('a wrong password is one request and a stop (state failed, ready() rejects with AuthError)', async () => {
    const probe = connect({ password: 'not-the-password-7' });
    const err = await probe.conn.ready(5000).then(() => undefined, (e: unknown) => e);
    // Several back-off steps' worth of time: a retry would show.
    await sleep(600);
    expect(err).toBeInstanceOf(AuthError);
    expect(probe.conn.state).toBe('failed');
    expect(rig.authRequests()).toBe(1);
    expect(probe.states.map((s) => s.state)).not.toContain('reconnecting');
  });

  it('closing leaves no active handle and no session on the server', async () => {
    const before = resources();
    const probe = connect();
    await probe.conn.ready(5000);
    expect(rig.serverSessions()).toBeGreaterThan(0);
    await probe.conn.close();
    let extra: Record<string, number> = {};
    await waitFor(() => Object.keys((extra = extraResources(before))).length === 0, 'handles to go', 2000).catch(() => undefined);
    expect(extra).toEqual({});
    await waitFor(() => rig.serverSessions() === 0, 'server sessions to close', 2000).catch(() => undefined);
    expect(rig.serverSessions()).toBe(0);
  });

  it('a refused configuration throws and leaves no active handle', async () => {
    const before = resources();
    expect(() => p.create(p.badConfig())).toThrow();
    // A leaked handle stays; one the rig's simulator opened meanwhile goes again.
    let extra: Record<string, number> = {};
    await waitFor(() => Object.keys((extra = extraResources(before))).length === 0, 'handles to go', 1000).catch(() => undefined);
    expect(extra).toEqual({});
  });

  it('no form of a secret in any error, warning, state reason or log line, even when the server echoes them', async () => {
    const echo = rig.echoSecrets();
    const logged: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m).mockImplementation((...a: unknown[]) => void logged.push(a.map((x) => (typeof x === 'string' ? x : inspect(x, { depth: 6 }))).join(' '))));
    try {
      const probe = connect(echo.config);
      const readyErr = await probe.conn.ready(1500).then(() => undefined, (e: unknown) => e);
      await waitFor(() => echo.served() >= 3, 'the server to echo three times', 6000).catch(() => undefined);
      // An operation whose request the server echoes back in its error (the CLI printed such an error).
      const opErr = probe.conn.supports('makeCall') ? await probe.conn.execute('makeCall', { destination: '203' }).then(() => undefined, (e: unknown) => e) : undefined;
      await sleep(300);
      const texts = [
        ...probe.warnings.map((w) => w.message),
        ...probe.states.map((s) => s.reason ?? ''),
        ...probe.events.map((e) => JSON.stringify(e)),
        readyErr === undefined ? '' : `${String(readyErr)} ${inspect(readyErr, { depth: 6 })}`,
        opErr === undefined ? '' : `${String(opErr)} ${inspect(opErr, { depth: 6 })}`,
        inspect(probe.conn, { depth: 6 }),
        ...logged,
      ].join('\n');
      expect(echo.served()).toBeGreaterThanOrEqual(2);
      expect(texts.length).toBeGreaterThan(0);
      const forms = [...secretForms(rig.config().login, PASSWORD), ...rig.minted()].filter((s) => s.length >= 4);
      expect(forms.filter((f) => texts.includes(f))).toEqual([]);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it('an unreadable snapshot changes nothing', async () => {
    const probe = connect();
    await probe.conn.ready(5000);
    await ringBob(probe);
    const n = probe.callEvents().length;
    const snap = rig.unreadableSnapshot();
    await waitFor(() => snap.served(), 'the unreadable snapshot to be read', 5000);
    await sleep(500);
    expect(probe.callEvents().slice(n).map((e) => `${e.type}${e.call?.endReason ? `:${e.call.endReason}` : ''}`)).toEqual([]);
  });

  it('late events for an ended call produce nothing', async () => {
    const probe = connect();
    await probe.conn.ready(5000);
    const { ref, id } = await ringBob(probe);
    rig.sim.pbx.answer(ref);
    await waitFor(() => probe.events.some((e) => e.type === 'call.answered' && e.call?.id === id), 'call.answered');
    await rig.endDuringOutage(ref);
    await waitFor(() => probe.events.some((e) => e.type === 'call.ended' && e.call?.id === id), 'the resync to end the call', 5000);
    await waitFor(() => probe.conn.state === 'connected', 'connected again');
    const n = probe.callEvents().length;
    rig.releaseLate();
    await sleep(500);
    expect(probe.callEvents().slice(n).map((e) => `${e.type} ${e.call?.id}`)).toEqual([]);
    expect(probe.events.filter((e) => e.type === 'call.ended' && e.call?.id === id)).toHaveLength(1);
  });

  it('a dropped stream gives connected, reconnecting, connected, and no event lost or repeated', async () => {
    const probe = connect();
    await probe.conn.ready(5000);
    const s0 = probe.states.length;
    rig.dropStream();
    // The call starts while the stream is down (or coming back): it must be seen once, and what follows too.
    const ref = rig.sim.pbx.callFromOutside(CALLER, NUMBER);
    await waitFor(() => probe.states.slice(s0).some((s) => s.state === 'reconnecting'), 'reconnecting', 3000).catch(() => undefined);
    await waitFor(() => probe.conn.state === 'connected' && probe.events.some((e) => e.type === 'call.incoming'), 'connected again with the call', 5000);
    rig.sim.pbx.answer(ref);
    await waitFor(() => probe.events.some((e) => e.type === 'call.answered'), 'call.answered');
    rig.sim.pbx.callerHangsUp(ref);
    await waitFor(() => probe.events.some((e) => e.type === 'call.ended'), 'call.ended');
    await sleep(200);
    expect(stateRun(probe.states.slice(s0))).toEqual(['reconnecting', 'connected']);
    const calls = probe.callEvents();
    expect(calls.map((e) => e.type)).toEqual(['call.incoming', 'call.answered', 'call.ended']);
    expect(new Set(calls.map((e) => e.call?.id)).size).toBe(1);
    expect(new Set(probe.events.map((e) => e.id)).size).toBe(probe.events.length);
  });
});
