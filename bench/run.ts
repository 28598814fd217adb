/**
 * `npm run bench`: figures reported as ratios against a baseline measured in the same run.
 * Not part of `npm test`: numbers depend on the machine.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { benchCompletedCalls, benchLiveCalls, benchThroughput } from './pipeline';
import { printFigures } from './live';
import { benchScale } from './scale';
import { PLATFORM_CATALOG } from '../shared/platforms/catalog';

const print = (title: string, rows: Record<string, number | string>): void => printFigures(title, rows, 48);

async function main(): Promise<void> {
  if (!(globalThis as { gc?: unknown }).gc) process.stdout.write('(run with --expose-gc for exact memory figures)\n');
  process.stdout.write(`node ${process.version}\n`);
  print('ALE pipeline from the raw bytes vs JSON.parse of the same lines, public On* form as servers send it', benchThroughput('public'));
  print('ALE pipeline from the raw bytes vs JSON.parse of the same lines, O2G traces in their internal RTSM_* form', benchThroughput('mixed'));
  print('Tracker memory: live calls', benchLiveCalls());
  print('Tracker memory: 1 M completed calls', benchCompletedCalls());
  // Loopback chunk-channel benchmark, when the ALE client and simulator are built.
  const channel = join(__dirname, 'ale-channel.js');
  if (existsSync(channel)) {
    const mod = require(channel) as { benchAleChannel?: () => Promise<Record<string, number | string>> };
    if (mod.benchAleChannel) print('ALE chunk channel on loopback (simulator -> client)', await mod.benchAleChannel());
  }
  print('Scale: one administrator session, simulator answering each REST request after 20 ms (bench/scale.ts)', await benchScale());
  // The other platforms' benchmarks print their own figures: `bench/<platform>.ts` exporting `bench<Platform>`.
  for (const { name } of PLATFORM_CATALOG) {
    const fn = `bench${name[0].toUpperCase()}${name.slice(1)}`;
    const path = join(__dirname, `${name}.js`);
    if (!existsSync(path)) continue;
    const mod = require(path) as Record<string, (() => Promise<unknown>) | undefined>;
    const run = mod[fn];
    if (run) await run();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
