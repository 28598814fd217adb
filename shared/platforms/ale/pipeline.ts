/**
 * The ALE event pipeline: line -> decode -> normalize -> tracker -> events.
 * Used by the live client, the CLI `replay` and the benchmark, so all three behave alike.
 */
import type { PbxEvent } from '../../model/events';
import { CallTracker, type TrackerOptions } from '../../tracker/tracker';
import { decodeAleLine, type AleEvent } from './decoder';
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

export class AlePipeline {
  readonly tracker: CallTracker;
  private readonly ctx: NormalizeContext;

  constructor(readonly options: AlePipelineOptions) {
    this.tracker = options.tracker ?? new CallTracker(options);
    this.ctx = { platform: options.platform, now: options.now ?? Date.now, defaultUser: options.defaultUser, pilotCalls: new PilotCalls(), pilotNames: options.pilotNames };
  }

  /** One line of the event channel. Throws `DecodeError` on a malformed line. */
  pushLine(line: string): PbxEvent[] {
    // One clock read per line: the decoder judges event times by it and the tracker stamps the call with it.
    const now = this.ctx.now();
    const e = decodeAleLine(line, now);
    return e ? this.pushEvent(e, now) : [];
  }

  pushEvent(e: AleEvent, receivedAt: number = this.ctx.now()): PbxEvent[] {
    const obs = normalizeAle(e, this.ctx);
    if (obs.length === 1) return this.tracker.push(obs[0], receivedAt);
    const out: PbxEvent[] = [];
    for (const o of obs) out.push(...this.tracker.push(o, receivedAt));
    return out;
  }
}
