import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../simulator';
import { replayScenario, SCENARIO_DIR, scenarioLines, type Scenario } from '../helpers/scenarios';
import { connect, kinds, waitFor } from './helpers';

const load = (file: string): Scenario => ({ ...JSON.parse(readFileSync(join(SCENARIO_DIR, `${file}.json`), 'utf8')), family: file.split('/')[0], file });

describe('ALE live events over the simulator', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it.each([
    ['o2g', 'oxe/08-caller-hangs-up-while-ringing'],
    ['opentouch', 'icm/01-basic-call'],
  ] as const)('%s: logs in, subscribes and receives the events of %s in order', async (platform, file) => {
    const s = load(file);
    const p = connect(sim, platform);
    await p.conn.ready();
    expect(p.conn.state).toBe('connected');
    sim.replay(platform, scenarioLines(s));
    const expected = kinds(replayScenario(s).filter((e) => e.type.startsWith('call.')));
    expect(expected.length).toBeGreaterThan(2);
    await waitFor(() => p.calls().length >= expected.length, 5000, 'scenario events');
    expect(kinds(p.calls())).toEqual(expected);
    await p.conn.close();
  });

  it('derives call.missed when the caller hangs up while it rings', async () => {
    const p = connect(sim, 'o2g');
    await p.conn.ready();
    const ref = sim.pbx.makeCall('alice', '202');
    await waitFor(() => p.calls().length === 1, 3000, 'incoming');
    sim.pbx.callerHangsUp(ref);
    await waitFor(() => p.calls().length === 3, 3000, 'missed');
    expect(kinds(p.calls())).toEqual([`call.incoming:${ref}`, `call.ended:${ref}:abandoned`, `call.missed:${ref}:abandoned`]);
    const incoming = p.calls()[0].call!;
    expect(incoming.from.number).toBe('201');
    expect(incoming.direction).toBe('incoming');
    await p.conn.close();
  });

  it('follows calls made by the PBX on the OpenTouch front-end too (answer, hold, retrieve, hang up)', async () => {
    const p = connect(sim, 'opentouch', { login: 'alice', password: 'alice-pw' });
    await p.conn.ready();
    const ref = sim.pbx.makeCall('alice', '203');
    sim.pbx.answer(ref, 'carol');
    sim.pbx.hold(ref, 'alice');
    sim.pbx.retrieve(ref, 'alice');
    sim.pbx.hangUp(ref, 'carol');
    await waitFor(() => p.calls().some((e) => e.type === 'call.ended'), 3000, 'end');
    expect(kinds(p.calls())).toEqual([`call.outgoing:${ref}`, `call.answered:${ref}`, `call.held:${ref}`, `call.retrieved:${ref}`, `call.ended:${ref}:completed`]);
    await p.conn.close();
  });

  it('skips and reports a malformed line, and goes on', async () => {
    const p = connect(sim, 'o2g');
    await p.conn.ready();
    sim.faults.sendMalformedLine('o2g');
    const ref = sim.pbx.makeCall('alice', 'bob');
    await waitFor(() => p.calls().length === 1, 3000, 'event after the bad line');
    expect(p.conn.stats.decodeErrors).toBe(1);
    const d = p.diags.find((x) => x.kind === 'decode');
    expect(d?.error?.code).toBe('DECODE');
    expect(p.calls()[0].call!.id).toBe(ref);
    expect(p.conn.state).toBe('connected');
    await p.conn.close();
  });
});
