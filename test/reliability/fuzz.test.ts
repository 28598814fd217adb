/**
 * Mutation fuzz of the ALE event pipeline (decode -> normalize -> tracker) on the fixture traces, through the same
 * per-line guard the live channel uses: a bad line costs one DecodeError, never an exception of another kind, and
 * every event that comes out is well formed.
 */
import { guardLine } from '../../shared/connection/line-guard';
import { DecodeError } from '../../shared/errors';
import { EVENT_TYPES } from '../../shared/model/events';
import { AlePipeline } from '../../shared/platforms/ale/pipeline';
import { LineSplitter } from '../../shared/platforms/ale/line-splitter';
import { loadScenarios, scenarioLines } from '../helpers/scenarios';
import { mutate, prng } from './mutate';

const TYPES = new Set<string>(EVENT_TYPES);
const LINES = 100_000;

describe('ALE pipeline fuzz', () => {
  const traces = loadScenarios().map((s) => ({ platform: s.family === 'icm' ? ('opentouch' as const) : ('o2g' as const), lines: scenarioLines(s) }));

  it(`${LINES} mutated fixture lines: 0 crashes, only DecodeErrors, every event well formed`, () => {
    const r = prng(20261201);
    const pipelines = { opentouch: new AlePipeline({ platform: 'opentouch', includeRaw: true }), o2g: new AlePipeline({ platform: 'o2g', includeRaw: true }) };
    let fed = 0;
    let rejected = 0;
    let events = 0;
    const unexpected: string[] = [];
    const t0 = Date.now();
    while (fed < LINES) {
      for (const t of traces) {
        const p = pipelines[t.platform];
        for (const line of t.lines) {
          // One line in three as it is (keeps calls alive, so mutated ones hit live call state), the rest mutated.
          const input = r() < 0.33 ? line : mutate(line, r, fed % 500 === 0);
          fed++;
          const g = guardLine(input, () => p.pushLine(input));
          if (!g.ok) {
            rejected++;
            if (!(g.error instanceof DecodeError) || /^unreadable event/.test(g.error.message)) unexpected.push(`${g.error.message} <- ${g.error.excerpt}`);
            continue;
          }
          for (const e of g.value) {
            events++;
            if (typeof e.id !== 'string' || !TYPES.has(e.type) || !Number.isFinite(Date.parse(e.time)) || typeof e.user !== 'string') {
              unexpected.push(`bad event ${JSON.stringify(e).slice(0, 200)}`);
            }
          }
        }
      }
    }
    const ms = Date.now() - t0;
    console.log(`fuzz: ${fed} lines in ${ms} ms, ${rejected} rejected as DecodeError, ${events} events, ${unexpected.length} unexpected`);
    expect(unexpected.slice(0, 5)).toEqual([]);
    expect(fed).toBeGreaterThanOrEqual(LINES);
    expect(rejected).toBeGreaterThan(0);
    expect(events).toBeGreaterThan(LINES / 10);
  });

  it.each([
    ['loginName an object', { eventName: 'OnCallCreated', loginName: { toString: 1 }, callRef: 'c1' }],
    ['callRef an object', { eventName: 'OnCallCreated', loginName: 'u', callRef: { toString: 1 } }],
    ['time 1e20', { eventName: 'OnCallCreated', loginName: 'u', callRef: 'c2', time: 1e20 }],
    ['RTSM time -1e17', { name: 'RTSM_CALL_CREATED', id: 'u', callRef: 'c3', time: -1e17 }],
    ['participantId an object', { eventName: 'OnCallCreated', loginName: 'u', callRef: 'c4', participants: [{ participantId: { toString: 1 } }] }],
    ['removed ids objects', { eventName: 'OnCallModified', loginName: 'u', callRef: 'c5', removedParticipantIds: [{ toString: 1 }] }],
    ['state named constructor', { eventName: 'OnCallCreated', loginName: 'u', callRef: 'c6', cause: 'constructor', legs: [{ deviceId: 'd', state: 'toString' }] }],
    ['routing types objects', { eventName: 'OnRoutingStateChanged', loginName: 'u', routingState: { forwardRoutes: [{ forwardType: { toString: 1 }, destinations: [{ type: { toString: 1 } }] }] } }],
  ])('%s: read without an exception (typed fields, receive time)', (_name, ev) => {
    const now = Date.UTC(2026, 0, 1);
    const p = new AlePipeline({ platform: 'o2g', now: () => now });
    const out = p.pushLine(JSON.stringify(ev));
    for (const e of out) expect(Date.parse(e.time)).toBe(now);
  });

  it('one event stamped in microseconds neither ends the live calls nor stops expiry', () => {
    let now = Date.UTC(2026, 0, 1);
    const p = new AlePipeline({ platform: 'o2g', now: () => now, callTtlMs: 3600_000 });
    p.pushLine(JSON.stringify({ eventName: 'OnCallCreated', loginName: 'u', callRef: 'live', legs: [{ deviceId: 'd', state: 'RINGING_INCOMING' }] }));
    const bad = p.pushLine(JSON.stringify({ name: 'RTSM_CALL_CREATED', id: 'u', callRef: 'other', time: now * 1000, legs: [{ deviceId: 'd', state: 'RINGING_INCOMING' }] }));
    expect(bad.filter((e) => e.type === 'call.ended')).toEqual([]);
    expect(p.tracker.callsOf('u').map((c) => c.id).sort()).toEqual(['live', 'other']);
    // The local clock still drives expiry: an hour and more later both calls end as unknown.
    now += 3600_000 + 61_000;
    const swept = p.tracker.sweep();
    expect(swept.filter((e) => e.type === 'call.ended').map((e) => e.call!.endReason)).toEqual(['unknown', 'unknown']);
  });

  it('expiry follows the receive time, not an old event time', () => {
    let now = Date.UTC(2026, 0, 1);
    const p = new AlePipeline({ platform: 'o2g', now: () => now, callTtlMs: 60_000 });
    // An event whose own time is a day old must not make the call look a day stale.
    p.pushLine(JSON.stringify({ name: 'RTSM_CALL_CREATED', id: 'u', callRef: 'c', time: now - 86_000_000, legs: [{ deviceId: 'd', state: 'RINGING_INCOMING' }] }));
    now += 30_000;
    expect(p.tracker.sweep()).toEqual([]);
    now += 31_000;
    expect(p.tracker.sweep().map((e) => [e.type, e.call?.endReason])).toEqual([['call.ended', 'unknown']]);
  });

  it('40 000 participants and legs: merged in linear time, capped at 200 per call, the cut reported', () => {
    const warnings: string[] = [];
    const p = new AlePipeline({ platform: 'o2g', onWarning: (m) => warnings.push(m) });
    p.pushLine(JSON.stringify({ eventName: 'OnCallCreated', loginName: 'u', callRef: 'big', legs: [{ deviceId: 'd', state: 'ACTIVE' }] }));
    const many = Array.from({ length: 40_000 }, (_, i) => ({ participantId: `p${i}`, identity: { id: { phoneNumber: String(i) } } }));
    const legs = Array.from({ length: 40_000 }, (_, i) => ({ deviceId: `d${i}`, state: 'ACTIVE' }));
    const t0 = Date.now();
    p.pushLine(JSON.stringify({ eventName: 'OnCallModified', loginName: 'u', callRef: 'big', addedParticipants: many, modifiedParticipants: many, modifiedLegs: legs }));
    p.pushLine(JSON.stringify({ eventName: 'OnCallModified', loginName: 'u', callRef: 'big', removedParticipantIds: many.map((x) => x.participantId), addedParticipants: many }));
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(1200); // old code: 1.5 s for each of the two events (and 0.1 s here when the machine is idle)
    expect(p.tracker.callsOf('u')[0].conferenceParties).toBe(200);
    expect(warnings.some((w) => /participant\(s\) beyond the 200/.test(w))).toBe(true);
    expect(warnings.some((w) => /leg\(s\) beyond the 200/.test(w))).toBe(true);
  });

  it('the line splitter drops an oversized line whole: its tail is not emitted as a line', () => {
    const s = new LineSplitter(1000);
    expect(s.push('{"a":1}\n' + 'x'.repeat(600))).toEqual(['{"a":1}']);
    expect(s.push('y'.repeat(600))).toEqual([]); // over the limit now: dropped
    expect(s.push('TAIL-OF-THE-BIG-LINE\n{"b":2}\n')).toEqual(['{"b":2}']);
    expect(s.push(`${'z'.repeat(1500)}\n{"c":3}\n`)).toEqual(['{"c":3}']);
    expect(s.dropped).toBe(2);
  });
});
