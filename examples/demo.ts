/**
 * `npm start`: the pbxflow demo (simulator + embedded Node-RED + generated calls; no PBX needed).
 * `npm start -- --once`: a short fixed script; exit code 0 when the tickets were created (one per call nobody
 * answered: OpenTouch, TelServices, Asterisk ring groups; a Voicenter queue call abandoned), the ring-group tickets
 * closed by a call back, and the forwards were set and restored (OpenTouch, TelServices),
 * 1 otherwise (so CI can run the demo end to end). `npm start -- --paused` (or PBXFLOW_DEMO_PAUSED=1) starts with the
 * generated calls paused, to try things by hand on the phones page (whose switch resumes them). See docs/demo.md.
 */
import { resolve } from 'node:path';
import { runDemo } from './demo/run';
import type { Ticket } from './demo/watch';

/**
 * `--once` and `--tmp-dir <dir>` (or `--tmp-dir=<dir>`): scratch directory instead of .tmp/, absolute or relative
 * to the current directory (the test uses its own).
 */
function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): { once: boolean; paused: boolean; tmpDir?: string } {
  let tmpDir: string | undefined;
  argv.forEach((a, i) => {
    if (a.startsWith('--tmp-dir=')) tmpDir = a.slice('--tmp-dir='.length);
    else if (a === '--tmp-dir') {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error('--tmp-dir needs a directory: --tmp-dir <dir>');
      tmpDir = next;
    }
  });
  if (tmpDir === '') throw new Error('--tmp-dir needs a directory: --tmp-dir <dir>');
  // The env variable for `npm start`, whose own arguments need the `--` first.
  const paused = argv.includes('--paused') || /^(1|true|yes|on)$/i.test(env.PBXFLOW_DEMO_PAUSED ?? '');
  return { once: argv.includes('--once'), paused, tmpDir: tmpDir === undefined ? undefined : resolve(tmpDir) };
}

const opened = (t: Ticket[]) => t.filter((x) => x.status === 'open').length;
const closed = (t: Ticket[]) => t.filter((x) => x.status === 'closed').length;

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`demo: ${(err as Error).message}\n`);
    return 2;
  }
  const { once, paused, tmpDir } = args;
  const stop = new AbortController();
  let stops = 0;
  const onSignal = () => {
    // First Ctrl-C: clean stop. Second: the user insists.
    if (++stops > 1) process.exit(130);
    process.stdout.write('\nstopping...\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // CI must never hang on the demo: --once has a hard deadline (the script itself takes about 20 s; each of its
  // waits gives up after 30 s, so this only catches a hang).
  const deadline = once
    ? setTimeout(() => {
        process.stderr.write('demo FAILED: --once did not finish within 180 s\n');
        process.exit(1);
      }, 180_000).unref()
    : undefined;
  const result = await runDemo({ once, paused, tmpDir, signal: stop.signal });
  clearTimeout(deadline);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (!once) {
    if (!result.ok) process.stderr.write(`demo stopped: ${result.problems.join('; ')}\n`);
    else process.stdout.write(`stopped. ${opened(result.tickets)} ticket(s) opened, ${closed(result.tickets)} closed in ${result.ticketsFile} this run.\n`);
    return result.ok ? 0 : 1;
  }
  if (result.ok) {
    process.stdout.write(
      `\ndemo OK: ${opened(result.tickets)} ticket(s) opened, ${closed(result.tickets)} closed by a call back, in ${result.ticketsFile} (${[...new Set(result.tickets.map((t) => t.platform))].join(', ')}); `
        + `forwards set and restored by the calendar (OpenTouch, TelServices).${result.voicenterSkipped ? ` Voicenter skipped: ${result.voicenterSkipped}` : ''}\n`,
    );
    return 0;
  }
  process.stderr.write(`\ndemo FAILED:\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  return 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`demo crashed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
