/**
 * ALE pipeline benchmark: line -> decode -> normalize -> tracker -> events, against plain JSON.parse of the
 * same lines in the same run; memory per live call; memory after 1 M completed calls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAleLine } from '../shared/platforms/ale/decoder';
import { LineSplitter } from '../shared/platforms/ale/line-splitter';
import { AlePipeline, type AleInput } from '../shared/platforms/ale/pipeline';

type Step = { event: Record<string, unknown> | null };

/** Basic-call traces (both dialects), as templates whose call ids and users we vary. */
/**
 * `public`: every line in the `On*` form servers send (O2G traces rewritten the way the decoder reads them);
 * `mixed`: the O2G traces kept in their internal `RTSM_*` form, as in captures.
 */
export type LineForm = 'public' | 'mixed';

function templates(form: LineForm): string[][] {
  const dir = join(__dirname, '..', '..', 'test', 'fixtures', 'scenarios');
  const toPublic = (line: string): string => {
    const e = decodeAleLine(line) as Record<string, unknown>;
    const { name: _name, id: _id, userState: _s, participantIds: _p, eventName, loginName, ...rest } = e;
    return JSON.stringify({ eventName, loginName, ...rest });
  };
  const read = (f: string) =>
    (JSON.parse(readFileSync(join(dir, f), 'utf8')).steps as Step[]).filter((s) => s.event).map((s) => JSON.stringify(s.event))
      .map((l) => (form === 'public' && l.includes('"RTSM_') ? toPublic(l) : l));
  return [read('oxe/01-basic-call.json'), read('icm/01-basic-call.json'), read('oxe/08-caller-hangs-up-while-ringing.json')];
}

/** Lines of `calls` calls, each with its own call reference, spread over 200 user pairs. */
export function makeLines(calls: number, form: LineForm = 'mixed'): string[] {
  const tpl = templates(form);
  const out: string[] = [];
  for (let i = 0; i < calls; i++) {
    const t = tpl[i % tpl.length];
    const ref = `c${i.toString(16).padStart(12, '0')}`;
    const pair = i % 200;
    for (const l of t) {
      out.push(l.replace(/"(a4032a5739010100|e155fe5632030100|G1|C1)"/g, `"${ref}"`)
        .replace(/(oxe7002[0-2]|icm100[12])/g, (m) => `${m}_${pair}`));
    }
  }
  return out;
}

const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) { g(); g(); }
}

/**
 * Throughput as a stream sees it: a batch of lines (about 9 MB) run again and again through a fresh pipeline, and
 * through JSON.parse alone, alternately, so both face the same heap. Holding hundreds of MB of input at once would
 * mostly measure the garbage collector walking the input, which a socket never keeps. The pipeline is entered as
 * the live channel enters it: the batch's bytes in socket-sized chunks (`AlePipeline.input`). Its speed is given
 * against JSON.parse of lines handed over ready (the splitting counted against the pipeline only), and against
 * JSON.parse of the lines split from the same bytes (like for like: both start from the channel's bytes).
 */
export function benchThroughput(form: LineForm = 'mixed', calls = 2_000, rounds = 40): Record<string, number | string> {
  const lines = makeLines(calls, form);
  const chunks = asChunks(lines);
  const fromBytes = () => {
    let parsed = 0;
    const splitter = new LineSplitter();
    const sink = { line: (l: string) => (parsed += (JSON.parse(l) as object) ? 1 : 0) };
    return () => {
      for (const c of chunks) splitter.feed(c, sink);
      splitter.finish(sink);
      return parsed;
    };
  };
  return measure(lines, rounds, () => {
    let events = 0;
    const input = new AlePipeline({ platform: 'o2g' }).input((e) => (events += e.length));
    return () => {
      for (const c of chunks) input.push(c);
      input.end();
      return events;
    };
  }, fromBytes);
}

/** Lines as an event channel's bytes (newline-delimited), cut into reads of `size` bytes wherever they fall. */
export function asChunks(lines: string[], size = 64 * 1024): Buffer[] {
  const all = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.subarray(i, i + size));
  return out;
}

/**
 * The measuring loop of a line pipeline against JSON.parse of the same lines: warm-up, then rounds alternating
 * JSON.parse alone and a fresh pipeline (`fresh()`), so both face the same heap. Shared by every line platform.
 */
export function measureVsParse(lines: string[], fresh: () => { pushLine(line: string): unknown[] }, rounds: number): Record<string, number | string> {
  return measure(lines, rounds, () => {
    const p = fresh();
    return () => {
      let events = 0;
      for (const l of lines) events += p.pushLine(l).length;
      return events;
    };
  });
}

/**
 * `prepare()` sets up a fresh pipeline (not timed) and gives the timed run over the batch, which counts its events.
 * `splitParse()`, when the pipeline starts from bytes: the same for JSON.parse of the lines split from those bytes
 * (it counts the lines parsed), a second baseline.
 */
function measure(lines: string[], rounds: number, prepare: () => () => number, splitParse?: () => () => number): Record<string, number | string> {
  const bytes = lines.reduce((n, l) => n + l.length, 0);
  for (const l of lines) JSON.parse(l); // flatten the built strings before timing either side
  for (let i = 0; i < 3; i++) {
    prepare()();
    splitParse?.()();
  }
  let parseMs = 0;
  let splitMs = 0;
  let pipeMs = 0;
  let events = 0;
  let sink = 0;
  let split = 0;
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    for (const l of lines) sink += (JSON.parse(l) as object) ? 1 : 0;
    parseMs += performance.now() - t;
    if (splitParse) {
      const run = splitParse();
      t = performance.now();
      split += run();
      splitMs += performance.now() - t;
    }
    const run = prepare();
    t = performance.now();
    events += run();
    pipeMs += performance.now() - t;
  }
  if (sink !== lines.length * rounds || (splitParse && split !== sink)) throw new Error('bench: parse loop lost lines');
  const total = lines.length * rounds;
  const ratio = (ms: number) => Math.round((ms / pipeMs) * 100) / 100;
  return {
    'lines per round': lines.length,
    rounds,
    'MB per round': mb(bytes),
    events,
    'JSON.parse lines/s': Math.round(total / (parseMs / 1000)),
    ...(splitParse ? { 'split + JSON.parse lines/s (same bytes)': Math.round(total / (splitMs / 1000)) } : {}),
    'pipeline lines/s': Math.round(total / (pipeMs / 1000)),
    'pipeline events/s': Math.round(events / (pipeMs / 1000)),
    'pipeline speed vs JSON.parse (target >= 0.5)': ratio(parseMs),
    ...(splitParse ? { 'pipeline speed vs split + JSON.parse (same bytes)': ratio(splitMs) } : {}),
  };
}

/** Memory per live call: calls that rang and were answered (or still ring), none ended. */
export function benchLiveCalls(liveCalls = 20_000): Record<string, number | string> {
  const ends = /OnCallRemoved|RTSM_CALL_REMOVED|RTSM_PARTICIPANT_REMOVED|removedParticipantIds/;
  const lines = makeLines(liveCalls).filter((l) => !ends.test(l));
  for (const l of lines) JSON.parse(l); // flattens the built strings now, so that is not counted as a saving
  const chunks = asChunks(lines);
  const p = new AlePipeline({ platform: 'o2g' });
  gc();
  const before = process.memoryUsage().heapUsed;
  const input = p.input(() => undefined);
  for (const c of chunks) input.push(c);
  input.end();
  gc();
  const perCall = (process.memoryUsage().heapUsed - before) / Math.max(1, p.tracker.size);
  // `lines` is read again here so the optimizer cannot free the input inside the measured window.
  return { 'input lines': lines.length, 'live calls tracked': p.tracker.size, 'bytes per live call (target <= 2048)': Math.round(perCall) };
}

/**
 * The batch with its calls made new, as one chunk of text. A function of its own: the batch's text dies with its
 * frame (a loop's dead local would keep the last one, tens of MB, on the heap being measured).
 */
function pushBatch(input: AleInput, batch: string[], suffix: string): void {
  input.push(`${batch.map((l) => l.replace(/"(c[0-9a-f]{12})"/, `"$1${suffix}"`)).join('\n')}\n`);
}

/** 1 M completed calls through one pipeline: the heap must come back to where it started. */
export function benchCompletedCalls(completed = 1_000_000): Record<string, number | string> {
  const q = new AlePipeline({ platform: 'o2g' });
  const input = q.input(() => undefined);
  const batch = makeLines(10_000);
  for (const c of asChunks(batch)) input.push(c); // warm: the pipeline's fixed-size structures fill here
  gc();
  const baseline = process.memoryUsage().heapUsed;
  const t = performance.now();
  for (let done = 10_000; done < completed; done += 10_000) pushBatch(input, batch, `_${done}`);
  const secs = (performance.now() - t) / 1000;
  gc();
  const after = process.memoryUsage().heapUsed;
  if (batch.length === 0) throw new Error('bench: empty batch'); // keeps `batch` alive through the measurement
  return {
    'completed calls': completed,
    'completed calls/s': Math.round((completed - 10_000) / secs),
    'calls still tracked after 1M completed': q.tracker.size,
    'heap baseline MB': mb(baseline),
    'heap after 1M completed MB': mb(after),
    'heap growth MB (target ~0)': mb(after - baseline),
  };
}
