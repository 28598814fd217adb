/**
 * CCD agent operations over the simulator (O2G only): a state change is confirmed, reaches the event stream as
 * `agent.state` (the default O2G subscription asks for the `agent` package), and reads back; a refused logon is
 * a PbxApiError naming the change; OpenTouch refuses the operations before sending anything.
 */
import { PbxApiError, PbxError } from '../../shared/errors';
import type { PbxEvent } from '../../shared/model/events';
import { withoutOptionalPackages, subscriptionRequest } from '../../shared/platforms/ale/subscription';
import { startSimulator, type Simulator } from '../../simulator';
import { simFeatures } from '../../simulator/frontends/ale/operation-routes';
import { connect, waitFor, type Probe } from '../ale/helpers';

const agentEvents = (p: Probe): PbxEvent[] => p.events.filter((e) => e.type === 'agent.state');

describe('O2G agent', () => {
  let sim: Simulator;
  let bob: Probe;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
    bob = connect(sim, 'o2g');
    await bob.conn.ready();
  });
  afterEach(async () => {
    await bob.conn.close();
    await sim.close();
  });

  it('log on, not ready, ready, log off: each change is confirmed, arrives as agent.state and reads back', async () => {
    expect(await bob.conn.execute('getAgentState', {})).toMatchObject({ state: 'log_off', mainState: 'LOG_OFF' });

    const on = await bob.conn.execute('setAgentState', { state: 'logon', group: '5000' });
    // Bob logs on from his configured pro-ACD device (OperatorConfig.proacd, 2021), not his main device 202
    // (updated for issue 11: the main device was sent before, which a CCD refuses).
    expect(on).toEqual({ ok: true, agent: expect.objectContaining({ state: 'ready', group: '5000', device: '2021' }) });
    expect(simFeatures(sim.pbx).agents.state('bob')).toEqual({ activity: 'ready', group: '5000', device: '2021' });
    await waitFor(() => agentEvents(bob).length === 1, 3000, 'agent.state after logon');
    expect(agentEvents(bob)[0]).toMatchObject({ type: 'agent.state', platform: 'o2g', user: 'bob', state: 'ready', agent: { state: 'ready', group: '5000' } });

    await bob.conn.execute('setAgentState', { state: 'not_ready' });
    await waitFor(() => agentEvents(bob).length === 2, 3000, 'agent.state after not_ready');
    expect(agentEvents(bob)[1].agent).toEqual({ state: 'pause', group: '5000' });
    expect(await bob.conn.execute('getAgentState', {})).toMatchObject({ state: 'pause', group: '5000', subState: 'PAUSE' });

    await bob.conn.execute('setAgentState', { state: 'ready' });
    await bob.conn.execute('setAgentState', { state: 'logoff' });
    await waitFor(() => agentEvents(bob).length === 4, 3000, 'agent.state after logoff');
    expect(agentEvents(bob).map((e) => e.state)).toEqual(['ready', 'pause', 'ready', 'log_off']);
    expect(await bob.conn.execute('getAgentState', {})).toEqual({ state: 'log_off', mainState: 'LOG_OFF', withdraw: false });
    // Logging off a logged-off agent changes nothing and answers at once (no event to wait for).
    const t0 = Date.now();
    expect(await bob.conn.execute('setAgentState', { state: 'logoff' })).toMatchObject({ ok: true, agent: { state: 'log_off' } });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('logon to an unknown group: a PbxApiError naming the change, nothing changes', async () => {
    const err = await bob.conn.execute('setAgentState', { state: 'logon', group: '9999' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PbxApiError);
    expect(err).toMatchObject({ code: 'PBX', status: 404, type: 'NOT_FOUND' });
    expect((err as Error).message).toMatch(/^Log on to group 9999 refused for bob: .*HTTP 404 NOT_FOUND/);
    expect(simFeatures(sim.pbx).agents.state('bob').activity).toBe('logged_off');
  });

  it('ready while logged off: the PBX refuses, the error says which change', async () => {
    const err = await bob.conn.execute('setAgentState', { state: 'ready' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PbxApiError);
    expect((err as PbxApiError).message).toMatch(/^Ready refused for bob: .*NOT_EXPECTED/);
  });

  it('OpenTouch has no agent service: UNSUPPORTED before anything is sent', async () => {
    const ot = connect(sim, 'opentouch');
    try {
      await ot.conn.ready();
      const before = sim.frontEnds.opentouch.stats.requests;
      expect(ot.conn.supports('setAgentState')).toBe(false);
      const err = await ot.conn.execute('getAgentState', {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PbxError);
      expect((err as PbxError).code).toBe('UNSUPPORTED');
      expect(sim.frontEnds.opentouch.stats.requests).toBe(before);
    } finally {
      await ot.conn.close();
    }
  });
});

describe('O2G subscription', () => {
  it('asks for the agent package, and can be asked again without it', () => {
    const body = subscriptionRequest('o2g', { platform: 'o2g', url: 'http://x', login: 'bob', password: '' }, false);
    const names = (b: Record<string, unknown>) => (b.filter as { selectors: Array<{ names: string[] }> }).selectors.map((s) => s.names.join(','));
    expect(names(body)).toContain('agent');
    const lean = withoutOptionalPackages(body)!;
    // (Updated for issue 11: `system` is optional too, a user session may not be given it.)
    expect(names(lean)).toEqual(names(body).filter((n) => n !== 'agent' && n !== 'system'));
    expect(withoutOptionalPackages(lean)).toBeUndefined();
  });
});
