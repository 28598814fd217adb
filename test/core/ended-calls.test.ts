/** The tracker's memory of ended calls: bounded in number and in time, whatever order ends, forgets and repeats come in. */
import { EndedCalls } from '../../shared/tracker/ended-calls';

describe('EndedCalls', () => {
  it('remembers an end within the window and forgets it after', () => {
    const m = new EndedCalls(10, 1000);
    m.add('alice', 'c1', { at: 0, globalId: 'g1' });
    expect(m.get('alice', 'c1', 1000)).toMatchObject({ at: 0, globalId: 'g1' });
    expect(m.get('bob', 'c1', 1000)).toBeUndefined();
    expect(m.get('alice', 'c1', 1001)).toBeUndefined();
    expect(m.size).toBe(0);
  });

  it('keeps at most `capacity` ends, dropping the oldest first', () => {
    const m = new EndedCalls(3, 60_000);
    for (let i = 0; i < 5; i++) m.add('u', `c${i}`, { at: i });
    expect(m.size).toBe(3);
    expect(m.get('u', 'c0', 10)).toBeUndefined();
    expect(m.get('u', 'c1', 10)).toBeUndefined();
    expect(m.get('u', 'c4', 10)).toMatchObject({ at: 4 });
  });

  it('a repeated end replaces the first one and counts once; a forgotten one is gone', () => {
    const m = new EndedCalls(2, 60_000);
    m.add('u', 'c1', { at: 1 });
    m.add('u', 'c1', { at: 2, globalId: 'g2' });
    expect(m.size).toBe(1);
    m.add('u', 'c2', { at: 3 });
    expect(m.get('u', 'c1', 5)).toMatchObject({ at: 2, globalId: 'g2' });
    m.forget('u', 'c1');
    expect(m.get('u', 'c1', 5)).toBeUndefined();
    m.add('u', 'c3', { at: 4 });
    m.add('u', 'c4', { at: 5 });
    expect(m.size).toBe(2);
    expect(m.get('u', 'c2', 6)).toBeUndefined();
    expect(m.get('u', 'c3', 6)).toBeDefined();
  });

  it('prune drops every end older than the window, in end order', () => {
    const m = new EndedCalls(10_000, 100);
    for (let i = 0; i < 3000; i++) m.add(`u${i % 7}`, `c${i}`, { at: i });
    m.prune(2999);
    expect(m.size).toBe(101);
    expect(m.get(`u${2898 % 7}`, 'c2898', 0)).toBeUndefined();
    expect(m.get(`u${2899 % 7}`, 'c2899', 0)).toBeDefined();
    m.prune(1_000_000);
    expect(m.size).toBe(0);
  });
});
