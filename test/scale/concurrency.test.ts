/** The bounded-concurrency helper: never more than N in flight, urgent work first, failures stop the rest. */
import { ConcurrencyLimit, chunk, concurrencyOf, mapLimit } from '../../shared/connection/concurrency';

const tick = (ms = 2) => new Promise((r) => setTimeout(r, ms));

describe('mapLimit / ConcurrencyLimit', () => {
  it('keeps at most N calls in flight and returns results in input order', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapLimit(Array.from({ length: 50 }, (_, i) => i), 7, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await tick(Math.random() * 5);
      inFlight--;
      return n * 2;
    });
    expect(most).toBe(7);
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });

  it('runs urgent tasks before waiting background ones', async () => {
    const gate = new ConcurrencyLimit(2);
    const order: string[] = [];
    const task = (name: string) => async () => {
      order.push(name);
      await tick();
    };
    const all = [gate.run(task('b1'), 'background'), gate.run(task('b2'), 'background'), gate.run(task('b3'), 'background'), gate.run(task('u1')), gate.run(task('u2'))];
    expect(gate.active).toBe(2);
    expect(gate.waiting).toBe(3);
    await Promise.all(all);
    expect(order).toEqual(['b1', 'b2', 'u1', 'u2', 'b3']);
  });

  it('rejects with the first failure and starts no new call after it', async () => {
    let started = 0;
    const err = await mapLimit(Array.from({ length: 20 }, (_, i) => i), 2, async (n) => {
      started++;
      await tick();
      if (n === 1) throw new Error('boom');
      return n;
    }).catch((e: Error) => e);
    expect((err as Error).message).toBe('boom');
    expect(started).toBeLessThanOrEqual(4);
  });

  it('stops starting calls once stop() says so', async () => {
    let started = 0;
    await mapLimit(Array.from({ length: 20 }, (_, i) => i), 1, async () => {
      started++;
    }, () => started >= 5);
    expect(started).toBe(5);
  });

  it('reads the setting and slices lists', () => {
    expect(concurrencyOf(undefined)).toBe(16);
    expect(concurrencyOf(0)).toBe(16);
    expect(concurrencyOf(2.5)).toBe(16);
    expect(concurrencyOf('8')).toBe(16);
    expect(concurrencyOf(4)).toBe(4);
    expect(concurrencyOf(10_000)).toBe(256);
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([1, 2], 0)).toEqual([[1, 2]]);
    expect(() => new ConcurrencyLimit(0)).toThrow(RangeError);
  });
});
