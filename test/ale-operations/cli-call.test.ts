/** `pbxflow call` against the simulator, in-process with captured streams. */
import { run } from '../../cli/commands/call';
import { startSimulator, type Simulator } from '../../simulator';
import { captureIo } from '../helpers/cli';

const io = () => captureIo();

describe('pbxflow call', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('runs one operation and prints its JSON result', async () => {
    const s = io();
    const code = await run(['makeCall', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'alice', '--password', 'alice-pw', '--destination', '203'], s.io);
    expect(s.err()).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(s.out());
    expect(result).toMatchObject({ ok: true, operation: 'makeCall', deviceId: '201' });
    expect(sim.pbx.viewsOf('carol')).toHaveLength(1);
  });

  it('prints a typed error without the password and exits 1', async () => {
    const s = io();
    const code = await run(['hangUp', '--platform', 'opentouch', '--url', sim.url('opentouch'), '--login', 'bob', '--password', 'bob-pw', '--callId', 'nope'], s.io);
    expect(code).toBe(1);
    expect(JSON.parse(s.err())).toMatchObject({ error: { code: 'PBX' } });
    expect(s.err()).not.toContain('bob-pw');
  });

  it('rejects bad usage with exit code 2 and lists operations', async () => {
    const bad = io();
    expect(await run(['teleport', '--platform', 'o2g'], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/unknown operation/);
    const list = io();
    expect(await run(['--list', '--platform', 'o2g'], list.io)).toBe(0);
    expect(list.out()).toMatch(/^setDnd/m);
    expect(list.out()).not.toMatch(/^sendInstantMessage/m);
    expect(list.out()).not.toMatch(/^addParticipant/m);
  });

  it('lists the agent operations on O2G only, and runs them', async () => {
    const o2g = io();
    expect(await run(['--list', '--platform', 'o2g'], o2g.io)).toBe(0);
    expect(o2g.out()).toMatch(/^getAgentState/m);
    expect(o2g.out()).toMatch(/^setAgentState/m);
    const ot = io();
    expect(await run(['--list', '--platform', 'opentouch'], ot.io)).toBe(0);
    expect(ot.out()).not.toMatch(/AgentState/);
    const s = io();
    const code = await run(['setAgentState', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'carol', '--password', 'carol-pw', '--state', 'logon', '--group', '5001'], s.io);
    expect(s.err()).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(s.out())).toMatchObject({ ok: true, agent: { state: 'ready', group: '5001', device: '203' } });
  });
});
