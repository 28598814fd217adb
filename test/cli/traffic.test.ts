/** `pbxflow simulate --traffic`'s generator on a real virtual PBX: every kind of call happens, and a plan the user broke is told, not thrown. */
import { PassThrough } from 'node:stream';
import { run as simulate } from '../../cli/commands/simulate';
import { runTraffic } from '../../cli/traffic';
import { startSimulator, type PbxChange, type Simulator } from '../../simulator';
import { trafficSwitch } from '../../simulator/web/traffic-switch';
import { waitFor } from '../ale/helpers';

describe('simulate --traffic generator', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('makes answered, missed, transferred, queued and outside calls, and stops at once on abort', async () => {
    const ended: string[] = [];
    sim.pbx.on('change', (c: PbxChange) => {
      if (c.kind === 'call' && c.action === 'removed') ended.push(`${c.user}:${c.cause}:${c.view.initialCalled?.number ?? ''}`);
    });
    const lines: string[] = [];
    const stop = new AbortController();
    const run = runTraffic({ pbx: sim.pbx, signal: stop.signal, pace: 0.05, say: (l) => lines.push(l) });
    await waitFor(() => lines.length >= 6, 20_000, 'a whole round of calls');
    // Abort in a pause of the sixth call (3 s at full pace): the generator ends without waiting it out.
    const t0 = Date.now();
    stop.abort();
    await run;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(lines.some((l) => /did not go as planned/.test(l))).toBe(false);
    expect(ended).toContain('bob:normal:202'); // answered
    expect(ended).toContain('alice:abandoned:201'); // missed
    expect(ended.some((e) => /^bob:transferred/.test(e))).toBe(true);
    expect(ended.some((e) => /^carol:normal:5000/.test(e) || /^bob:normal:5000/.test(e))).toBe(true); // through Support
    expect(ended.some((e) => /^bob:abandoned:202/.test(e))).toBe(true); // the outside caller gave up
  }, 30_000);

  it('a call the user made impossible (Bob forwarded to voicemail) is told, and the next one runs', async () => {
    sim.pbx.setForward('bob', { destination: 'voicemail', condition: 'immediate' });
    const lines: string[] = [];
    const stop = new AbortController();
    const run = runTraffic({ pbx: sim.pbx, signal: stop.signal, pace: 0.05, say: (l) => lines.push(l) });
    await waitFor(() => lines.some((l) => /Carol calls Alice/.test(l)), 20_000, 'the next call');
    stop.abort();
    await run;
    expect(lines[1]).toMatch(/answered call did not go as planned/);
  }, 30_000);

  it('starts paused with `paused` (--paused): no call until the switch resumes it, then calls again', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const run = runTraffic({ pbx: sim.pbx, signal: stop.signal, pace: 0.05, paused: true, say: (l) => lines.push(l) });
    expect(trafficSwitch(sim.pbx).state).toEqual({ generated: true, paused: true });
    await new Promise((r) => setTimeout(r, 800)); // several rounds' worth at this pace
    expect(sim.pbx.calls()).toEqual([]);
    expect(lines).toEqual(["paused from the start: no calls until the traffic is resumed (the phones page's switch)"]);
    trafficSwitch(sim.pbx).set(false);
    await waitFor(() => lines.some((l) => /calls Bob/.test(l)), 5000, 'the first call');
    expect(lines[1]).toBe('resumed');
    stop.abort();
    await run;
    expect(trafficSwitch(sim.pbx).state.generated).toBe(false);
  }, 15_000);

  it('`pbxflow simulate --paused` needs --traffic, and says the traffic starts paused', async () => {
    const io = () => {
      const o = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), out: '', err: '' };
      o.stdout.on('data', (c: Buffer) => (o.out += c.toString()));
      o.stderr.on('data', (c: Buffer) => (o.err += c.toString()));
      return o;
    };
    const bad = io();
    expect(await simulate(['--paused', '--duration', '100'], bad)).toBe(2);
    expect(bad.err).toMatch(/--paused .*use it with --traffic/);
    const good = io();
    expect(await simulate(['--traffic', '--paused', '--duration', '700'], good)).toBe(0);
    expect(good.out).toContain('Traffic: paused (resume it with the switch on the phones page).');
    expect(good.out).toContain('[traffic] paused from the start');
    expect(good.out).not.toMatch(/\[traffic\] \w+ calls /); // no generated call ("Alice calls Bob...")
  }, 15_000);
});
