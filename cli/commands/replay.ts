/**
 * `pbxflow replay --platform <opentouch|o2g|auto> [--raw] [FILE]`: raw events (one per line) in,
 * normalized events (JSON lines) out. Bad lines are reported on stderr with their number and skipped.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { PbxError } from '../../shared/errors';
import type { PbxEvent } from '../../shared/model/events';
import { AlePipeline } from '../../shared/platforms/ale/pipeline';
import { parseArgs, type CliIo } from '../io';

const PLATFORMS = ['opentouch', 'o2g', 'voicenter', 'telservices', 'auto'] as const;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { flags, positional } = parseArgs(args);
  const platform = String(flags.platform ?? 'auto');
  if (!(PLATFORMS as readonly string[]).includes(platform)) {
    io.stderr.write(`replay: --platform must be one of ${PLATFORMS.join(', ')}\n`);
    return 2;
  }
  if (platform === 'voicenter' || platform === 'telservices') {
    io.stderr.write(`replay: ${platform} captures are not supported in this version\n`);
    return 2;
  }
  let input: NodeJS.ReadableStream = io.stdin;
  if (positional[0] && positional[0] !== '-') {
    const file = createReadStream(positional[0], 'utf8');
    try {
      await new Promise<void>((resolve, reject) => file.once('error', reject).once('open', () => resolve()));
    } catch (err) {
      io.stderr.write(`replay: cannot read ${positional[0]}: ${(err as Error).message}\n`);
      return 1;
    }
    input = file;
  }
  // `auto` picks per line: the internal O2G form (`name: RTSM_*`) means o2g, else opentouch.
  const pipelines = new Map<string, AlePipeline>();
  const pipelineFor = (p: 'opentouch' | 'o2g') => {
    let pl = pipelines.get(p);
    if (!pl) pipelines.set(p, (pl = new AlePipeline({ platform: p, includeRaw: flags.raw === true })));
    return pl;
  };
  let lineNo = 0;
  let bad = 0;
  const write = (events: PbxEvent[]) => {
    for (const e of events) io.stdout.write(`${JSON.stringify(e)}\n`);
  };
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
    try {
      const p: 'opentouch' | 'o2g' = platform === 'auto' ? (/"name"\s*:\s*"RTSM_/.test(line) ? 'o2g' : 'opentouch') : (platform as 'opentouch' | 'o2g');
      write(pipelineFor(p).pushLine(line));
    } catch (err) {
      bad++;
      const msg = err instanceof PbxError ? err.message : `unexpected error: ${(err as Error).message}`;
      io.stderr.write(`line ${lineNo}: ${msg}\n`);
    }
  }
  if (bad) io.stderr.write(`replay: ${bad} of ${lineNo} line(s) skipped\n`);
  return 0;
}
