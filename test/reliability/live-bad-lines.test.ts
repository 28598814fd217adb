/**
 * Bad lines over the real event channel (simulator, loopback): each costs one `decode` warning naming the line;
 * the stream is never restarted and the events after them still arrive.
 */
import { startSimulator, type Simulator } from '../../simulator';
import { connect, waitFor } from '../ale/helpers';
import { loadScenarios, scenarioLines } from '../helpers/scenarios';
import { mutate, prng } from './mutate';

describe('ALE live channel: bad lines', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('2 000 mutated and hostile lines on the live channel: 0 stream restarts, events go on', async () => {
    const p = connect(sim, 'o2g');
    await p.conn.ready(5000);
    const hostile = [
      '{"eventName":"OnCallCreated","loginName":{"toString":1},"callRef":"h1"}',
      '{"eventName":"OnCallCreated","loginName":"bob","callRef":"h2","time":1e20}',
      '{"name":"RTSM_CALL_CREATED","id":"bob","callRef":"h3","time":-1e17}',
      '{"eventName":"OnCallCreated","loginName":"bob","callRef":{"toString":1}}',
      '{"eventName":"OnCallModified","loginName":"bob","callRef":"h4","participants":[{"participantId":{"toString":1}}]}',
      '{"eventName": "OnCallCreated", "callRef": oops',
    ];
    const r = prng(7);
    const mutated: string[] = [];
    for (const s of loadScenarios().filter((x) => x.family === 'oxe')) for (const l of scenarioLines(s)) mutated.push(mutate(l, r));
    const lines = [...hostile];
    while (lines.length < 2000) lines.push(mutated[lines.length % mutated.length]);
    sim.replay('o2g', lines);
    await waitFor(() => p.conn.stats.lines >= 2000, 10_000, 'all lines read');
    // The stream goes on: a real call after the bad lines is seen.
    const ref = sim.pbx.makeCall('alice', 'bob');
    await waitFor(() => p.calls().some((e) => e.type === 'call.incoming' && e.call?.id === ref), 5000, 'the call after the bad lines');
    expect(p.conn.stats.channelsOpened).toBe(1);
    expect(sim.frontEnds.o2g.stats.channelsOpened).toBe(1);
    expect(p.diags.filter((d) => d.kind === 'channel' || d.kind === 'session')).toEqual([]);
    expect(p.events.filter((e) => e.type === 'connection.state').map((e) => e.connection!.state)).toEqual(['connected']);
    const decode = p.diags.filter((d) => d.kind === 'decode');
    expect(decode.length).toBe(p.conn.stats.decodeErrors);
    expect(decode.length).toBeGreaterThan(0);
    // Each warning names its line.
    expect(decode.some((d) => d.message.includes('"callRef": oops'))).toBe(true);
    await p.conn.close();
  });
});
