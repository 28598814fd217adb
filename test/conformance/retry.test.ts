/**
 * Every retry path of every platform against a server that keeps failing it: at most CEILING_PER_MINUTE attempts
 * per minute. Timings run at 1/20 scale (platforms.ts), so a SCALED_MINUTE_MS window stands for a minute at the
 * default settings. The cases run concurrently (each has its own simulator and fault peer).
 */
import { open, sleep } from './harness';
import { CEILING_PER_MINUTE, PLATFORMS, SCALED_MINUTE_MS, type PlatformEntry, type RetryPath } from './platforms';

async function underFault(p: PlatformEntry, path: RetryPath): Promise<{ count: number; leftOpen?: number; what: string }> {
  const rig = await p.start();
  try {
    const fault = rig.retry(path);
    if (!fault) throw new Error(`${p.name} lists the retry path "${path}" but its rig cannot make it fail`);
    const probe = open(p, rig, fault.config);
    const t0 = Date.now();
    const stopDriving = fault.drive?.();
    await sleep(SCALED_MINUTE_MS - (Date.now() - t0));
    stopDriving?.();
    const count = fault.count();
    await probe.conn.close();
    // Counted once closed: every session given up on, and the last one, must have been closed by now.
    return { count, leftOpen: fault.leftOpen?.(), what: fault.what };
  } finally {
    await rig.stop();
  }
}

const cases = PLATFORMS.flatMap((p) => p.retryPaths.map((path) => [p.name, path, p] as const));

describe('retry paths against a failing server stay under the per-minute ceiling', () => {
  it.concurrent.each(cases)('%s: %s', async (_name, path, p) => {
    const r = await underFault(p, path);
    console.log(`${p.name} ${path}: ${r.count} ${r.what} per minute${r.leftOpen !== undefined ? `, ${r.leftOpen} session(s) left open after close()` : ''}`);
    // The path was really exercised (the fault is met and retried), and not more than the ceiling.
    expect(r.count).toBeGreaterThanOrEqual(path === 'snapshot' || path.startsWith('token') ? 1 : 2);
    expect(r.count).toBeLessThanOrEqual(CEILING_PER_MINUTE);
    // Sessions given up on were closed, and the last one at close().
    if (r.leftOpen !== undefined) expect(r.leftOpen).toBe(0);
  });
});
