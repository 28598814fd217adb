/**
 * Ends of views forwarded on no answer wait for the call's outcome: answered by another monitored user ->
 * `answered_elsewhere` and no `call.missed`; ended unanswered there too, or nobody monitored rings -> as they were.
 */
import type { EndReason, PbxEvent } from '../../shared/model/events';
import { ForwardHold } from '../../shared/tracker/forward-hold';

let n = 0;
function ev(type: string, user: string, o: { reason?: EndReason; to?: string; answered?: boolean; globalId?: string; id?: string } = {}): PbxEvent {
  return {
    id: `e${++n}`, type: type as PbxEvent['type'], platform: 'opentouch', user, time: '2026-12-07T00:00:00.000Z',
    call: {
      id: o.id ?? `ref-${user}`, globalId: o.globalId ?? 'G1', direction: 'incoming', from: { number: '0612345678' }, to: { number: user },
      anonymous: false, startedAt: '2026-12-07T00:00:00.000Z', answered: o.answered ?? false,
      ...(o.reason ? { endReason: o.reason } : {}), ...(o.to ? { redirectedTo: { number: o.to } } : {}),
    },
  };
}
const names = (es: PbxEvent[]) => es.map((e) => `${e.user}:${e.type}${e.call?.endReason ? `:${e.call.endReason}` : ''}`);

describe('ForwardHold', () => {
  it('passes everything through, untouched, when no end moved on', () => {
    const h = new ForwardHold();
    const batch = [ev('call.incoming', 'alice'), ev('call.ended', 'alice', { reason: 'no_answer' }), ev('call.missed', 'alice', { reason: 'no_answer' })];
    expect(h.push(batch, 0)).toBe(batch);
    expect(h.size).toBe(0);
  });

  it('alice forwards to bob, bob answers: alice ends answered_elsewhere after the answer, no missed', () => {
    const h = new ForwardHold({ settleMs: 100 });
    expect(names(h.push([ev('call.incoming', 'alice')], 0))).toEqual(['alice:call.incoming']);
    const held = h.push([ev('call.ended', 'alice', { reason: 'no_answer', to: '202' }), ev('call.missed', 'alice', { reason: 'no_answer', to: '202' })], 10);
    expect(held).toEqual([]);
    expect(names(h.push([ev('call.incoming', 'bob')], 20))).toEqual(['bob:call.incoming']);
    expect(h.tick(5000)).toEqual([]); // bob rings long after the settle time: still held
    const out = h.push([ev('call.answered', 'bob', { answered: true })], 6000);
    expect(names(out)).toEqual(['bob:call.answered', 'alice:call.ended:answered_elsewhere']);
    expect(out[1].call!.redirectedTo).toEqual({ number: '202' });
    expect(h.size).toBe(0);
  });

  it('a chain alice -> bob -> carol, carol answers: both earlier views answered_elsewhere', () => {
    const h = new ForwardHold({ settleMs: 100 });
    h.push([ev('call.ended', 'alice', { reason: 'no_answer', to: '202' }), ev('call.missed', 'alice', { reason: 'no_answer' })], 0);
    h.push([ev('call.incoming', 'bob')], 1);
    expect(h.push([ev('call.ended', 'bob', { reason: 'no_answer', to: '203' }), ev('call.missed', 'bob', { reason: 'no_answer' })], 50)).toEqual([]);
    h.push([ev('call.incoming', 'carol')], 60);
    expect(names(h.push([ev('call.answered', 'carol', { answered: true })], 70)))
      .toEqual(['carol:call.answered', 'alice:call.ended:answered_elsewhere', 'bob:call.ended:answered_elsewhere']);
  });

  it('the user it went on to does not answer either: the held events go out as they were, before that end', () => {
    const h = new ForwardHold({ settleMs: 100 });
    h.push([ev('call.ended', 'alice', { reason: 'no_answer', to: '202' }), ev('call.missed', 'alice', { reason: 'no_answer' })], 0);
    h.push([ev('call.incoming', 'bob')], 1);
    const out = h.push([ev('call.ended', 'bob', { reason: 'abandoned' }), ev('call.missed', 'bob', { reason: 'abandoned' })], 50);
    expect(names(out)).toEqual(['alice:call.ended:no_answer', 'alice:call.missed:no_answer', 'bob:call.ended:abandoned', 'bob:call.missed:abandoned']);
    expect(h.size).toBe(0);
  });

  it('nobody monitored rings next (voicemail, an outside number): out as they were after the settle time', () => {
    const h = new ForwardHold({ settleMs: 100 });
    h.push([ev('call.ended', 'alice', { reason: 'no_answer', to: '8000' }), ev('call.missed', 'alice', { reason: 'no_answer' })], 0);
    expect(h.nextDueAt()).toBe(100);
    expect(h.tick(99)).toEqual([]);
    expect(names(h.tick(100))).toEqual(['alice:call.ended:no_answer', 'alice:call.missed:no_answer']);
  });

  it('nothing is held longer than maxHoldMs however long the next phone rings; a close releases everything', () => {
    const h = new ForwardHold({ settleMs: 100, maxHoldMs: 1000 });
    h.push([ev('call.ended', 'alice', { reason: 'no_answer', to: '202' })], 0);
    h.push([ev('call.incoming', 'bob')], 1);
    expect(h.nextDueAt()).toBe(1000);
    expect(names(h.tick(1000))).toEqual(['alice:call.ended:no_answer']);
    h.push([ev('call.ended', 'carol', { reason: 'no_answer', to: '202', globalId: 'G2' })], 2000);
    expect(names(h.flush())).toEqual(['carol:call.ended:no_answer']);
  });

  it('other calls pass while one is held; at most maxCalls held, the oldest released first (nothing dropped)', () => {
    const h = new ForwardHold({ settleMs: 100, maxCalls: 2 });
    h.push([ev('call.ended', 'a', { reason: 'no_answer', to: '1', globalId: 'X1' })], 0);
    h.push([ev('call.ended', 'b', { reason: 'no_answer', to: '1', globalId: 'X2' })], 0);
    expect(names(h.push([ev('call.incoming', 'z', { globalId: 'X9' })], 0))).toEqual(['z:call.incoming']);
    const out = h.push([ev('call.ended', 'c', { reason: 'no_answer', to: '1', globalId: 'X3' })], 0);
    expect(names(out)).toEqual(['a:call.ended:no_answer']);
    expect(h.size).toBe(2);
  });

  it('an answered or outgoing view, or one ended another way, is never held', () => {
    const h = new ForwardHold();
    const batch = [ev('call.ended', 'a', { reason: 'completed', to: '1', answered: true }), ev('call.ended', 'b', { reason: 'redirected', to: '1' })];
    expect(h.push(batch, 0)).toBe(batch);
  });

  it('bob already rings when alice\'s end arrives (no order between sockets): it waits for bob, answered or not', () => {
    const h = new ForwardHold({ settleMs: 100 });
    h.push([ev('call.incoming', 'alice'), ev('call.incoming', 'bob')], 0);
    expect(h.push([ev('call.ended', 'alice', { reason: 'no_answer', to: '202' }), ev('call.missed', 'alice', { reason: 'no_answer' })], 5)).toEqual([]);
    expect(h.nextDueAt()).toBe(10 * 60_000 + 5); // only the ceiling: bob rings
    expect(names(h.push([ev('call.answered', 'bob', { answered: true })], 3000))).toEqual(['bob:call.answered', 'alice:call.ended:answered_elsewhere']);
    h.push([ev('call.incoming', 'carol', { globalId: 'G3' }), ev('call.incoming', 'dave', { globalId: 'G3' })], 4000);
    h.push([ev('call.ended', 'carol', { reason: 'no_answer', to: '204', globalId: 'G3' })], 4001);
    expect(names(h.push([ev('call.ended', 'dave', { reason: 'abandoned', globalId: 'G3' })], 4002))).toEqual(['carol:call.ended:no_answer', 'dave:call.ended:abandoned']);
  });
});
