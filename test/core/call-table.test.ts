/** The call table: live calls, and the ended ones remembered where they lived, bounded in number and in time. */
import { CallTable } from '../../shared/tracker/call-table';

type Rec = { user: string; callId: string };
const rec = (user: string, callId: string): Rec => ({ user, callId });

describe('CallTable: ended calls', () => {
  it('remembers an end within the window and forgets it after; a live call is not an ended one', () => {
    const m = new CallTable<Rec>({ endedWindowMs: 1000 });
    m.set(rec('alice', 'c1'));
    expect(m.size).toBe(1);
    m.bury('alice', 'c1', { at: 0, globalId: 'g1' });
    expect(m.size).toBe(0);
    expect(m.get('alice', 'c1')).toBeUndefined();
    expect(m.all()).toEqual([]);
    expect(m.of('alice')).toEqual([]);
    expect(m.ended('alice', 'c1', 1000)).toMatchObject({ at: 0, globalId: 'g1' });
    expect(m.ended('bob', 'c1', 1000)).toBeUndefined();
    expect(m.ended('alice', 'c1', 1001)).toBeUndefined();
    expect(m.endedSize).toBe(0);
  });

  it('keeps at most `endedCapacity` ends, dropping the oldest first', () => {
    const m = new CallTable<Rec>({ endedCapacity: 3 });
    for (let i = 0; i < 5; i++) m.bury('u', `c${i}`, { at: i });
    expect(m.endedSize).toBe(3);
    expect(m.ended('u', 'c0', 10)).toBeUndefined();
    expect(m.ended('u', 'c1', 10)).toBeUndefined();
    expect(m.ended('u', 'c4', 10)).toMatchObject({ at: 4 });
  });

  it('a repeated end replaces the first one and counts once; a forgotten one is gone; a new call over an end replaces it', () => {
    const m = new CallTable<Rec>({ endedCapacity: 2 });
    m.bury('u', 'c1', { at: 1 });
    m.bury('u', 'c1', { at: 2, globalId: 'g2' });
    expect(m.endedSize).toBe(1);
    m.bury('u', 'c2', { at: 3 });
    expect(m.ended('u', 'c1', 5)).toMatchObject({ at: 2, globalId: 'g2' });
    m.forget('u', 'c1');
    expect(m.ended('u', 'c1', 5)).toBeUndefined();
    m.bury('u', 'c3', { at: 4 });
    m.bury('u', 'c4', { at: 5 });
    expect(m.endedSize).toBe(2);
    expect(m.ended('u', 'c2', 6)).toBeUndefined();
    expect(m.ended('u', 'c3', 6)).toBeDefined();
    m.set(rec('u', 'c3'));
    expect(m.size).toBe(1);
    expect(m.endedSize).toBe(1);
    expect(m.ended('u', 'c3', 6)).toBeUndefined();
    expect(m.get('u', 'c3')).toEqual(rec('u', 'c3'));
  });

  it('pruneEnded drops every end older than the window, in end order', () => {
    const m = new CallTable<Rec>({ endedWindowMs: 100 });
    for (let i = 0; i < 3000; i++) m.bury(`u${i % 7}`, `c${i}`, { at: i });
    m.pruneEnded(2999);
    expect(m.endedSize).toBe(101);
    expect(m.ended(`u${2898 % 7}`, 'c2898', 0)).toBeUndefined();
    expect(m.ended(`u${2899 % 7}`, 'c2899', 0)).toBeDefined();
    m.pruneEnded(1_000_000);
    expect(m.endedSize).toBe(0);
  });

  it('stays bounded when the same calls end again and again', () => {
    const m = new CallTable<Rec>({ endedCapacity: 100 });
    for (let i = 0; i < 100_000; i++) {
      m.set(rec('u', `c${i % 10}`));
      m.bury('u', `c${i % 10}`, { at: 0 });
    }
    expect(m.endedSize).toBe(10);
    expect(m.size).toBe(0);
    const q = m as unknown as { tombs: unknown[]; head: number };
    expect(q.tombs.length - q.head).toBeLessThanOrEqual(2 * 100 + 1024);
  });
});
