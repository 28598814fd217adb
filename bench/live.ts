/**
 * The measuring loop every live benchmark shares (bench/asterisk.ts, voicenter.ts, telservices.ts): a paced
 * sender, waiting for what was sent to arrive, latency percentiles, and the printed table. The pipeline-only
 * loop (against the plain parser) is measureVsParse in bench/pipeline.ts.
 */

/** The q-quantile (0..1) of sorted samples, NaN when there are none. */
export const percentile = (sorted: readonly number[], q: number): number =>
  (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] : NaN);

const ms = (v: number): number => Math.round(v * 100) / 100;

/** p50, p99 and max of latency samples (sorted in place), in ms to two decimals. */
export function latencyFigures(samples: number[]): { p50: number; p99: number; max: number } {
  samples.sort((a, b) => a - b);
  return { p50: ms(percentile(samples, 0.5)), p99: ms(percentile(samples, 0.99)), max: ms(percentile(samples, 1)) };
}

/** The latency rows of a live benchmark's table: how many samples (under `samplesLabel`), p50, p99 and max. */
export function latencyRows(samples: number[], samplesLabel = 'latency samples'): Record<string, number> {
  const l = latencyFigures(samples);
  return { [samplesLabel]: samples.length, 'latency p50 ms': l.p50, 'latency p99 ms (target <= 5)': l.p99, 'latency max ms': l.max };
}

/** Runs `bench` when `mod` is the file node was started with (`node dist/bench/x.js`); a failure sets the exit code. */
export function runIfMain(mod: NodeJS.Module, bench: () => Promise<void>): void {
  if (require.main !== mod) return;
  bench().catch((err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  });
}

/** Resolves once `count()` reaches `n`; throws after `timeoutMs` naming how many of what arrived. */
export async function waitForCount(count: () => number, n: number, what: string, pollMs = 1, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (count() < n) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`bench: ${count()} of ${n} ${what} arrived`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * A steady rate: `tick(i)` every `tickMs` while `more(i)`. Each tick waits out what is left of its own period
 * (`fromStart`: of the period counted from the first tick, so a late tick is caught up rather than lost).
 */
export async function paced(tickMs: number, more: (i: number) => boolean, tick: (i: number) => void, fromStart = false): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; more(i); i++) {
    const due = fromStart ? t0 + (i + 1) * tickMs : performance.now() + tickMs;
    tick(i);
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

/** A titled table of figures on stdout, keys padded to `width`. */
export function printFigures(title: string, rows: Record<string, number | string>, width = 52): void {
  process.stdout.write(`\n## ${title}\n`);
  for (const [k, v] of Object.entries(rows)) process.stdout.write(`${k.padEnd(width)} ${typeof v === 'number' ? v.toLocaleString('en-US') : v}\n`);
}
