/**
 * A driver's counters, one type for every platform: each names what it counts, and each only grows. Tests and
 * benchmarks read them through `conn.stats`; nothing else depends on them.
 */
export type DriverStats<K extends string> = Record<K, number>;

/** Counters named `keys`, all at zero. */
export function zeroStats<const K extends string>(keys: readonly K[]): DriverStats<K> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as DriverStats<K>;
}
