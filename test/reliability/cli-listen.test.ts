/** `pbxflow listen` as a child process against the simulator: it lives through a network blip, and says why it stops. */
import { startSimulator, type Simulator } from '../../simulator';
import { waitFor } from '../ale/helpers';
import { spawnCli as cli } from '../helpers/cli';

describe('pbxflow listen (child process)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('keeps running through a dropped event channel, reconnects, and goes on printing events', async () => {
    const r = cli(['listen', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'bob'], { PBXFLOW_PASSWORD: 'bob-pw' });
    try {
      await waitFor(() => r.err.includes('[connected]'), 20_000, 'connected');
      sim.faults.dropChannel('o2g');
      await waitFor(() => r.err.includes('[reconnecting]'), 5000, 'reconnecting');
      await waitFor(() => r.err.split('[connected]').length === 3, 10_000, 'connected again');
      const ref = sim.pbx.makeCall('alice', 'bob');
      await waitFor(() => r.out.includes(ref), 5000, 'the call after the blip');
      expect(r.code).toBeUndefined(); // still running
      expect(r.err).not.toContain('bob-pw');
    } finally {
      r.child.kill('SIGTERM');
      await waitFor(() => r.code !== undefined, 5000, 'exit');
    }
    expect(r.code).toBe(0);
  }, 40_000);

  it('stops with a usage error (exit 2) when no password is given, before any login', async () => {
    const before = sim.frontEnds.o2g.stats.requests;
    const r = cli(['listen', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'bob']);
    await waitFor(() => r.code !== undefined, 20_000, 'exit');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/password is required/);
    expect(sim.frontEnds.o2g.stats.requests).toBe(before);
  }, 30_000);

  it('a wrong password: exits 1 after one login attempt', async () => {
    const before = sim.frontEnds.o2g.stats.failedLogins;
    const r = cli(['listen', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'bob'], { PBX_PASSWORD: 'wrong-pw' });
    await waitFor(() => r.code !== undefined, 20_000, 'exit');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/PBX_PASSWORD is deprecated/);
    expect(sim.frontEnds.o2g.stats.failedLogins - before).toBe(1);
    expect(r.err).not.toContain('wrong-pw');
  }, 30_000);
});
