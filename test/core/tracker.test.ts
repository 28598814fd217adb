/** The tracker's own rules: ids, dedupe, expiry, resync, raw, memory bound. */
import { CallTracker } from '../../shared/tracker/tracker';
import type { CallObservation } from '../../shared/model/observations';
import { AlePipeline } from '../../shared/platforms/ale/pipeline';
import { loadScenarios, replayScenario, scenarioLines } from '../helpers/scenarios';

const T0 = Date.UTC(2025, 0, 1);
const ringing = (callId: string, time: number): CallObservation => ({
  kind: 'call', platform: 'o2g', user: 'u1', callId, time,
  legs: [{ device: 'd1', state: 'ringing_incoming' }],
  participants: [{ id: 'p', number: '0612345678' }],
});

describe('CallTracker', () => {
  it('gives the same ids for the same input, and unique ids within a run', () => {
    for (const s of loadScenarios()) {
      const a = replayScenario(s).map((e) => e.id);
      const b = replayScenario(s, Date.UTC(2030, 5, 1)).map((e) => e.id);
      expect(b).toEqual(a);
      expect(new Set(a).size).toBe(a.length);
    }
  });

  it('does not repeat events when the same raw lines arrive twice', () => {
    const s = loadScenarios().find((x) => x.file === 'oxe/05-hold-and-retrieve-twice')!;
    const p = new AlePipeline({ platform: 'o2g' });
    const once = scenarioLines(s).flatMap((l) => p.pushLine(l));
    const p2 = new AlePipeline({ platform: 'o2g' });
    const doubled = scenarioLines(s).flatMap((l) => [...p2.pushLine(l), ...p2.pushLine(l)]);
    expect(doubled.map((e) => e.id)).toEqual(once.map((e) => e.id));
  });

  it('expires a call that never ends with endReason unknown, and forgets it', () => {
    let now = T0;
    const t = new CallTracker({ callTtlMs: 60_000, now: () => now });
    expect(t.push(ringing('c1', now)).map((e) => e.type)).toEqual(['call.incoming']);
    expect(t.size).toBe(1);
    now += 30_000;
    expect(t.sweep()).toEqual([]);
    now += 31_000 + 1;
    const out = t.sweep();
    expect(out.map((e) => e.type)).toEqual(['call.ended']);
    expect(out[0].call).toMatchObject({ endReason: 'unknown', answered: false });
    expect(t.size).toBe(0);
  });

  it('on resync ends the calls that vanished during the outage, and does not re-announce the others', () => {
    const t = new CallTracker();
    t.push(ringing('gone', T0));
    t.push(ringing('still', T0));
    const out = t.push({ kind: 'snapshot', platform: 'o2g', user: 'u1', time: T0 + 5000, calls: [ringing('still', T0 + 5000)] });
    expect(out.map((e) => [e.type, e.call?.id])).toEqual([['call.ended', 'gone']]);
    expect(out[0].call).toMatchObject({ endReason: 'unknown', endedDuringOutage: true });
    expect(t.callsOf('u1').map((c) => c.id)).toEqual(['still']);
  });

  it('flags calls first seen in a resync: their start time is only when we first saw them', () => {
    const t = new CallTracker();
    t.push(ringing('known', T0));
    const out = t.push({ kind: 'snapshot', platform: 'o2g', user: 'u1', time: T0 + 5000, calls: [ringing('known', T0 + 5000), ringing('new', T0 + 5000)] });
    expect(out.map((e) => [e.type, e.call?.id, e.call?.inProgressAtConnect])).toEqual([['call.incoming', 'new', true]]);
    expect(t.callsOf('u1').find((c) => c.id === 'known')?.inProgressAtConnect).toBeUndefined();
  });

  it('resync reports an answer that happened during the outage once', () => {
    const t = new CallTracker();
    t.push(ringing('c', T0));
    const active: CallObservation = { ...ringing('c', T0 + 9000), legs: [{ device: 'd1', state: 'active' }] };
    const first = t.push({ kind: 'snapshot', platform: 'o2g', user: 'u1', time: T0 + 9000, calls: [active] });
    const second = t.push({ kind: 'snapshot', platform: 'o2g', user: 'u1', time: T0 + 9500, calls: [active] });
    expect(first.map((e) => e.type)).toEqual(['call.answered']);
    expect(second).toEqual([]);
  });

  it('attaches the raw events only when asked', () => {
    const s = loadScenarios().find((x) => x.file === 'icm/01-basic-call')!;
    const withRaw = new AlePipeline({ platform: 'opentouch', includeRaw: true });
    const ended = scenarioLines(s).flatMap((l) => withRaw.pushLine(l)).find((e) => e.type === 'call.ended' && e.user === 'icm1002')!;
    // Each event carries the raw event of its own step only (not the call's whole history: that grew quadratically).
    expect(ended.raw).toEqual([expect.objectContaining({ eventName: 'OnCallRemoved' })]);
    const without = new AlePipeline({ platform: 'opentouch' });
    expect(scenarioLines(s).flatMap((l) => without.pushLine(l)).every((e) => e.raw === undefined)).toBe(true);
  });

  it('emits user and device state only when they change', () => {
    const p = new AlePipeline({ platform: 'opentouch', now: () => T0 });
    const line = (state: string) => JSON.stringify({ eventName: 'OnUserStateModified', loginName: 'a', state });
    const out = ['BUSY', 'BUSY', 'FREE', 'BUSY'].flatMap((s) => p.pushLine(line(s)));
    expect(out.map((e) => e.state)).toEqual(['busy', 'free', 'busy']);
    expect(new Set(out.map((e) => e.id)).size).toBe(3);
  });

  it('computes ring and talk seconds from the event times', () => {
    let now = T0;
    const t = new CallTracker({ now: () => now });
    t.push(ringing('c', now));
    now += 7000;
    t.push({ ...ringing('c', now), legs: [{ device: 'd1', state: 'active' }] });
    now += 65_000;
    const end = t.push({ kind: 'call', platform: 'o2g', user: 'u1', callId: 'c', time: now, removed: true });
    expect(end[0].call).toMatchObject({ ringSeconds: 7, talkSeconds: 65, answered: true, endReason: 'completed' });
  });

  it('writes event times exactly as Date#toISOString does', () => {
    const t = new CallTracker();
    const times = [T0, T0 + 1, T0 + 59_999, T0 + 60_000, T0 - 1, Date.UTC(1999, 11, 31, 23, 59, 59, 999), T0 + 0.7];
    for (let i = 0; i < 500; i++) times.push(T0 + Math.floor(Math.random() * 86_400_000 * 400));
    times.forEach((time, i) => {
      const [e] = t.push(ringing(`c${i}`, time));
      expect(e.time).toBe(new Date(time).toISOString());
      expect(e.call?.startedAt).toBe(new Date(time).toISOString());
    });
  });

  it('ignores the end of a call it never saw begin', () => {
    const t = new CallTracker();
    expect(t.push({ kind: 'call', platform: 'o2g', user: 'u1', callId: 'x', time: T0, removed: true })).toEqual([]);
  });
});
