/**
 * `pbxflow replay --platform <opentouch|o2g|telservices|voicenter|auto> [--raw] [FILE]`: raw events (one per line)
 * in, normalized events (JSON lines) out. Bad lines are reported on stderr with their number and skipped.
 *
 * ALE captures enter the pipeline as the live channel's bytes do (`AlePipeline.input`: same line splitting, UTF-8
 * decoding, per-line guard). `auto`: OpenTouch and O2G share the public `On*` form, so the file's chunks are held
 * until a line proves the server (shared/platforms/ale/detect.ts), then all go into that platform's pipeline from
 * the first byte. A capture that never tells
 * is labelled `ale`, with a note asking for --platform. The others (descriptor `replay: 'module'`) come from `cli/platforms/<name>.ts`.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { PbxError } from '../../shared/errors';
import type { PbxEvent } from '../../shared/model/events';
import { detectAleFlavour, type AleFlavour } from '../../shared/platforms/ale/detect';
import { LineSplitter } from '../../shared/platforms/ale/line-splitter';
import { AlePipeline, type AleInput } from '../../shared/platforms/ale/pipeline';
import { PLATFORM_CATALOG, PLATFORM_NAMES, descriptorOf } from '../../shared/platforms/catalog';
import type { PlatformDescriptor } from '../../shared/platforms/descriptor';
import { parseCommand, type CliIo } from '../io';

/** `text` cut at spaces into lines of at most 120 characters, the next lines indented by `indent`. */
function wrap(text: string, indent: number): string {
  const lines = [''];
  for (const word of text.split(/(?<=\S) (?=\S)/)) {
    const line = lines[lines.length - 1];
    if (line.trim() && line.length + 1 + word.length > 120) lines.push(`${' '.repeat(indent)}${word}`);
    else lines[lines.length - 1] = line ? `${line} ${word}` : word;
  }
  return lines.join('\n');
}

export const usage = `usage: pbxflow replay [--platform <${['auto', ...PLATFORM_NAMES].join('|')}>] [--raw] [FILE]

  Reads raw events, one per line, from FILE (or stdin when FILE is absent or -) and prints the normalized events
  as JSON lines. Bad lines are reported on stderr with their number and skipped.
${wrap(`  --platform P   ${['auto (default: OpenTouch or O2G, told from the capture)', ...PLATFORM_CATALOG.map((d: PlatformDescriptor) => (d.replayFormat ? `${d.name} (${d.replayFormat})` : d.name))].join(', ')}`, 17)}
  --raw          include each event's raw PBX events
  Exit codes: 0 done, 1 the file cannot be read, 2 bad usage.
`;

const PLATFORMS: readonly string[] = [...PLATFORM_NAMES, 'auto'];
/** Lines looked at while `auto` cannot tell; past this the capture is labelled `ale` and streamed. */
const MAX_UNDECIDED = 10_000;

/** `end`: what a capture's last, unterminated record gives (AMI: a message without its empty line). */
interface LinePipeline { push(line: string): PbxEvent[]; end?(): PbxEvent[] }

/** The platform's replay pipeline (its descriptor's, else `cli/platforms/<platform>.ts`), loaded only when asked for. */
function platformPipeline(platform: string): LinePipeline | string {
  const own = descriptorOf(platform)?.replayPipeline;
  if (own) return own();
  let mod: { replayPipeline?: () => LinePipeline };
  try {
    mod = require(`../platforms/${platform}`) as { replayPipeline?: () => LinePipeline };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND') return `replay: ${platform} captures are not supported in this build (no cli/platforms/${platform})`;
    return `replay: cannot load the ${platform} support: ${(err as Error).message}`;
  }
  if (typeof mod.replayPipeline !== 'function') return `replay: the ${platform} support has no replay pipeline`;
  return mod.replayPipeline();
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(args, { name: 'replay', usage, flags: ['platform', 'raw'] }, io);
  if (typeof parsed === 'number') return parsed;
  const { flags, positional } = parsed;
  if (positional.length > 1) {
    io.stderr.write(`replay: one FILE at most (got ${positional.length})\n${usage}`);
    return 2;
  }
  const platform = String(flags.platform ?? 'auto');
  if (!PLATFORMS.includes(platform)) {
    io.stderr.write(`replay: --platform must be one of ${PLATFORMS.join(', ')}\n`);
    return 2;
  }
  let other: LinePipeline | undefined;
  if (descriptorOf(platform)?.replay === 'module') {
    const p = platformPipeline(platform);
    if (typeof p === 'string') {
      io.stderr.write(`${p}\n`);
      return 2;
    }
    other = p;
  }
  let input: NodeJS.ReadableStream = io.stdin;
  if (positional[0] && positional[0] !== '-') {
    // Bytes, not text: ALE captures go into the pipeline's own entry, which decodes UTF-8 as the live channel does.
    const file = createReadStream(positional[0]);
    try {
      await new Promise<void>((resolve, reject) => file.once('error', reject).once('open', () => resolve()));
    } catch (err) {
      io.stderr.write(`replay: cannot read ${positional[0]}: ${(err as Error).message}\n`);
      return 1;
    }
    input = file;
  } else if ((io.stdin as { isTTY?: boolean }).isTTY) {
    // Typing events by hand is rare: say what is awaited rather than sit silent.
    io.stderr.write('replay: reading raw events from stdin (one per line; Ctrl-D to end; pbxflow replay --help)\n');
  }
  const { lines, bad } = other ? await replayLines(input, other, io) : await replayAle(input, platform, flags.raw === true, io);
  if (bad) io.stderr.write(`replay: ${bad} of ${lines} line(s) skipped\n`);
  return 0;
}

/** A bad line's report on stderr, by its number in the capture. */
const reportBad = (io: CliIo, n: number, err: unknown): void => {
  const msg = err instanceof PbxError ? err.message : `unexpected error: ${(err as Error).message}`;
  io.stderr.write(`line ${n}: ${msg}\n`);
};

/** The other platforms: line by line through their replay pipeline. */
async function replayLines(input: NodeJS.ReadableStream, p: LinePipeline, io: CliIo): Promise<{ lines: number; bad: number }> {
  let lineNo = 0;
  let bad = 0;
  const write = (events: PbxEvent[]) => {
    for (const e of events) io.stdout.write(`${JSON.stringify(e)}\n`);
  };
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
    try {
      write(p.push(line));
    } catch (err) {
      bad++;
      reportBad(io, lineNo, err);
    }
  }
  if (p.end) write(p.end());
  return { lines: lineNo, bad };
}

/**
 * ALE captures: the file's chunks go into the pipeline's entry (`AlePipeline.input`), the one the live channel and
 * the benchmarks use, so a capture replays as the live channel read it. With `auto`, chunks are held (and their
 * lines peeked at) until a line proves the server; then all of them go in from the first byte.
 */
async function replayAle(input: NodeJS.ReadableStream, platform: string, raw: boolean, io: CliIo): Promise<{ lines: number; bad: number }> {
  let bad = 0;
  let label: string | undefined;
  const write = (events: PbxEvent[]) => {
    for (const e of events) io.stdout.write(`${JSON.stringify(label ? { ...e, platform: label } : e)}\n`);
  };
  const open = (flavour: AleFlavour): AleInput => new AlePipeline({ platform: flavour, includeRaw: raw }).input(write, {
    bad: (error, n) => {
      bad++;
      reportBad(io, n, error);
    },
  });
  let entry: AleInput | undefined = platform === 'opentouch' || platform === 'o2g' ? open(platform) : undefined;
  const held: Array<Buffer | string> = [];
  const peek = new LineSplitter();
  let found: AleFlavour | undefined;
  let undecided = false;
  let text = false;
  const look = { line: (line: string, n: number) => {
    text = true;
    if (found || undecided) return;
    found = detectAleFlavour(line);
    if (!found && n >= MAX_UNDECIDED) undecided = true;
  } };
  const settle = (flavour: AleFlavour | undefined) => {
    if (!flavour) {
      // Both servers send this form: say what is known (the ALE family) rather than guess one of them.
      label = 'ale';
      io.stderr.write('replay: nothing in this capture tells OpenTouch from O2G: events are labelled "ale"; give --platform opentouch or --platform o2g to choose\n');
    }
    const e = open(flavour ?? 'opentouch');
    for (const c of held.splice(0)) e.push(c);
    return e;
  };
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    if (entry) {
      entry.push(chunk);
      continue;
    }
    held.push(chunk);
    peek.feed(chunk, look);
    if (found || undecided) entry = settle(found);
  }
  if (!entry) {
    peek.finish(look);
    if (found || text) entry = settle(found);
  }
  if (!entry) return { lines: peek.count, bad };
  entry.end();
  return { lines: entry.seen, bad };
}
