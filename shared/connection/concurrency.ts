/**
 * Bounded concurrency for per-user requests (resync, user look-ups): a PBX answers each request in 20-50 ms, so
 * one at a time makes thousands of users wait for minutes, and all at once opens thousands of sockets.
 * `ConcurrencyLimit` runs at most N tasks at a time; urgent tasks (the resync that gates `connected`) go before
 * background ones (look-ups) that are still waiting. `mapLimit` maps a list through it.
 */

/** The in-flight bound used when a setting is missing or not a positive integer. */
export const DEFAULT_CONCURRENCY = 16;

/** A setting read as a concurrency bound: a positive integer (capped at 256), else `fallback`. */
export function concurrencyOf(value: unknown, fallback = DEFAULT_CONCURRENCY): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? Math.min(value, 256) : fallback;
}

type Task = () => void;

export class ConcurrencyLimit {
  private running = 0;
  private readonly urgent: Task[] = [];
  private readonly background: Task[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.urgent.length + this.background.length;
  }

  /** Runs `fn` when a slot is free; `background` tasks wait behind every urgent one. */
  run<T>(fn: () => Promise<T>, priority: 'urgent' | 'background' = 'urgent'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const task = () => {
        this.running++;
        let p: Promise<T>;
        try {
          p = fn();
        } catch (err) {
          p = Promise.reject(err);
        }
        p.then(resolve, reject).finally(() => {
          this.running--;
          this.next();
        });
      };
      (priority === 'urgent' ? this.urgent : this.background).push(task);
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.limit) {
      const task = this.urgent.shift() ?? this.background.shift();
      if (!task) return;
      task();
    }
  }
}

/**
 * `fn` over `items` with at most `limit` calls in flight (a number, or a shared `ConcurrencyLimit`); results in
 * input order. The first failure rejects and stops starting new calls (those in flight finish on their own).
 * `stop()` returning true also stops starting new calls (e.g. the stream they were for has ended); the result then
 * holds only what finished.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number | ConcurrencyLimit,
  fn: (item: T, index: number) => Promise<R>,
  stop?: () => boolean,
): Promise<R[]> {
  const gate = typeof limit === 'number' ? new ConcurrencyLimit(limit) : limit;
  const out = new Array<R>(items.length);
  let failed = false;
  await Promise.all(items.map((item, i) => gate.run(async () => {
    if (failed || stop?.()) return;
    try {
      out[i] = await fn(item, i);
    } catch (err) {
      failed = true;
      throw err;
    }
  })));
  return out;
}

/** `items` in consecutive slices of at most `size` (all in one slice when `size` is not a positive integer). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1 || items.length <= size) return [items.slice()];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
