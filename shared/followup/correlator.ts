/**
 * The follow-up correlator: per-user call events in (what a connection delivers), call-level follow-up out.
 *
 * - `call.unanswered`: once per call that rang one or more monitored users, none of whom answered, once it has
 *   ended for all of them (after `settleMs`, since a forward or the next member of a hunt group may still ring).
 * - `call.returned`: the first later answered call between a monitored user and that caller's number (a callback,
 *   or the caller trying again and getting through) within `windowMs`; it closes every pending unanswered call of
 *   that number.
 * - `call.unreturned`: once per unanswered call and follow-up time, when nothing returned it in that time.
 *
 * Per-user views are joined by the platform's call-wide id (see `callKeyOf`); where a platform gives none, views of
 * the same caller that overlap in time are taken for one call (weaker: two callers behind one number look alike).
 * State is bounded: open calls, callers followed and unanswered calls per caller are capped, and forgotten after
 * `openTtlMs` / `windowMs`. Nothing here reads a clock except `now` (local time for what is due; event times for
 * the durations reported).
 */
import type { CallInfo, EndReason, FollowUpInfo, Party, PbxEvent, Platform, UnansweredReason } from '../model/events';
import { eventId } from '../model/ids';
import { numberKey, type NumberOptions } from './numbers';
import { PLATFORM_CATALOG } from '../platforms/catalog';

export interface FollowUpOptions {
  /** How long after an unanswered call a call with that number counts as returning it. Default 24 h. */
  windowMs?: number;
  /** Wait this long after the last view of a call ended before calling it unanswered. Default 3 s. */
  settleMs?: number;
  numbers?: NumberOptions;
  /** Calls being followed while they ring, at most. Default 10 000. */
  maxOpenCalls?: number;
  /** Caller numbers with unanswered calls pending, at most. Default 10 000. */
  maxCallers?: number;
  /** Unanswered calls pending per caller number, at most (the oldest give way). Default 20. */
  maxPerCaller?: number;
  /** A call with no news for this long is dropped unannounced (its views expired). Default 4 h. */
  openTtlMs?: number;
  now?: () => number;
  /** Told when a cap drops state (rate limiting is the caller's). */
  onWarning?: (message: string) => void;
}

export const DEFAULT_WINDOW_MS = 24 * 3600_000;
export const DEFAULT_FOLLOW_UP_MS = 30 * 60_000;
export const DEFAULT_SETTLE_MS = 3000;

/**
 * Platforms whose per-user call id is the call-wide one (each descriptor's `idIsCallWide`: e.g. Voicenter's `ivrid`,
 * O2G's call reference, one per call on an OXE node). OpenTouch gives `callUUID` (`globalId`); TelServices its
 * `callReference` when the server sends one (`callKey`).
 */
const ID_IS_CALL_WIDE = Object.fromEntries(PLATFORM_CATALOG.map((d) => [d.name, d.idIsCallWide])) as Record<Platform, boolean>;

/** The call-wide id of a view, or undefined when the platform gave none. */
export function callKeyOf(platform: Platform, call: CallInfo): string | undefined {
  const k = call.callKey ?? call.globalId ?? (ID_IS_CALL_WIDE[platform] ? call.id : undefined);
  return k ? `${platform}\u0001${k}` : undefined;
}

interface View {
  user: string;
  ended: boolean;
  answered: boolean;
  reason?: EndReason;
  endedAt?: number;
  startedAt: number;
  missedId?: string;
  to: Party;
}

interface OpenCall {
  key: string;
  /** Joined by caller number and time (no call-wide id). */
  byNumber: boolean;
  platform: Platform;
  caller: Party;
  callerKey: string;
  anonymous: boolean;
  call: CallInfo;
  views: Map<string, View>;
  answered: boolean;
  /** Local time all views were seen ended (it settles from then on). */
  closingSince?: number;
  lastSeen: number;
  queueAbandoned?: boolean;
}

interface Pending {
  id: string;
  key: string;
  platform: Platform;
  callerKey: string;
  user: string;
  /** Local time it was announced (what is due counts from here). */
  at: number;
  /** Event time the call ended (ms), for `afterSeconds`. */
  endedAt: number;
  firstRing: number;
  call: CallInfo;
  info: FollowUpInfo;
  /** Follow-up times already reported (ms). */
  reported: Set<number>;
}

/** The follow-up time (ms) each `call.unreturned` reports, for consumers that asked for different times. */
const followUpMsOf = new WeakMap<PbxEvent, number>();
export const unreturnedAfterMs = (e: PbxEvent): number | undefined => followUpMsOf.get(e);

const iso = (ms: number): string => new Date(ms).toISOString();
const parse = (t: string | undefined, fallback: number): number => {
  const v = t ? Date.parse(t) : NaN;
  return Number.isFinite(v) ? v : fallback;
};

export class FollowUpCorrelator {
  private readonly open = new Map<string, OpenCall>();
  /** Open calls whose views have all ended, settling (few: what `push` scans per event). */
  private readonly closing = new Set<OpenCall>();
  /** Calls joined by number: caller key -> the open call views join while it rings. */
  private readonly openByCaller = new Map<string, OpenCall>();
  /** Caller key -> its pending unanswered calls, oldest first. Insertion order: oldest caller first. */
  private readonly pending = new Map<string, Pending[]>();
  /** Keys of calls already decided (announced or answered): a late view of one creates nothing. Bounded. */
  private readonly decided = new Map<string, number>();
  /** Call ids a queue said were abandoned (`platform\u0001callId`), briefly. */
  private readonly abandoned = new Map<string, number>();
  private readonly followUps = new Map<number, number>();
  private readonly windowMs: number;
  private readonly settleMs: number;
  private readonly openTtlMs: number;
  private readonly maxOpen: number;
  private readonly maxCallers: number;
  private readonly maxPerCaller: number;
  private readonly numbers: NumberOptions;
  private readonly now: () => number;
  private readonly onWarning?: (message: string) => void;
  private seq = 0;

  constructor(o: FollowUpOptions = {}) {
    this.windowMs = o.windowMs ?? DEFAULT_WINDOW_MS;
    this.settleMs = Math.max(0, o.settleMs ?? DEFAULT_SETTLE_MS);
    this.openTtlMs = o.openTtlMs ?? 4 * 3600_000;
    this.maxOpen = Math.max(1, o.maxOpenCalls ?? 10_000);
    this.maxCallers = Math.max(1, o.maxCallers ?? 10_000);
    this.maxPerCaller = Math.max(1, o.maxPerCaller ?? 20);
    this.numbers = o.numbers ?? {};
    this.now = o.now ?? Date.now;
    this.onWarning = o.onWarning;
  }

  /** Calls ringing or settling, and caller numbers with unanswered calls pending (for tests and diagnostics). */
  get size(): { open: number; callers: number; pending: number } {
    let n = 0;
    for (const l of this.pending.values()) n += l.length;
    return { open: this.open.size, callers: this.pending.size, pending: n };
  }

  /**
   * A follow-up time someone wants `call.unreturned` for (counted: each `want` needs an `unwant`). Unanswered calls
   * already pending are not reported for a time asked for after them: a new consumer escalates only its own tickets.
   */
  want(followUpMs: number): void {
    const n = this.followUps.get(followUpMs) ?? 0;
    this.followUps.set(followUpMs, n + 1);
    if (n === 0) for (const list of this.pending.values()) for (const p of list) p.reported.add(followUpMs);
  }

  unwant(followUpMs: number): void {
    const n = (this.followUps.get(followUpMs) ?? 0) - 1;
    if (n > 0) this.followUps.set(followUpMs, n);
    else this.followUps.delete(followUpMs);
  }

  /** One event of the connection in; the follow-up events it causes out (often none). */
  push(e: PbxEvent): PbxEvent[] {
    const out: PbxEvent[] = [];
    const now = this.now();
    if (e.type === 'queue.abandoned' && e.queue?.callId) {
      this.abandoned.set(`${e.platform}\u0001${e.queue.callId}`, now);
      for (const c of this.open.values()) if (c.call.id === e.queue.callId && c.platform === e.platform) c.queueAbandoned = true;
      return out;
    }
    const call = e.call;
    if (!call || !e.type.startsWith('call.') || e.type === 'call.unanswered' || e.type === 'call.returned' || e.type === 'call.unreturned') return out;
    // Calls that finished settling go first: their unanswered event precedes whatever this one causes.
    this.settle(now, out);
    if (call.direction === 'incoming') this.incoming(e, call, now, out);
    else if (e.type === 'call.answered') this.returned(e, call, numberKey(call.to.number, this.numbers), 'outgoing', undefined, now, out);
    return out;
  }

  /** What is due by now: calls that have settled, follow-up times passed, state past its time. */
  tick(now = this.now()): PbxEvent[] {
    const out: PbxEvent[] = [];
    this.settle(now, out);
    for (const [k, c] of this.open) {
      if (c.closingSince === undefined && now - c.lastSeen > this.openTtlMs) this.drop(k, c);
    }
    for (const [callerKey, list] of this.pending) {
      for (let i = 0; i < list.length; i++) {
        const p = list[i];
        if (now - p.at > this.windowMs) {
          list.splice(i--, 1);
          continue;
        }
        for (const d of this.followUps.keys()) {
          if (p.reported.has(d) || now - p.at < d) continue;
          p.reported.add(d);
          out.push(this.unreturned(p, d, now));
        }
      }
      if (!list.length) this.pending.delete(callerKey);
    }
    for (const [k, at] of this.decided) {
      if (now - at <= this.windowMs) break;
      this.decided.delete(k);
    }
    for (const [k, at] of this.abandoned) {
      if (now - at <= this.openTtlMs) break;
      this.abandoned.delete(k);
    }
    return out;
  }

  // ---- incoming views ------------------------------------------------------------------------------------

  private incoming(e: PbxEvent, call: CallInfo, now: number, out: PbxEvent[]): void {
    const callerKey = numberKey(call.from.number, this.numbers);
    const wide = callKeyOf(e.platform, call);
    let c = wide ? this.open.get(wide) : this.joinByNumber(e.platform, callerKey);
    const key = c?.key ?? wide ?? `${e.platform}\u0001~${callerKey}\u0001${++this.seq}`;
    if (!c) {
      if (this.decided.has(key)) {
        // A late view of a decided call: an answer still counts as the caller getting through.
        if (e.type === 'call.answered') this.returned(e, call, callerKey, 'incoming', key, now, out);
        return;
      }
      // A view first seen already over (answered elsewhere, redirected) opens nothing.
      if (e.type === 'call.missed') return;
      c = this.create(e, call, key, !wide, callerKey, now);
      if (!c) return;
    }
    c.lastSeen = now;
    let v = c.views.get(e.user);
    if (!v) {
      // A new view (the next member of a group, a forward's target): the call is not over.
      v = { user: e.user, ended: false, answered: false, startedAt: parse(call.startedAt, now), to: call.to };
      c.views.set(e.user, v);
      c.closingSince = undefined;
      this.closing.delete(c);
    } else if (v.ended && e.type === 'call.incoming') {
      // The call came back to this user (a recall): ringing again.
      v.ended = false;
      c.closingSince = undefined;
      this.closing.delete(c);
    }
    if (call.answered && !v.answered) {
      v.answered = true;
      c.answered = true;
      this.returned(e, call, callerKey, 'incoming', key, now, out);
    }
    if (e.type === 'call.ended') {
      v.ended = true;
      v.reason = call.endReason;
      v.endedAt = parse(call.endedAt ?? e.time, now);
      if (c.answered) this.decide(c);
      else if (this.allEnded(c)) {
        c.closingSince = now;
        this.closing.add(c);
      }
    } else if (e.type === 'call.missed') v.missedId = e.id;
  }

  private create(e: PbxEvent, call: CallInfo, key: string, byNumber: boolean, callerKey: string, now: number): OpenCall | undefined {
    if (this.open.size >= this.maxOpen) {
      const [k, oldest] = this.open.entries().next().value as [string, OpenCall];
      this.drop(k, oldest);
      this.onWarning?.(`follow-up: more than ${this.maxOpen} calls ringing at once; the oldest is no longer followed`);
    }
    const c: OpenCall = {
      key, byNumber, platform: e.platform, caller: { ...call.from }, callerKey, anonymous: call.anonymous || !callerKey,
      call, views: new Map(), answered: false, lastSeen: now,
    };
    if (this.abandoned.has(`${e.platform}\u0001${call.id}`)) c.queueAbandoned = true;
    this.open.set(key, c);
    if (byNumber) this.openByCaller.set(`${e.platform}\u0001${callerKey}`, c);
    return c;
  }

  /** Without a call-wide id: the call of this caller that still rings (or just ended) is the same call. */
  private joinByNumber(platform: Platform, callerKey: string): OpenCall | undefined {
    if (!callerKey) return undefined; // anonymous callers cannot be told apart
    return this.openByCaller.get(`${platform}\u0001${callerKey}`);
  }

  private allEnded(c: OpenCall): boolean {
    for (const v of c.views.values()) if (!v.ended) return false;
    return true;
  }

  private settle(now: number, out: PbxEvent[]): void {
    for (const c of this.closing) {
      if (c.closingSince !== undefined && now - c.closingSince >= this.settleMs) this.decide(c, out);
    }
  }

  private drop(key: string, c: OpenCall): void {
    this.open.delete(key);
    this.closing.delete(c);
    const byCaller = `${c.platform}\u0001${c.callerKey}`;
    if (this.openByCaller.get(byCaller) === c) this.openByCaller.delete(byCaller);
  }

  /** The call is over for everyone it rang: unanswered, or not (answered; passed on beyond what we watch). */
  private decide(c: OpenCall, out?: PbxEvent[]): void {
    this.drop(c.key, c);
    this.decided.delete(c.key);
    if (this.decided.size >= this.maxOpen) this.decided.delete(this.decided.keys().next().value as string);
    this.decided.set(c.key, this.now());
    if (c.answered || !out) return;
    const views = [...c.views.values()];
    const last = views.reduce((a, b) => ((b.endedAt ?? 0) >= (a.endedAt ?? 0) ? b : a));
    const reason = this.reasonOf(c, views, last);
    if (!reason) return;
    const firstRing = Math.min(...views.map((v) => v.startedAt));
    const endedAt = last.endedAt ?? this.now();
    const missed = views.filter((v) => v.missedId).map((v) => v.missedId!);
    const users = views.map((v) => v.user);
    const id = eventId(['call.unanswered', c.key]);
    const info: FollowUpInfo = {
      caller: { ...c.caller }, callerKey: c.callerKey, users, firstRingAt: iso(firstRing), endedAt: iso(endedAt),
      ringSeconds: Math.max(0, Math.round((endedAt - firstRing) / 1000)), endReason: reason, missedEventIds: missed,
    };
    const call: CallInfo = {
      id: c.call.id, direction: 'incoming', from: { ...c.caller }, to: { ...views[0].to }, anonymous: c.anonymous,
      startedAt: info.firstRingAt!, endedAt: info.endedAt, ringSeconds: info.ringSeconds, talkSeconds: 0, answered: false,
      endReason: reason === 'queue_abandoned' ? 'abandoned' : reason,
    };
    if (c.call.globalId) call.globalId = c.call.globalId;
    if (c.call.callKey) call.callKey = c.call.callKey;
    out.push({ id, type: 'call.unanswered', platform: c.platform, user: users[0], time: info.endedAt!, call, followUp: info });
    // Anonymous callers get their ticket, but nothing can return their call.
    if (!c.callerKey || c.anonymous) return;
    let list = this.pending.get(c.callerKey);
    if (!list) {
      if (this.pending.size >= this.maxCallers) {
        this.pending.delete(this.pending.keys().next().value as string);
        this.onWarning?.(`follow-up: more than ${this.maxCallers} callers waiting for a call back; the oldest is no longer followed`);
      }
      this.pending.set(c.callerKey, (list = []));
    }
    if (list.length >= this.maxPerCaller) list.shift();
    const reported = new Set<number>();
    list.push({ id, key: c.key, platform: c.platform, callerKey: c.callerKey, user: users[0], at: this.now(), endedAt, firstRing, call, info, reported });
  }

  /** How the call ended for everyone; undefined when it was passed on beyond the monitored users (not ours to say). */
  private reasonOf(c: OpenCall, views: View[], last: View): UnansweredReason | undefined {
    if (views.some((v) => v.reason === 'voicemail')) return 'voicemail';
    if (c.queueAbandoned) return 'queue_abandoned';
    switch (last.reason) {
      case 'abandoned': return 'abandoned';
      case 'no_answer': return 'no_answer';
      case 'busy': return 'busy';
      case 'rejected': return 'rejected';
      case 'failed': return 'failed';
      case 'redirected': case 'transferred': case 'answered_elsewhere': case 'completed': return undefined;
      default: return 'unknown';
    }
  }

  // ---- returns ------------------------------------------------------------------------------------------

  /** An answered call with `callerKey`: it returns that number's pending unanswered calls (not its own). */
  private returned(e: PbxEvent, call: CallInfo, callerKey: string, direction: 'incoming' | 'outgoing', ownKey: string | undefined, now: number, out: PbxEvent[]): void {
    if (!callerKey) return;
    // A call of this number still settling is over now: the caller is on another call.
    for (const c of this.closing) {
      if (c.callerKey === callerKey && c.key !== ownKey) this.decide(c, out);
    }
    const list = this.pending.get(callerKey);
    if (!list) return;
    const closes = list.filter((p) => p.key !== ownKey && now - p.at <= this.windowMs);
    if (!closes.length) return;
    this.pending.set(callerKey, list.filter((p) => !closes.includes(p)));
    if (!this.pending.get(callerKey)!.length) this.pending.delete(callerKey);
    const answeredAt = parse(call.answeredAt ?? e.time, now);
    const first = closes[0];
    const info: FollowUpInfo = {
      caller: { ...first.info.caller }, callerKey, closes: closes.map((p) => p.id), returnedBy: e.user, returnDirection: direction,
      afterSeconds: Math.max(0, Math.round((answeredAt - first.endedAt) / 1000)),
    };
    out.push({
      id: eventId(['call.returned', ...info.closes!, e.platform, call.id]), type: 'call.returned', platform: e.platform, user: e.user,
      time: iso(answeredAt), call: { ...call, from: { ...call.from }, to: { ...call.to } }, followUp: info,
    });
  }

  private unreturned(p: Pending, followUpMs: number, now: number): PbxEvent {
    const info: FollowUpInfo = { ...p.info, caller: { ...p.info.caller }, users: p.info.users?.slice(), missedEventIds: p.info.missedEventIds?.slice(), unansweredEventId: p.id, followUpSeconds: Math.round(followUpMs / 1000) };
    const e: PbxEvent = {
      id: eventId(['call.unreturned', p.id, followUpMs]), type: 'call.unreturned', platform: p.platform, user: p.user,
      time: iso(now), call: { ...p.call, from: { ...p.call.from }, to: { ...p.call.to } }, followUp: info,
    };
    followUpMsOf.set(e, followUpMs);
    return e;
  }
}
