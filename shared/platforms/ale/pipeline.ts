/**
 * The ALE event pipeline: bytes -> lines -> decode -> normalize -> tracker -> events.
 * The live channel, the CLI `replay` and both ALE benchmarks enter it the same way, with the stream's raw chunks
 * (`input()`: line splitting, the per-line guard, bad-line reports), so all of them behave alike from the first
 * byte. `pushLine` is that entry's per-line step, open for tests and programs holding single lines.
 */
import { guardLine } from '../../connection/line-guard';
import { DecodeError } from '../../errors';
import type { PbxEvent } from '../../model/events';
import { CallTracker, type TrackerOptions } from '../../tracker/tracker';
import { decodeAleLine, type AleEvent } from './decoder';
import { LineSplitter, MAX_LINE, type LineSink } from './line-splitter';
import { normalizeAle, type AlePlatform, type NormalizeContext } from './normalizer';
import { PilotCalls } from './pilot-calls';

export interface AlePipelineOptions extends TrackerOptions {
  platform: AlePlatform;
  /** Login for events that carry none (a user session's own events). */
  defaultUser?: string;
  /** A tracker to share (several channels feeding one view); a new one by default. */
  tracker?: CallTracker;
  /** CCD pilot names by number (the pilot events give the number only). */
  pilotNames?: Record<string, string>;
}

/** What one stream's reader hears besides its events; every hook is optional. */
export interface AleInputHooks {
  /** Each line as it comes, before it is decoded; `false` skips it (the live channel's greeting). */
  line?(line: string): boolean | void;
  /** Each decoded event before it is normalized (raw listeners, the live link's own checks). */
  decoded?(event: AleEvent): void;
  /** A line that cost itself only (not an ALE event, unreadable, too long), with its number in the stream. Default: `onWarning`. */
  bad?(error: DecodeError, n: number): void;
}

export class AlePipeline {
  readonly tracker: CallTracker;
  private readonly ctx: NormalizeContext;

  constructor(readonly options: AlePipelineOptions) {
    this.tracker = options.tracker ?? new CallTracker(options);
    this.ctx = { platform: options.platform, now: options.now ?? Date.now, defaultUser: options.defaultUser, pilotCalls: new PilotCalls(), pilotNames: options.pilotNames };
  }

  /**
   * The entry for one stream of the event channel: give it the raw chunks as they come, cut anywhere (inside a
   * line, inside a UTF-8 character); `onEvents` gets each line's events. A new stream takes a new input (a line
   * cut by a broken stream is not continued by the next one); the tracker is the pipeline's.
   */
  input(onEvents: (events: PbxEvent[]) => void, hooks: AleInputHooks = {}): AleInput {
    return new AleInput(this, onEvents, hooks);
  }

  /** One line of the event channel. Throws `DecodeError` on a malformed line. `decoded` sees the event first. */
  pushLine(line: string, decoded?: (event: AleEvent) => void): PbxEvent[] {
    // One clock read per line: the decoder judges event times by it and the tracker stamps the call with it.
    const now = this.ctx.now();
    const e = decodeAleLine(line, now);
    if (!e) return [];
    if (decoded) decoded(e);
    return this.pushEvent(e, now);
  }

  pushEvent(e: AleEvent, receivedAt: number = this.ctx.now()): PbxEvent[] {
    const obs = normalizeAle(e, this.ctx);
    if (obs.length === 1) return this.tracker.push(obs[0], receivedAt);
    const out: PbxEvent[] = [];
    for (const o of obs) out.push(...this.tracker.push(o, receivedAt));
    return out;
  }
}

/** One stream's way into the pipeline (see `AlePipeline.input`). It is its splitter's sink: no closure per line. */
export class AleInput implements LineSink {
  /** Complete lines taken so far (blank and oversized ones not counted). */
  lines = 0;
  private readonly splitter = new LineSplitter();

  constructor(private readonly pipeline: AlePipeline, private readonly onEvents: (events: PbxEvent[]) => void, private readonly hooks: AleInputHooks) {}

  /** Lines of the stream so far, blank and oversized ones included: a capture's line count. */
  get seen(): number {
    return this.splitter.count;
  }

  /** A chunk of the stream, as it came. Returns the number of lines it completed. */
  push(chunk: Buffer | string): number {
    const before = this.lines;
    this.splitter.feed(chunk, this);
    return this.lines - before;
  }

  /** The stream ended: its last line, if it never got its newline. Returns the number of lines that gave (0 or 1). */
  end(): number {
    const before = this.lines;
    this.splitter.finish(this);
    return this.lines - before;
  }

  /**
   * The splitter's: one complete line, `n` its number in the stream. Whatever it does in decode -> normalize ->
   * tracker costs that line only: one report, and the next goes on.
   */
  line(line: string, n: number): void {
    this.lines++;
    const h = this.hooks;
    if (h.line && h.line(line) === false) return;
    let events: PbxEvent[];
    try {
      events = this.pipeline.pushLine(line, h.decoded);
    } catch (err) {
      // The one guard's verdict (a DecodeError with an excerpt of the line), without a closure per good line.
      const g = guardLine(line, () => {
        throw err;
      });
      if (!g.ok) this.reject(g.error, n);
      return;
    }
    if (events.length) this.onEvents(events);
  }

  /** The splitter's: line `n` was longer than a line may be, and is skipped. */
  tooLong(n: number): void {
    this.reject(new DecodeError(`line longer than ${MAX_LINE} bytes: skipped`), n);
  }

  private reject(error: DecodeError, n: number): void {
    if (this.hooks.bad) this.hooks.bad(error, n);
    else this.pipeline.options.onWarning?.(`line ${n}: ${error.message}`);
  }
}
