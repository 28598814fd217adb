/**
 * A forward on no answer ends the first user's view before anyone has answered: the call moves on (to a colleague,
 * the next member of a hunt group) and may still be answered there. Whether the first user "missed" it is only known
 * once the call goes on or stops. So the end of such a view (`call.ended`, `no_answer`, with the party it went to)
 * and its `call.missed` are held, by the call-wide key all monitored views share, until:
 * - another monitored user answers that call: the held views end `answered_elsewhere`, with no `call.missed`
 *   (as when a ring group member answers);
 * - the views it went on to end unanswered (they may be held in turn, a forward chain) or none appears within
 *   `settleMs` (the call went where nobody is monitored, or to voicemail): the held events go out as they were.
 * Every held event goes out at most `maxHoldMs` after its end, and a closed connection releases everything.
 *
 * It runs where a connection delivers its events (BaseConnection), once for every platform. Cost when nothing is
 * held: one type check per event.
 */
import type { PbxEvent } from '../model/events';
import { callWideId } from './answered-elsewhere';

/** Calls whose ringing users are kept (a bound: older ones are forgotten first). */
const MAX_RINGING = 10_000;

export interface ForwardHoldOptions {
  /** How long a held end waits for the call to show up at a monitored user (ms). Default 2 s. */
  settleMs?: number;
  /** The longest any end is held, however long the next user's phone rings (ms). Default 10 min. */
  maxHoldMs?: number;
  /** Calls held at once; beyond, the oldest is released. Default 1 000. */
  maxCalls?: number;
}

interface HeldCall {
  /** Events held, in order (each view's `call.ended`, then its `call.missed`). */
  events: PbxEvent[];
  /** Monitored users the call rings now (it went on to them, or rang them already). */
  live: Set<string>;
  /** When the held events go out unchanged, if nothing answers first (local ms). */
  dueAt: number;
  /** The first held end: nothing is held longer than `maxHoldMs` from here. */
  since: number;
}

/** One hold serves one connection, so one platform: the call-wide id as the platform gives it is key enough (no string built per event). */
const keyOf = (e: PbxEvent): string => callWideId(e.call!.id, e.call!.globalId, e.call!.callKey);

/** An unanswered incoming view ended because the call moved on (the tracker names where: `redirectedTo`). */
const movedOn = (e: PbxEvent): boolean =>
  e.call?.endReason === 'no_answer' && e.call.redirectedTo !== undefined && e.call.direction === 'incoming' && !e.call.answered;

export class ForwardHold {
  private readonly held = new Map<string, HeldCall>();
  /**
   * Who each call rings now, by call-wide key: the user a forward goes to may start ringing before the first user's
   * end arrives (TelServices: one socket per device, no order between them).
   */
  private readonly ringing = new Map<string, string[]>();
  private readonly settleMs: number;
  private readonly maxHoldMs: number;
  private readonly maxCalls: number;

  constructor(o: ForwardHoldOptions = {}) {
    this.settleMs = o.settleMs ?? 2000;
    this.maxHoldMs = o.maxHoldMs ?? 10 * 60_000;
    this.maxCalls = o.maxCalls ?? 1000;
  }

  /** Calls with held events. */
  get size(): number {
    return this.held.size;
  }

  /** The events to deliver now, in order: `events` less what is held, plus what this releases. */
  push(events: PbxEvent[], now: number): PbxEvent[] {
    if (this.held.size === 0 && !events.some(movedOn)) {
      for (const e of events) this.note(e);
      return events;
    }
    const out: PbxEvent[] = [];
    for (const e of events) this.one(e, now, out);
    return out;
  }

  /** Held events whose time has come (the connection calls this on a timer, see `nextDueAt`). */
  tick(now: number): PbxEvent[] {
    const out: PbxEvent[] = [];
    for (const [k, h] of this.held) {
      if (now >= h.dueAt || now - h.since >= this.maxHoldMs) this.release(k, h, out);
    }
    return out;
  }

  /** When `tick` next has something to do, if anything is held. */
  nextDueAt(): number | undefined {
    let due: number | undefined;
    for (const h of this.held.values()) {
      const at = Math.min(h.dueAt, h.since + this.maxHoldMs);
      if (due === undefined || at < due) due = at;
    }
    return due;
  }

  /** Everything held, unchanged (the connection closes). */
  flush(): PbxEvent[] {
    const out: PbxEvent[] = [];
    for (const [k, h] of this.held) this.release(k, h, out);
    return out;
  }

  /** Keeps `ringing` up to date: incoming views that ring now (one key built per call start and end). */
  private note(e: PbxEvent): void {
    const t = e.type;
    if (t !== 'call.incoming' && t !== 'call.answered' && t !== 'call.ended') return;
    const k = keyOf(e);
    const users = this.ringing.get(k);
    if (t === 'call.incoming') {
      if (users) {
        if (!users.includes(e.user)) users.push(e.user);
        return;
      }
      if (this.ringing.size >= MAX_RINGING) this.ringing.delete(this.ringing.keys().next().value as string);
      this.ringing.set(k, [e.user]);
      return;
    }
    if (!users) return;
    const i = users.indexOf(e.user);
    if (i >= 0) users.splice(i, 1);
    if (users.length === 0) this.ringing.delete(k);
  }

  private one(e: PbxEvent, now: number, out: PbxEvent[]): void {
    if (!e.call) {
      out.push(e);
      return;
    }
    this.note(e);
    const k = keyOf(e);
    const h = this.held.get(k);
    if (movedOn(e) && e.type === 'call.ended') {
      this.hold(k, h, e, now, out);
      return;
    }
    if (!h) {
      out.push(e);
      return;
    }
    switch (e.type) {
      case 'call.missed':
        // The missed call of a held end goes with it; another view's goes out (its end was not held).
        if (h.events.some((x) => x.type === 'call.ended' && x.user === e.user && x.call!.id === e.call!.id)) {
          h.events.push(e);
          return;
        }
        break;
      case 'call.incoming':
        h.live.add(e.user);
        h.dueAt = Number.POSITIVE_INFINITY; // someone monitored rings: wait for their answer or end
        break;
      case 'call.answered':
        if (e.call.direction === 'incoming' && !h.events.some((x) => x.user === e.user)) {
          out.push(e);
          this.answeredElsewhere(k, h, out);
          return;
        }
        break;
      case 'call.ended':
        if (h.live.delete(e.user) && h.live.size === 0) {
          // The call went on and ended unanswered there too: what was held is what happened.
          out.push(e);
          this.release(k, h, out, true);
          return;
        }
        break;
    }
    out.push(e);
  }

  private hold(k: string, h: HeldCall | undefined, e: PbxEvent, now: number, out: PbxEvent[]): void {
    if (!h) {
      if (this.held.size >= this.maxCalls) {
        const [oldest, first] = this.held.entries().next().value as [string, HeldCall];
        this.release(oldest, first, out);
      }
      this.held.set(k, (h = { events: [], live: new Set(), dueAt: now + this.settleMs, since: now }));
    }
    h.live.delete(e.user);
    // Users this call already rings (their phone started before this end arrived) count as where it went.
    for (const u of this.ringing.get(k) ?? []) if (u !== e.user && !h.events.some((x) => x.user === u)) h.live.add(u);
    h.events.push(e);
    h.dueAt = h.live.size === 0 ? now + this.settleMs : Number.POSITIVE_INFINITY;
  }

  /** Another monitored user answered: the held views end `answered_elsewhere`, and were not missed. */
  private answeredElsewhere(k: string, h: HeldCall, out: PbxEvent[]): void {
    this.held.delete(k);
    for (const e of h.events) {
      if (e.type === 'call.missed') continue;
      out.push({ ...e, call: { ...e.call!, endReason: 'answered_elsewhere' } });
    }
  }

  /** The held events go out as they were (before `out`'s last event when `before`: they happened first). */
  private release(k: string, h: HeldCall, out: PbxEvent[], before = false): void {
    this.held.delete(k);
    if (before) out.splice(out.length - 1, 0, ...h.events);
    else out.push(...h.events);
  }
}
