/**
 * The TelServices event pipeline: datagram -> PDUs -> (per PDU, guarded) decode -> dedupe -> normalize -> tracker.
 * Used by the live connection, `pbxflow replay` and the benchmark, so all three behave alike.
 */
import { guardLine } from '../../connection/line-guard';
import { DecodeError } from '../../errors';
import type { ConnectionStateInfo, PbxEvent } from '../../model/events';
import { eventId } from '../../model/ids';
import type { Observation } from '../../model/observations';
import { CallTracker, type TrackerOptions } from '../../tracker/tracker';
import { decodeEvent, splitPdus } from './codec';
import { TelServicesNormalizer, type Normalized, type NormalizerLimits, type SessionSignal } from './normalizer';
import type { TsEvent, TsSnapshot } from './types';

export interface TelServicesPipelineOptions extends TrackerOptions, NormalizerLimits {
  /** Device for events without `deviceNumber` when the caller gives none (replay of one device's capture). */
  defaultDevice?: string;
  endOfMessage?: string;
  tracker?: CallTracker;
  /** A PDU identical to the device's previous one within this window counts once (UDP may duplicate). Default 2 s. */
  dedupeWindowMs?: number;
}

export interface DatagramResult {
  events: PbxEvent[];
  errors: DecodeError[];
  sessions: SessionSignal[];
  /** Devices whose events suggest a loss: worth a snapshot. */
  gaps: string[];
  duplicates: number;
  /** PDUs naming another device than the port's (dropped), and the first such number. */
  foreign: number;
  foreignDevice?: string;
}

/** Session events in replay: what they would do to a live connection. */
const SESSION_STATE: Record<string, ConnectionStateInfo['state']> = {
  pbxlinkOutOfService: 'reconnecting',
  pbxlinkInService: 'connected',
  sessionClosedByAdmin: 'reconnecting',
  sessionClosedByTimeout: 'reconnecting',
  sessionClosedByMonitoringReject: 'reconnecting',
  sessionClosedByClient: 'disconnected',
};

export class TelServicesPipeline {
  readonly tracker: CallTracker;
  readonly normalizer: TelServicesNormalizer;
  private readonly now: () => number;
  private readonly recent = new Map<string, { pdu: string; time: number }>();
  private readonly window: number;

  constructor(readonly options: TelServicesPipelineOptions = {}) {
    this.now = options.now ?? Date.now;
    this.tracker = options.tracker ?? new CallTracker(options);
    this.normalizer = new TelServicesNormalizer(this.now, options);
    this.window = options.dedupeWindowMs ?? 2000;
  }

  /**
   * One datagram (or TCP chunk) for `device` (the session whose port it came to). Several PDUs may be in it; a bad
   * one costs itself only and comes back in `errors`. With `device` given, the port says whose event it is: a PDU
   * naming another device is dropped (counted in `foreign`), since nobody monitors that one on this port.
   */
  pushDatagram(data: string, device?: string): DatagramResult {
    const out: DatagramResult = { events: [], errors: [], sessions: [], gaps: [], duplicates: 0, foreign: 0 };
    for (const pdu of splitPdus(data, this.options.endOfMessage)) {
      const r = guardLine(pdu, () => {
        const time = this.now();
        const e = decodeEvent(pdu);
        if (device !== undefined && e.deviceNumber !== undefined && e.deviceNumber !== device) {
          out.foreign++;
          out.foreignDevice ??= e.deviceNumber.slice(0, 40);
          return null;
        }
        const dev = e.deviceNumber ?? device ?? this.options.defaultDevice;
        if (!dev) throw new DecodeError('event without deviceNumber, and no session to attribute it to', pdu);
        if (this.duplicate(dev, pdu, time)) return undefined;
        return this.apply(this.normalizer.event(e, dev, time));
      });
      if (!r.ok) out.errors.push(r.error);
      else if (r.value === null) continue;
      else if (r.value === undefined) out.duplicates++;
      else {
        for (const ev of r.value.events) out.events.push(ev);
        for (const s of r.value.sessions) out.sessions.push(s);
        if (r.value.gap) out.gaps.push(r.value.device);
      }
    }
    return out;
  }

  /** One decoded event (tests, the snapshot long poll's diffs). */
  pushEvent(e: TsEvent, device: string): PbxEvent[] {
    return this.apply(this.normalizer.event(e, e.deviceNumber ?? device, this.now())).events;
  }

  /**
   * A snapshot of `device`, reconciled with the tracker (calls gone meanwhile end as `endedDuringOutage`); calls
   * events spoke of since `askedAt` (when the snapshot was requested) are newer than it and kept.
   */
  pushSnapshot(s: TsSnapshot, device: string, askedAt?: number): PbxEvent[] {
    return this.apply(this.normalizer.snapshot(s, device, this.now(), askedAt)).events;
  }

  /** A long-poll answer for `device`: compared with the previous one as events (see the normalizer's `poll`). */
  pushPoll(s: TsSnapshot, device: string): { events: PbxEvent[]; sessions: SessionSignal[] } {
    const r = this.apply(this.normalizer.poll(s, device, this.now()));
    return { events: r.events, sessions: r.sessions };
  }

  /**
   * One line of a replay file: one `TelServiceEvent` document. Session events become `connection.state` events as
   * they would on a live connection. Throws DecodeError on a bad line.
   */
  pushLine(line: string): PbxEvent[] {
    const r = this.pushDatagram(line);
    if (r.errors.length) throw r.errors[0];
    for (const s of r.sessions) {
      const state = SESSION_STATE[s.session];
      if (!state) continue;
      const connection: ConnectionStateInfo = { state, reason: s.session };
      r.events.push({ id: eventId(['telservices', s.device, 'connection.state', s.session, s.time]), type: 'connection.state', platform: 'telservices', user: s.device, time: new Date(s.time).toISOString(), connection });
    }
    return r.events;
  }

  private apply(n: Normalized): { events: PbxEvent[]; sessions: SessionSignal[]; gap: boolean; device: string } {
    const events: PbxEvent[] = [];
    let device = '';
    if (n.baseline) for (const o of n.baseline) this.tracker.push(o);
    for (const o of n.observations) {
      device = userOf(o) ?? device;
      for (const e of this.tracker.push(o)) events.push(e);
    }
    return { events, sessions: n.sessions, gap: n.gap, device };
  }

  /**
   * The same PDU text as the device's previous one, within the window: a duplicated datagram. Only the previous
   * one: the same text legitimately comes back later (connected, hold, connected again).
   */
  private duplicate(device: string, pdu: string, time: number): boolean {
    const last = this.recent.get(device);
    if (last && last.pdu === pdu && time - last.time <= this.window) return true;
    this.recent.set(device, { pdu, time });
    return false;
  }
}

function userOf(o: Observation): string | undefined {
  return o.kind === 'direct' ? o.event.user : o.user;
}
