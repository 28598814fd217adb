/**
 * The call tracker: platform-neutral, per-user call state. Observations in, `PbxEvent`s out.
 * It is the one place that decides what "answered", "missed" or "ended" means, for every platform.
 */
import { EVENT_TYPES, MISSED_REASONS, type CallInfo, type EventType, type Party, type PbxEvent, type Platform } from '../model/events';
import { eventId, eventIdOf, idSeed, type IdSeed } from '../model/ids';
import type { CallObservation, Cause, DirectObservation, LegState, Observation, Participant, SnapshotObservation } from '../model/observations';
import { endReasonOf } from './end-reason';
import { CallTable, isEnded, type EndedEntry } from './call-table';
import { RecentIds } from './recent-ids';
import { AnsweredCalls, callWideId } from './answered-elsewhere';

export interface TrackerOptions {
  /** Attach the source events to each derived event (costs memory per live call). */
  includeRaw?: boolean;
  /** Calls with no news for this long end with `endReason: unknown`. Default 4 h. */
  callTtlMs?: number;
  /** Clock, for observations that carry no time of their own and for expiry. */
  now?: () => number;
  /** Who a monitored user is (number, name), for the `from`/`to` of their own side. */
  selfParty?: (user: string) => Party | undefined;
  /** Most participants (and legs) one call keeps; more are cut and reported through `onWarning`. Default 200. */
  maxParties?: number;
  /** Told about cuts (a call with too many participants or legs). */
  onWarning?: (message: string) => void;
  /** How long an ended call is remembered so that late events for it create nothing. Default 5 min. */
  endedMemoryMs?: number;
}

interface Leg {
  device: string;
  state: LegState;
}

interface CallRecord {
  platform: Platform;
  user: string;
  callId: string;
  globalId?: string;
  /** Call-wide id when neither `callId` nor `globalId` is one (see `CallInfo.callKey`). */
  callKey?: string;
  /** Its answer is in `answers` (noted once). */
  answerNoted?: boolean;
  /** First seen in a resync snapshot: it began earlier than `startedAt` says. */
  inProgressAtConnect?: boolean;
  /** Hash of the parts that identify the call (platform, user, ids), so each event id hashes only its own parts. */
  seed?: IdSeed;
  direction: 'incoming' | 'outgoing';
  /** The data said which way the call goes (never a default): until then the call is not announced. */
  directionKnown: boolean;
  /** First seen past its start (answered, held): it can end, never be missed. */
  lateStart: boolean;
  /** Answered while its direction was unknown: `call.answered` follows the announcement. */
  answerUnsaid?: boolean;
  announced: boolean;
  legs: Leg[];
  participants: Participant[];
  /** The other party as last known: kept after they leave, so the summary still names them. */
  peer?: Party;
  initialCalled?: Party;
  device?: string;
  startedAt: number;
  /** ISO texts kept once: formatting dates per event is a visible cost at 100k events/s. */
  startedIso: string;
  answeredAt?: number;
  answeredIso?: string;
  lastSeen: number;
  answered: boolean;
  held: boolean;
  conferenced: boolean;
  anonymous: boolean;
  remoteLeftCause?: Cause;
  /** Occurrences of repeatable event types (held/retrieved), for stable ids. */
  holds: number;
  retrieves: number;
  previousIds?: string[];
  capabilities?: string[];
}

/** Who replaced whom on a call, as seen by one user; lets another user's view learn the target. */
interface Replacement {
  party: Party;
  cause: Cause;
  time: number;
}

const DEFAULT_TTL = 4 * 3600_000;
const DEFAULT_MAX_PARTIES = 200;
const AHEAD_MS = 24 * 3600_000;
/** Above this many legs/participants, merges index by id (a Map) rather than scan. */
const SCAN_LIMIT = 8;
// ISO texts for event times: consecutive events share the minute, so format the minute once and append
// seconds and milliseconds (Date#toISOString per event showed up as several percent of the pipeline).
let minuteStart = NaN;
let minutePrefix = '';
const iso = (time: number): string => {
  const ms = Math.floor(time);
  const offset = ms - minuteStart;
  if (!(offset >= 0 && offset < 60_000)) {
    minuteStart = ms - (((ms % 60_000) + 60_000) % 60_000);
    minutePrefix = new Date(minuteStart).toISOString().slice(0, 17);
    return iso(ms);
  }
  const sec = Math.floor(offset / 1000);
  const milli = offset - sec * 1000;
  return `${minutePrefix}${sec < 10 ? '0' : ''}${sec}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
};
const TYPE_INDEX = new Map<EventType, number>(EVENT_TYPES.map((t, i) => [t, i]));
const seconds = (ms: number): number => Math.max(0, Math.round(ms / 1000));

export class CallTracker {
  private readonly calls: CallTable<CallRecord>;
  private readonly replacements = new Map<string, Replacement>();
  /** Per user, per state kind (and subject): the last value and how many changes so far, for ids and on-change. */
  private readonly lastDirect = new Map<string, Map<string, { key: string; n: number; seed: IdSeed }>>();
  private readonly recent = new RecentIds();
  /** Calls a monitored user answered (incoming), so that the others they rang end `answered_elsewhere`. */
  private readonly answers: AnsweredCalls;
  private readonly ttl: number;
  private readonly now: () => number;
  /**
   * Keep source events with each call (for consumers that asked for them). Can be switched on and off while running:
   * a connection keeps them only while someone wants them, since they cost memory per live call.
   */
  includeRaw: boolean;
  private readonly selfParty?: (user: string) => Party | undefined;
  private lastSweep: number;
  private readonly pending: Array<'answered' | 'held' | 'retrieved'> = [];
  private readonly maxParties: number;
  private readonly onWarning?: (message: string) => void;
  /** The source event of the observation being applied: events carry the raw events of their own step only. */
  private stepRaw?: unknown[];
  /** The local time of the observation being applied (one clock read per push). */
  private receivedAt = 0;

  constructor(options: TrackerOptions = {}) {
    this.ttl = options.callTtlMs ?? DEFAULT_TTL;
    this.now = options.now ?? Date.now;
    this.includeRaw = options.includeRaw ?? false;
    this.selfParty = options.selfParty;
    this.maxParties = Math.max(1, options.maxParties ?? DEFAULT_MAX_PARTIES);
    this.onWarning = options.onWarning;
    this.calls = new CallTable<CallRecord>({ endedCapacity: 10_000, endedWindowMs: options.endedMemoryMs ?? 5 * 60_000 });
    this.answers = new AnsweredCalls(10_000, options.endedMemoryMs ?? 5 * 60_000);
    this.lastSweep = this.now();
  }

  /** Live calls across all users. */
  get size(): number {
    return this.calls.size;
  }

  /** The calls a user has now, as the tracker believes. */
  callsOf(user: string): CallInfo[] {
    const out: CallInfo[] = [];
    for (const rec of this.calls.of(user)) out.push(this.info(rec));
    return out;
  }

  /** Applies one observation. `receivedAt`: when its source arrived (local clock), if the caller read it already. */
  push(obs: Observation, receivedAt?: number): PbxEvent[] {
    const out: PbxEvent[] = [];
    const now = (this.receivedAt = receivedAt ?? this.now());
    // A time no clock could show (a PBX clock in microseconds, NaN) is not believed: the receive time stands in.
    // (Old captures keep their times; nothing ahead of the local clock by more than a day is believed.)
    if (!(typeof obs.time === 'number' && obs.time >= 0 && obs.time <= now + AHEAD_MS)) obs.time = now;
    // Raw events of an earlier step (one that threw half-way) must not reach this one's events.
    this.stepRaw = undefined;
    switch (obs.kind) {
      case 'call': this.onCall(obs, out); break;
      case 'direct': this.onDirect(obs, out); break;
      case 'snapshot': this.onSnapshot(obs, out); break;
    }
    // Expiry runs on the local clock only (a connection also runs `sweep` on a timer): what a PBX says the time
    // is never ends calls nor stops expiry.
    if (now - this.lastSweep > 60_000) out.push(...this.sweep(now));
    return out;
  }

  /** Ends calls that have had no news (by the local clock) for longer than the TTL (`endReason: unknown`). */
  sweep(now = this.now()): PbxEvent[] {
    this.lastSweep = now;
    const out: PbxEvent[] = [];
    for (const rec of this.calls.all()) {
      if (now - rec.lastSeen > this.ttl) this.end(rec, now, undefined, out, { expired: true });
    }
    for (const [k, r] of this.replacements) if (now - r.time > this.ttl) this.replacements.delete(k);
    this.calls.pruneEnded(now);
    this.answers.prune(now);
    return out;
  }

  // ---- calls ---------------------------------------------------------------------------------------------

  private onCall(obs: CallObservation, out: PbxEvent[], fromSnapshot = false): void {
    if (obs.previousCallId) this.mergePrevious(obs, out);
    const found = this.calls.entry(obs.user, obs.callId);
    let rec = found === undefined || isEnded(found) ? undefined : found;
    if (!rec) {
      if (obs.removed) return; // the end of a call we never saw begin: nothing to say
      const gone = found ? this.calls.endedWithin(found as EndedEntry, this.receivedAt) : undefined;
      if (gone) {
        // Late news of a call that has ended (queued while the channel was down, after the resync ended it): nothing.
        // The same reference under another platform-wide id is a new call.
        if (!(obs.globalId && gone.globalId && obs.globalId !== gone.globalId)) return;
        this.calls.forget(obs.user, obs.callId);
      }
      // First seen going away (every state it names is releasing): as for an end, nothing to say.
      if (allReleasing(obs)) return;
      rec = this.create(obs);
      if (fromSnapshot) rec.inProgressAtConnect = true;
      this.calls.set(rec);
    }
    // Receive time, not the event's: expiry must not depend on the PBX clock.
    rec.lastSeen = this.receivedAt;
    if (obs.globalId && obs.globalId !== rec.globalId) {
      rec.globalId = obs.globalId;
      rec.seed = undefined;
    }
    if (obs.callKey) rec.callKey = obs.callKey;
    if (obs.anonymous) rec.anonymous = true;
    if (obs.initialCalled && !rec.initialCalled) rec.initialCalled = obs.initialCalled;
    if (obs.capabilities) rec.capabilities = obs.capabilities;
    this.stepRaw = this.includeRaw && obs.raw !== undefined ? [obs.raw] : undefined;

    this.applyParticipants(rec, obs);
    // One scratch list reused for every event: most events change nothing, and this runs per event.
    const pending = this.pending;
    pending.length = 0;
    this.applyLegs(rec, obs, pending);
    if (!rec.directionKnown) this.learnDirection(rec, obs);
    if (rec.answered && !rec.answerNoted && rec.direction === 'incoming' && rec.directionKnown && rec.answeredAt !== undefined) {
      rec.answerNoted = true;
      this.answers.add(callWideId(rec.callId, rec.globalId, rec.callKey), { platform: rec.platform, user: rec.user, at: rec.answeredAt });
    }
    // A call whose direction nothing has told yet is not announced (nor are its steps): nothing is said by default.
    // An answer seen meanwhile is said once the call is announced.
    if (!rec.directionKnown) {
      if (pending.includes('answered')) rec.answerUnsaid = true;
      pending.length = 0;
    }

    if (!rec.announced && rec.directionKnown && (rec.direction === 'incoming' || this.remote(rec) || obs.removed || pending.length > 0 || this.pastDialing(rec))) {
      rec.announced = true;
      out.push(this.event(rec, rec.direction === 'incoming' ? 'call.incoming' : 'call.outgoing', obs.time, 0));
      if (rec.answerUnsaid) {
        rec.answerUnsaid = undefined;
        out.push(this.event(rec, 'call.answered', obs.time, 0));
      }
    }
    for (const p of pending) {
      if (p === 'answered') out.push(this.event(rec, 'call.answered', obs.time, 0));
      else if (p === 'held') out.push(this.event(rec, 'call.held', obs.time, ++rec.holds));
      else out.push(this.event(rec, 'call.retrieved', obs.time, ++rec.retrieves));
    }
    if (obs.cause === 'conferenced' && rec.answered && !rec.conferenced && rec.participants.length >= 2) {
      rec.conferenced = true;
      out.push(this.event(rec, 'call.conferenced', obs.time, 0));
    }
    if (obs.removed) this.end(rec, obs.time, obs.cause ?? rec.remoteLeftCause, out, { newDestination: obs.newDestination });
  }

  private create(obs: CallObservation): CallRecord {
    let started = false;
    let answered = false;
    let byState: 'incoming' | 'outgoing' | undefined;
    const n = stateCount(obs);
    for (let i = 0; i < n; i++) {
      const s = stateAt(obs, i);
      const d = directionOfState(s);
      if (d) started = true;
      byState ??= d;
      if (s === 'active' || s === 'held') answered = true;
    }
    const direction = byState ?? obs.direction ?? this.directionFromData(obs.user, obs);
    return {
      platform: obs.platform,
      user: obs.user,
      callId: obs.callId,
      globalId: obs.globalId,
      direction: direction ?? 'incoming',
      directionKnown: direction !== undefined,
      lateStart: answered && !started,
      announced: false,
      legs: [],
      participants: [],
      startedAt: obs.time,
      startedIso: iso(obs.time),
      lastSeen: this.receivedAt,
      answered: false,
      held: false,
      conferenced: false,
      anonymous: false,
      holds: 0,
      retrieves: 0,
    };
  }

  /** `callId` replaces `previousCallId` (conference merge): carry the old record over, or end it if both exist. */
  private mergePrevious(obs: CallObservation, out: PbxEvent[]): void {
    const old = this.calls.get(obs.user, obs.previousCallId!);
    if (!old) return;
    this.calls.delete(obs.user, old.callId);
    const current = this.calls.get(obs.user, obs.callId);
    if (!current) {
      old.previousIds = [...(old.previousIds ?? []), old.callId];
      old.callId = obs.callId;
      old.seed = undefined;
      this.calls.set(old);
      return;
    }
    // The user had both calls: the old one goes on inside the other; end it so every call has its summary.
    this.end(old, obs.time, undefined, out, { mergedInto: obs.callId });
  }

  private applyParticipants(rec: CallRecord, obs: CallObservation): void {
    const removed = obs.removedParticipants;
    const added = obs.addedParticipants;
    // Most events (leg state changes) touch no participant: leave at once.
    if (!obs.participants && !removed && !added && !obs.modifiedParticipants) return;
    // Linear in the sizes involved (a Map index for big lists), and capped: a 40 000-participant event must not
    // block the event loop nor grow one call without bound.
    let cut = 0;
    if (obs.participants) {
      rec.participants = obs.participants.slice(0, this.maxParties);
      cut += obs.participants.length - rec.participants.length;
    }
    if (removed?.length) {
      if (removed.length > SCAN_LIMIT) {
        const gone = new Set(removed);
        rec.participants = rec.participants.filter((p) => !gone.has(p.id));
      } else rec.participants = rec.participants.filter((p) => !removed.includes(p.id));
    }
    if (added || obs.modifiedParticipants) {
      const map = indexMap(rec.participants, partKey, (added?.length ?? 0) + (obs.modifiedParticipants?.length ?? 0));
      if (added) {
        for (const p of added) {
          const i = findKey(rec.participants, partKey, p.id, map);
          if (i >= 0) rec.participants[i] = p;
          else if (rec.participants.length < this.maxParties) {
            // Push first: `map?.set(k, push())` would skip the push when there is no map.
            const at = rec.participants.push(p) - 1;
            map?.set(p.id, at);
          }
          else cut++;
        }
      }
      if (obs.modifiedParticipants) {
        for (const p of obs.modifiedParticipants) {
          const i = findKey(rec.participants, partKey, p.id, map);
          if (i >= 0) rec.participants[i] = { ...rec.participants[i], ...p };
        }
      }
    }
    if (cut > 0) this.onWarning?.(`call ${rec.callId} of ${rec.user}: ${cut} participant(s) beyond the ${this.maxParties} kept per call were dropped`);
    const replaced = !!removed?.length && !!added?.length;
    if (replaced && (obs.cause === 'redirected' || obs.cause === 'transferred')) {
      // Someone else's view of a redirect/transfer: remember the target for the user who let the call go.
      this.replacements.set(obs.callId, { party: toParty(added![0]), cause: obs.cause, time: obs.time });
    }
    if (removed?.length && !added?.length && rec.participants.length === 0) rec.remoteLeftCause = obs.cause ?? 'cleared';
    // The peer is the first party; a redirect/transfer seen from this side replaces it.
    if (rec.participants.length && (!rec.peer || replaced)) rec.peer = toParty(rec.participants[0]);
    for (const p of rec.participants) if (p.anonymous) rec.anonymous = true;
  }


  private applyLegs(rec: CallRecord, obs: CallObservation, pending: Array<'answered' | 'held' | 'retrieved'>): void {
    let legs = obs.legs;
    // Some events give only the call's state; read it as the state of the leg we know.
    if (!legs && obs.callState && rec.legs.length === 0) legs = [{ device: rec.device ?? '', state: obs.callState }];
    const map = legs ? indexMap(rec.legs, legKey, legs.length) : undefined;
    let cut = 0;
    if (legs) for (const leg of legs) {
      const i = findKey(rec.legs, legKey, leg.device, map);
      if (i >= 0) rec.legs[i] = { device: leg.device, state: leg.state };
      else if (rec.legs.length < this.maxParties) {
        const at = rec.legs.push({ device: leg.device, state: leg.state }) - 1;
        map?.set(leg.device, at);
      }
      else {
        cut++;
        continue;
      }
      if (!rec.device && leg.device) rec.device = leg.device;
      if (leg.state === 'active') {
        if (!rec.answered) {
          rec.answered = true;
          rec.answeredAt = obs.time;
          rec.answeredIso = iso(obs.time);
          if (leg.device) rec.device = leg.device;
          pending.push('answered');
        } else if (rec.held) {
          rec.held = false;
          pending.push('retrieved');
        }
      } else if (leg.state === 'held' && rec.answered && !rec.held) {
        rec.held = true;
        pending.push('held');
      }
    }
    if (obs.removedLegs?.length) {
      const gone = new Set(obs.removedLegs);
      rec.legs = rec.legs.filter((l) => !gone.has(l.device));
    }
    if (cut > 0) this.onWarning?.(`call ${rec.callId} of ${rec.user}: ${cut} leg(s) beyond the ${this.maxParties} kept per call were dropped`);
  }

  /** A call first seen mid-way: its direction from what later observations say (a leg's state, the data). */
  private learnDirection(rec: CallRecord, obs: CallObservation): void {
    let d: 'incoming' | 'outgoing' | undefined;
    const n = stateCount(obs);
    for (let i = 0; i < n && !d; i++) d = directionOfState(stateAt(obs, i));
    d ??= obs.direction ?? this.directionFromData(rec.user, obs, rec);
    if (!d) return;
    rec.direction = d;
    rec.directionKnown = true;
  }

  /**
   * Which way a call goes from its data, when no leg state says: the number first called is the user's own
   * (incoming), or is the party the user talks to (outgoing: they dialled it); a party's role (the other side is
   * the caller: incoming). Undefined when nothing tells (a forwarded call's first callee is someone else).
   */
  private directionFromData(user: string, obs: CallObservation, rec?: CallRecord): 'incoming' | 'outgoing' | undefined {
    const parties = obs.participants ?? obs.addedParticipants ?? rec?.participants ?? [];
    for (const p of parties) {
      if (p.role === 'caller') return 'incoming';
      if (p.role === 'callee') return 'outgoing';
    }
    const called = obs.initialCalled ?? rec?.initialCalled;
    if (!called) return undefined;
    const self = this.selfParty?.(user);
    if (called.login ? called.login === user : sameNumber(called.number, self?.number) || sameNumber(called.number, user)) return 'incoming';
    if (parties.some((p) => (called.login && p.login === called.login) || sameNumber(p.number, called.number))) return 'outgoing';
    return undefined;
  }

  private pastDialing(rec: CallRecord): boolean {
    for (const l of rec.legs) if (l.state !== 'dialing') return true;
    return false;
  }

  private remote(rec: CallRecord): Party | undefined {
    return rec.peer ?? (rec.direction === 'outgoing' ? rec.initialCalled : undefined);
  }

  private end(
    rec: CallRecord,
    time: number,
    cause: Cause | undefined,
    out: PbxEvent[],
    how: { expired?: boolean; outage?: boolean; mergedInto?: string; newDestination?: Party },
  ): void {
    // Remembered where it lived, so that its late events create nothing (receive time; the sweep's own clock when it
    // expired).
    this.calls.bury(rec.user, rec.callId, { at: how.expired ? time : this.receivedAt, globalId: rec.globalId });
    // Never announced and no direction known: nothing was said of it, nothing to end.
    if (!rec.announced && !rec.directionKnown) return;
    if (!rec.announced) {
      rec.announced = true;
      out.push(this.event(rec, rec.direction === 'incoming' ? 'call.incoming' : 'call.outgoing', time, 0));
    }
    let reason = how.expired || how.outage ? 'unknown' : endReasonOf(rec.answered, cause);
    // A group rang this user and another monitored user answered (after this view began ringing): the
    // call went on without this user, as for a pick-up; the PBX's own cause (cleared, not answered) says less.
    if ((reason === 'abandoned' || reason === 'no_answer') && rec.direction === 'incoming'
      && this.answers.elsewhere(rec.platform, callWideId(rec.callId, rec.globalId, rec.callKey), rec.user, rec.startedAt)) reason = 'answered_elsewhere';
    const extra: Partial<CallInfo> = { endReason: reason, endedAt: iso(time) };
    // Not answered here, and the PBX says where the call went on to (a forward on no answer, a hunt group's next
    // member): said, so that the end can wait for the call's outcome there (forward-hold.ts).
    if (reason === 'no_answer' && how.newDestination && rec.direction === 'incoming') extra.redirectedTo = how.newDestination;
    if (how.outage) extra.endedDuringOutage = true;
    if (how.mergedInto) extra.mergedInto = how.mergedInto;
    const hint = this.replacements.get(rec.callId);
    if (reason === 'redirected' || reason === 'transferred') {
      const target = how.newDestination ?? (hint && hint.cause === cause ? hint.party : undefined);
      if (reason === 'redirected') extra.redirectedTo = target;
      else extra.transferredTo = target;
      out.push(this.event(rec, reason === 'redirected' ? 'call.redirected' : 'call.transferred', time, 0, extra, time));
    }
    out.push(this.event(rec, 'call.ended', time, 0, extra, time));
    // Missed only when the user's phone was seen ringing: a call first seen answered or held was not missed.
    if (rec.direction === 'incoming' && !rec.answered && !rec.lateStart && MISSED_REASONS.has(reason)) {
      out.push(this.event(rec, 'call.missed', time, 0, extra, time));
    }
  }

  private info(rec: CallRecord, extra?: Partial<CallInfo>, endedMs?: number): CallInfo {
    // Fresh party objects per event: consumers (Node-RED function nodes...) may change what they receive.
    const known = this.selfParty?.(rec.user);
    const self: Party = { number: known ? known.number : rec.direction === 'incoming' && rec.initialCalled?.number ? rec.initialCalled.number : rec.user };
    if (known?.name) self.name = known.name;
    self.login = rec.user;
    const peer = this.remote(rec);
    const other: Party = { number: peer ? peer.number : '' };
    if (peer?.name) other.name = peer.name;
    if (peer?.login) other.login = peer.login;
    const incoming = rec.direction === 'incoming';
    const info: CallInfo = {
      id: rec.callId,
      direction: rec.direction,
      from: incoming ? other : self,
      to: incoming ? self : other,
      anonymous: rec.anonymous,
      startedAt: rec.startedIso,
      answered: rec.answered,
    };
    if (rec.globalId) info.globalId = rec.globalId;
    if (rec.callKey) info.callKey = rec.callKey;
    if (rec.inProgressAtConnect) info.inProgressAtConnect = true;
    if (rec.device) info.device = rec.device;
    if (rec.answeredIso !== undefined) info.answeredAt = rec.answeredIso;
    if (rec.participants.length > 1) info.conferenceParties = rec.participants.length;
    if (rec.previousIds) info.previousIds = rec.previousIds.slice();
    if (rec.capabilities) info.capabilities = rec.capabilities.slice(); // a copy: the list may be shared between calls
    if (rec.answeredAt !== undefined) info.ringSeconds = seconds(rec.answeredAt - rec.startedAt);
    if (endedMs !== undefined) {
      if (rec.answeredAt === undefined) info.ringSeconds = seconds(endedMs - rec.startedAt);
      info.talkSeconds = rec.answeredAt !== undefined ? seconds(endedMs - rec.answeredAt) : 0;
    }
    if (extra) {
      for (const k in extra) {
        const v = extra[k as keyof CallInfo];
        if (v !== undefined) (info as unknown as Record<string, unknown>)[k] = v;
      }
    }
    return info;
  }

  private event(rec: CallRecord, type: EventType, time: number, n: number, extra?: Partial<CallInfo>, endedMs?: number): PbxEvent {
    const e: PbxEvent = {
      // The type's place in EVENT_TYPES (append-only) stands for its name: ids stay stable, hashing stays cheap.
      id: eventIdOf((rec.seed ??= idSeed([rec.platform, rec.user, rec.globalId ?? '', rec.callId])), TYPE_INDEX.get(type)!, n),
      type,
      platform: rec.platform,
      user: rec.user,
      time: iso(time),
      call: this.info(rec, extra, endedMs),
    };
    if (this.stepRaw) e.raw = this.stepRaw.slice();
    return e;
  }


  // ---- snapshots (resync after reconnect) ----------------------------------------------------------------

  private onSnapshot(obs: SnapshotObservation, out: PbxEvent[]): void {
    const live = new Set(obs.calls.map((c) => c.callId));
    for (const rec of this.calls.of(obs.user)) {
      if (rec.platform === obs.platform && !live.has(rec.callId)) {
        this.end(rec, obs.time, undefined, out, { outage: true });
      }
    }
    // Calls we know get their current state (answered/held while we were away); new ones are announced,
    // flagged: they began before we could see them, so their start time is when we first saw them.
    for (const c of obs.calls) this.onCall(c, out, true);
  }

  // ---- state events --------------------------------------------------------------------------------------

  private onDirect(obs: DirectObservation, out: PbxEvent[]): void {
    const ev = obs.event;
    let mine = this.lastDirect.get(ev.user);
    if (!mine) this.lastDirect.set(ev.user, (mine = new Map()));
    const k = obs.subject ? `${ev.type}\u0001${obs.subject}` : ev.type;
    let last = mine.get(k);
    if (last) {
      if (obs.onChangeOnly && last.key === obs.key) return;
      last.key = obs.key;
      last.n++;
    } else {
      last = { key: obs.key, n: 1, seed: idSeed([ev.platform, ev.user, ev.type, obs.subject]) };
      mine.set(k, last);
    }
    const e = ev as PbxEvent;
    e.id = eventId([obs.key, last.n], last.seed);
    e.time = ev.time ?? iso(obs.time);
    if (this.includeRaw && obs.raw !== undefined) e.raw = [obs.raw];
    // Call events cannot repeat (each is a transition of one call record) and on-change events carry their
    // change count in the id; the id ring is the safety net for the rest (queue events, replayed lines).
    if (obs.onChangeOnly || this.recent.add(e.id)) out.push(e);
  }


}

/**
 * The states an observation names: its legs' first (in order), then the call's own; read by index (`stateAt`), as
 * this runs for every new call and a list per call was a visible cost.
 */
function stateCount(obs: CallObservation): number {
  return (obs.legs?.length ?? 0) + (obs.callState ? 1 : 0);
}

function stateAt(obs: CallObservation, i: number): LegState {
  const legs = obs.legs?.length ?? 0;
  return i < legs ? obs.legs![i].state : obs.callState!;
}

function allReleasing(obs: CallObservation): boolean {
  const n = stateCount(obs);
  for (let i = 0; i < n; i++) if (stateAt(obs, i) !== 'releasing') return false;
  return n > 0;
}

/** The direction a leg state says by itself (ringing or queued: incoming; dialling or ringing out: outgoing). */
function directionOfState(s: LegState | undefined): 'incoming' | 'outgoing' | undefined {
  if (s === 'ringing_incoming' || s === 'queued') return 'incoming';
  if (s === 'dialing' || s === 'ringing_outgoing') return 'outgoing';
  return undefined;
}

/** The same number, written alike or with the same digits (`+33 1 23` and `+33123`). */
function sameNumber(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  if (a === b) return true;
  const da = a.replace(/[^\d+]/g, '');
  return da.length > 0 && da === b.replace(/[^\d+]/g, '');
}


const legKey = (l: Leg): string => l.device;
const partKey = (p: Participant): string => p.id;

/**
 * An id -> index map for long lists (so a merge stays linear), none for short ones (most calls have one or two
 * legs and participants: a scan costs nothing and allocates nothing, and this runs per event).
 */
function indexMap<T>(items: T[], key: (t: T) => string, incoming: number): Map<string, number> | undefined {
  if (items.length + incoming <= SCAN_LIMIT) return undefined;
  const at = new Map<string, number>();
  for (let i = 0; i < items.length; i++) if (!at.has(key(items[i]))) at.set(key(items[i]), i);
  return at;
}

/** The index of the item with key `k` (from `map` when there is one), or -1. */
function findKey<T>(items: T[], key: (t: T) => string, k: string, map: Map<string, number> | undefined): number {
  if (map) return map.get(k) ?? -1;
  for (let i = 0; i < items.length; i++) if (key(items[i]) === k) return i;
  return -1;
}

function toParty(p: Participant | Party): Party {
  const out: Party = { number: p.number };
  if (p.name) out.name = p.name;
  if (p.login) out.login = p.login;
  return out;
}
