/**
 * The Voicenter event pipeline: socket.io event -> normalize -> tracker -> events, with each call's Voicenter
 * fields (`call.extra`) on every event of the call. Used by the live client, `pbxflow replay` and the benchmark,
 * so all three behave alike.
 */
import type { PbxEvent } from '../../model/events';
import { CallTracker, type TrackerOptions } from '../../tracker/tracker';
import { QueueWaits, VoicenterCalls } from './call-state';
import type { ServerClock } from './clock';
import { decodeVoicenterLine, type VoicenterEvent } from './decoder';
import { normalizeVoicenter, type VoicenterContext } from './normalizer';

export class VoicenterPipeline {
  readonly tracker: CallTracker;
  private readonly ctx: VoicenterContext;

  /** `clock`: the live client's calibration of the server's epochs (replay and bench read them as sent). */
  constructor(options: TrackerOptions & { clock?: ServerClock } = {}) {
    const { clock, ...tracker } = options;
    this.tracker = new CallTracker(tracker);
    this.ctx = { now: options.now ?? Date.now, calls: new VoicenterCalls(), queues: new QueueWaits(), extensions: new Set(), clock };
  }

  /** Calls whose Voicenter fields are held (for tests: ended calls must not stay). */
  get heldCalls(): number {
    return this.ctx.calls.size;
  }

  /** One line holding a socket.io event array. Throws `DecodeError` on a malformed line. */
  pushLine(line: string): PbxEvent[] {
    const e = decodeVoicenterLine(line);
    return e ? this.pushEvent(e) : [];
  }

  pushEvent(e: VoicenterEvent): PbxEvent[] {
    const obs = normalizeVoicenter(e, this.ctx);
    if (obs.length === 0) return [];
    const out = this.decorate(obs.length === 1 ? this.tracker.push(obs[0]) : obs.flatMap((o) => this.tracker.push(o)));
    // A hang-up of a call the tracker never knew gives no call.ended: forget its fields all the same.
    for (const o of obs) if (o.kind === 'call' && o.removed) this.ctx.calls.delete(o.user, o.callId);
    return out;
  }

  /** Calls with no news for too long end (the connection runs this on a timer). */
  sweep(): PbxEvent[] {
    return this.decorate(this.tracker.sweep());
  }

  private decorate(events: PbxEvent[]): PbxEvent[] {
    let ended: PbxEvent[] | undefined;
    for (const ev of events) {
      const call = ev.call;
      if (!call) continue;
      const st = this.ctx.calls.get(ev.user, call.id);
      // A copy per event: consumers (Node-RED function nodes...) may change what they receive.
      if (st?.hasExtra) call.extra = copy(st.extra);
      if (ev.type === 'call.ended') (ended ??= []).push(ev);
    }
    // Forgotten after the batch: call.missed follows call.ended and carries the same fields.
    if (ended) for (const ev of ended) this.ctx.calls.delete(ev.user, ev.call!.id);
    return events;
  }
}

function copy(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) {
    const v = o[k];
    out[k] = v !== null && typeof v === 'object' ? { ...(v as object) } : v;
  }
  return out;
}
