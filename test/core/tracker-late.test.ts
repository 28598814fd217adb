/**
 * Issue 19.9 at the tracker: an ended call stays ended (late events for it create nothing), a call first seen past
 * its start is never missed, and a call's direction comes from its data, never from a default.
 */
import { CallTracker } from '../../shared/tracker/tracker';
import type { CallObservation, SnapshotObservation } from '../../shared/model/observations';
import type { PbxEvent } from '../../shared/model/events';

const T0 = Date.UTC(2025, 0, 1);
const base = (callId: string, over: Partial<CallObservation> = {}): CallObservation => ({ kind: 'call', platform: 'o2g', user: 'bob', callId, time: T0, ...over });
const snapshot = (calls: CallObservation[], over: Partial<SnapshotObservation> = {}): SnapshotObservation => ({ kind: 'snapshot', platform: 'o2g', user: 'bob', time: T0, calls, ...over });
const types = (events: PbxEvent[]) => events.map((e) => `${e.type}:${e.call?.id}${e.call?.direction ? `:${e.call.direction}` : ''}`);
const alice = { id: 'p-alice', number: '201', login: 'alice' };

describe('late events for an ended call', () => {
  function endedByResync(t: CallTracker): void {
    t.push(base('c1', { legs: [{ device: '202', state: 'ringing_incoming' }], participants: [alice] }));
    t.push(base('c1', { legs: [{ device: '202', state: 'active' }] }));
    // The channel dropped; the resync no longer lists the call: it ends once.
    const end = t.push(snapshot([]));
    expect(types(end)).toEqual(['call.ended:c1:incoming']);
    expect(end[0].call).toMatchObject({ endReason: 'unknown', endedDuringOutage: true });
  }

  it('RELEASING, then the removal, then a stale ACTIVE: nothing (no second end, no missed)', () => {
    const t = new CallTracker();
    endedByResync(t);
    expect(t.push(base('c1', { callState: 'releasing', legs: [{ device: '202', state: 'releasing' }] }))).toEqual([]);
    expect(t.push(base('c1', { removed: true, cause: 'cleared' }))).toEqual([]);
    expect(t.push(base('c1', { legs: [{ device: '202', state: 'active' }], participants: [alice] }))).toEqual([]);
    expect(t.size).toBe(0);
  });

  it('a stale modification without any state, from the caller side too: nothing', () => {
    const t = new CallTracker();
    t.push({ ...base('c2', { legs: [{ device: '201', state: 'dialing' }] }), user: 'alice' });
    t.push({ ...base('c2', { legs: [{ device: '201', state: 'ringing_outgoing' }], participants: [{ id: 'p-bob', number: '202' }] }), user: 'alice' });
    expect(types(t.push(snapshot([], { user: 'alice' })))).toEqual(['call.ended:c2:outgoing']);
    // The caller's late view: no state at all, a participant: it was created as an incoming call and then missed.
    expect(t.push({ ...base('c2', { addedParticipants: [{ id: 'p-bob', number: '202' }] }), user: 'alice' })).toEqual([]);
    expect(t.push({ ...base('c2', { removed: true, cause: 'cleared' }), user: 'alice' })).toEqual([]);
  });

  it('the same reference with another platform-wide id is a new call', () => {
    const t = new CallTracker();
    t.push(base('c3', { globalId: 'uuid-1', legs: [{ device: '202', state: 'ringing_incoming' }], participants: [alice] }));
    t.push(base('c3', { globalId: 'uuid-1', removed: true, cause: 'cleared' }));
    expect(t.push(base('c3', { globalId: 'uuid-1', legs: [{ device: '202', state: 'ringing_incoming' }] }))).toEqual([]);
    expect(types(t.push(base('c3', { globalId: 'uuid-2', legs: [{ device: '202', state: 'ringing_incoming' }], participants: [alice] })))).toEqual(['call.incoming:c3:incoming']);
  });

  it('is bounded in time: within the window a stale view is nothing; after it the reference is free again', () => {
    let now = T0;
    const t = new CallTracker({ now: () => now, endedMemoryMs: 60_000 });
    t.push(base('c4', { legs: [{ device: '202', state: 'ringing_incoming' }], participants: [alice] }));
    t.push(base('c4', { removed: true, cause: 'cleared' }));
    now += 30_000;
    expect(t.push(base('c4', { time: now, legs: [{ device: '202', state: 'active' }], participants: [alice] }))).toEqual([]);
    now += 31_000;
    expect(types(t.push(base('c4', { time: now, legs: [{ device: '202', state: 'ringing_incoming' }], participants: [alice] })))).toEqual(['call.incoming:c4:incoming']);
  });
});

describe('a call first seen past its start', () => {
  it('first seen held, then cleared: ended, never missed (one first seen ringing still can be)', () => {
    const t = new CallTracker();
    const out = t.push(snapshot([
      base('h1', { legs: [{ device: '202', state: 'held' }], participants: [alice], initialCalled: { number: '202', login: 'bob' } }),
      base('g1', { legs: [{ device: '202', state: 'ringing_incoming' }], participants: [alice] }),
    ]));
    expect(types(out)).toEqual(['call.incoming:h1:incoming', 'call.incoming:g1:incoming']);
    expect(types(t.push(base('h1', { removed: true, cause: 'cleared' })))).toEqual(['call.ended:h1:incoming']);
    expect(types(t.push(base('g1', { removed: true, cause: 'cleared' })))).toEqual(['call.ended:g1:incoming', 'call.missed:g1:incoming']);
  });

  it('first seen releasing: nothing to say, as for an end never seen begin', () => {
    const t = new CallTracker();
    expect(t.push(base('r1', { callState: 'releasing', participants: [alice] }))).toEqual([]);
    expect(t.push(base('r1', { removed: true }))).toEqual([]);
  });

});

describe('direction from the data, never a default', () => {
  it('first seen active: the number first called is the user\'s own -> incoming; is the party they talk to -> outgoing', () => {
    const t = new CallTracker({ selfParty: () => ({ number: '202' }) });
    const out = t.push(snapshot([
      base('d1', { legs: [{ device: '202', state: 'active' }], participants: [alice], initialCalled: { number: '202' } }),
      base('d2', { legs: [{ device: '202', state: 'active' }], participants: [{ id: 'p', number: '203' }], initialCalled: { number: '203' } }),
    ]));
    expect(types(out)).toEqual(['call.incoming:d1:incoming', 'call.answered:d1:incoming', 'call.outgoing:d2:outgoing', 'call.answered:d2:outgoing']);
    expect(out[0].call).toMatchObject({ from: { number: '201' }, to: { number: '202', login: 'bob' } });
    expect(out[2].call).toMatchObject({ from: { number: '202' }, to: { number: '203' } });
  });

  it('a participant role says it: the other side is the called party -> outgoing, the caller -> incoming', () => {
    const t = new CallTracker();
    expect(types(t.push(base('d3', { callState: 'active', participants: [{ id: 'p', number: '203', role: 'callee' }] })))).toEqual(['call.outgoing:d3:outgoing', 'call.answered:d3:outgoing']);
    expect(types(t.push(base('d6', { callState: 'active', participants: [{ ...alice, role: 'caller' }] })))).toEqual(['call.incoming:d6:incoming', 'call.answered:d6:incoming']);
  });

  it('nothing tells (a forwarded call first seen answered): nothing announced until something does', () => {
    const t = new CallTracker({ selfParty: () => ({ number: '202' }) });
    expect(t.push(base('d4', { legs: [{ device: '202', state: 'active' }], participants: [{ id: 'p', number: '0600' }], initialCalled: { number: '203' } }))).toEqual([]);
    // Later news that tells the direction: announced then, as what it is.
    expect(types(t.push(base('d4', { participants: [{ id: 'p', number: '0600', role: 'caller' }] })))).toEqual(['call.incoming:d4:incoming', 'call.answered:d4:incoming']);
  });

  it('a call whose direction nothing ever told ends without a word', () => {
    const t = new CallTracker();
    expect(t.push(base('d5', { legs: [{ device: '202', state: 'active' }] }))).toEqual([]);
    expect(t.push(base('d5', { removed: true, cause: 'cleared' }))).toEqual([]);
    expect(t.size).toBe(0);
  });
});
