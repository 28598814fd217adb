/**
 * The Asterisk event pipeline from the first byte: AMI text -> decoder -> normalizer -> tracker -> events. The live
 * driver, `pbxflow replay --platform asterisk` and the benchmark all run this class, so they behave alike.
 */
import type { PbxEvent } from '../../model/events';
import type { Observation } from '../../model/observations';
import { CallTracker, type TrackerOptions } from '../../tracker/tracker';
import { AmiDecoder, type AmiMessage } from './codec';
import { AsteriskNormalizer, type NormalizerOptions } from './normalizer';

export interface AsteriskPipelineOptions extends TrackerOptions, NormalizerOptions {
  /** Messages that are not events for the pipeline (action answers) go here instead; return true when taken. */
  route?: (m: AmiMessage) => boolean;
  /** A message that had to be cut or had a bad line (once per message; the caller rate-limits). */
  onBadMessage?: (why: string, m: AmiMessage) => void;
  onBanner?: (banner: string) => void;
  /** Live sockets start with a banner; captures usually do not. Default false. */
  expectBanner?: boolean;
}

export class AsteriskPipeline {
  readonly tracker: CallTracker;
  readonly normalizer: AsteriskNormalizer;
  private decoder: AmiDecoder;
  private readonly route?: (m: AmiMessage) => boolean;
  private readonly onBad?: (why: string, m: AmiMessage) => void;
  private out: PbxEvent[] = [];

  constructor(o: AsteriskPipelineOptions = {}) {
    this.tracker = new CallTracker(o);
    this.normalizer = new AsteriskNormalizer(o);
    this.route = o.route;
    this.onBad = o.onBadMessage;
    this.decoder = new AmiDecoder((m) => this.take(m), { onBanner: o.onBanner, expectBanner: o.expectBanner ?? false });
  }

  /** Messages decoded so far. */
  get messages(): number {
    return this.decoder.count;
  }

  /** Socket bytes in, events out. */
  pushBytes(chunk: Buffer): PbxEvent[] {
    this.decoder.pushBytes(chunk);
    return this.drain();
  }

  /** Text in (any split: lines, chunks), events out. */
  pushText(text: string): PbxEvent[] {
    this.decoder.push(text);
    return this.drain();
  }

  /** One line of a capture (without its line end): messages complete at the empty line. */
  pushLine(line: string): PbxEvent[] {
    return this.pushText(`${line}\n`);
  }

  /** End of a capture: a last message without its empty line still counts. */
  end(): PbxEvent[] {
    this.decoder.end();
    return this.drain();
  }

  /** One decoded message (also used for list answers taken by the driver). */
  pushMessage(m: AmiMessage): PbxEvent[] {
    this.take(m);
    return this.drain();
  }

  /** Observations the driver built itself (resync snapshots, confirmed routing). */
  pushObservations(obs: Observation[]): PbxEvent[] {
    const out: PbxEvent[] = [];
    for (const o of obs) out.push(...this.tracker.push(o));
    return out;
  }

  sweep(): PbxEvent[] {
    return this.tracker.sweep();
  }

  private take(m: AmiMessage): void {
    if (m.bad) this.onBad?.(m.bad, m);
    if (this.route?.(m)) return;
    try {
      const obs = this.normalizer.push(m);
      for (let i = 0; i < obs.length; i++) {
        const evs = this.tracker.push(obs[i]);
        for (let j = 0; j < evs.length; j++) this.out.push(evs[j]);
      }
    } catch (err) {
      // One message that reached code it should not have costs that message only.
      this.onBad?.(`unreadable ${m.fields.Event ?? 'message'} (${(err as Error)?.message ?? String(err)})`, m);
    }
  }

  /** A new socket: framing starts again (a banner first), the call state stays. */
  restart(onBanner?: (banner: string) => void): void {
    this.decoder = new AmiDecoder((m) => this.take(m), { onBanner, expectBanner: true });
  }

  private drain(): PbxEvent[] {
    if (this.out.length === 0) return [];
    const out = this.out;
    this.out = [];
    return out;
  }
}
