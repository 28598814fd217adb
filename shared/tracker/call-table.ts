/**
 * Live calls by user, then by call reference, and the recently ended ones in the same place. Two small maps instead
 * of one keyed by "user+callId": building and hashing that joined string for every event was a visible cost.
 *
 * An ended call leaves a tombstone where it lived, bounded in number and in time: an event for it that arrives late
 * (queued by the server while the channel was down, after a resync already ended the call) must not create the call
 * again, as it would come back as an incoming call with a second `call.ended` and a false `call.missed`. Kept here,
 * not in a memory of its own, so that remembering an end costs no lookup of its own: a new call's lookup answers
 * both questions (a separate memory keyed by user and call cost about 7 % of the ALE pipeline).
 */
export interface EndedCall {
  /** Local receive time of the end. */
  at: number;
  /** The platform-wide id the call had, if any: the same reference with another one is a new call. */
  globalId?: string;
}

export interface EndedEntry extends EndedCall {
  tomb: true;
  user: string;
  callId: string;
  /** Replaced (the reference came back as a new call) or forgotten: its place in the queue is skipped. */
  gone: boolean;
}

export const isEnded = (v: object): v is EndedEntry => (v as Partial<EndedEntry>).tomb === true;

export interface CallTableOptions {
  /** Ended calls remembered at most; the oldest goes first. Default 10 000. */
  endedCapacity?: number;
  /** How long an ended call is remembered (ms). Default 5 min. */
  endedWindowMs?: number;
}

export class CallTable<R extends { user: string; callId: string }> {
  private readonly byUser = new Map<string, Map<string, R | EndedEntry>>();
  private count = 0;
  /** EndedEntrystones in end order from `head` on (earlier slots are spent). */
  private tombs: EndedEntry[] = [];
  private head = 0;
  private tombCount = 0;
  private readonly endedCapacity: number;
  private readonly endedWindowMs: number;

  constructor(o: CallTableOptions = {}) {
    this.endedCapacity = Math.max(1, o.endedCapacity ?? 10_000);
    this.endedWindowMs = o.endedWindowMs ?? 5 * 60_000;
  }

  /** Live calls. */
  get size(): number {
    return this.count;
  }

  /** Ended calls remembered. */
  get endedSize(): number {
    return this.tombCount;
  }

  get(user: string, callId: string): R | undefined {
    const v = this.byUser.get(user)?.get(callId);
    return v === undefined || isEnded(v) ? undefined : v;
  }

  has(user: string, callId: string): boolean {
    return this.get(user, callId) !== undefined;
  }

  /** What is at (user, callId): a live call, an ended one's tombstone (`isEnded`), or nothing. One lookup for both. */
  entry(user: string, callId: string): R | EndedEntry | undefined {
    return this.byUser.get(user)?.get(callId);
  }

  /** An ended call's end if it is within the window (as of `now`); one past it is forgotten here. */
  endedWithin(t: EndedEntry, now: number): EndedCall | undefined {
    if (now - t.at <= this.endedWindowMs) return t;
    if (!t.gone) this.drop(t);
    return undefined;
  }

  /** The end of `callId` if it ended within the window. */
  ended(user: string, callId: string, now: number): EndedCall | undefined {
    const v = this.entry(user, callId);
    return v !== undefined && isEnded(v) ? this.endedWithin(v, now) : undefined;
  }

  /** Stores `rec` under its current user and callId (over an ended call of that reference, if any). */
  set(rec: R): void {
    let calls = this.byUser.get(rec.user);
    if (!calls) this.byUser.set(rec.user, (calls = new Map()));
    const prev = calls.get(rec.callId);
    if (prev === undefined) this.count++;
    else if (isEnded(prev)) {
      this.forgetEnd(prev);
      this.count++;
    }
    calls.set(rec.callId, rec);
  }

  delete(user: string, callId: string): boolean {
    const calls = this.byUser.get(user);
    const v = calls?.get(callId);
    if (v === undefined || isEnded(v)) return false;
    calls!.delete(callId);
    this.count--;
    if (calls!.size === 0) this.byUser.delete(user);
    return true;
  }

  /** The call ended: its place now remembers the end (see the file's comment); a live call there goes. */
  bury(user: string, callId: string, ended: EndedCall): void {
    let calls = this.byUser.get(user);
    if (!calls) this.byUser.set(user, (calls = new Map()));
    const prev = calls.get(callId);
    if (prev !== undefined) {
      if (isEnded(prev)) this.forgetEnd(prev);
      else this.count--;
    }
    const t: EndedEntry = { tomb: true, at: ended.at, globalId: ended.globalId, user, callId, gone: false };
    calls.set(callId, t);
    this.tombs.push(t);
    this.tombCount++;
    while (this.tombCount > this.endedCapacity) this.dropOldest();
    // Replaced and forgotten tombstones wait in the queue until the front reaches them: never more than the bound.
    if (this.tombs.length - this.head > 2 * this.endedCapacity + 1024) {
      this.tombs = this.tombs.slice(this.head).filter((x) => !x.gone);
      this.head = 0;
    }
  }

  /** Forgets the end of `callId` (the reference now names a new call). */
  forget(user: string, callId: string): void {
    const v = this.byUser.get(user)?.get(callId);
    if (v !== undefined && isEnded(v)) this.drop(v);
  }

  /** Forgets ends older than the window. */
  pruneEnded(now: number): void {
    const q = this.tombs;
    while (this.head < q.length) {
      const t = q[this.head];
      if (!t.gone && now - t.at <= this.endedWindowMs) break; // end order: the rest are newer
      this.head++;
      if (!t.gone) this.drop(t);
    }
    this.compact();
  }

  /** A user's live calls (a copy: callers may end calls while they iterate). */
  of(user: string): R[] {
    const out: R[] = [];
    for (const v of this.byUser.get(user)?.values() ?? []) if (!isEnded(v)) out.push(v);
    return out;
  }

  /** Every live call (a copy). */
  all(): R[] {
    const out: R[] = [];
    for (const calls of this.byUser.values()) for (const v of calls.values()) if (!isEnded(v)) out.push(v);
    return out;
  }

  private dropOldest(): void {
    const q = this.tombs;
    while (this.head < q.length) {
      const t = q[this.head++];
      if (!t.gone) {
        this.drop(t);
        break;
      }
    }
    this.compact();
  }

  /** A tombstone leaves the queue's count (it stays in the queue, skipped, until the front reaches it). */
  private forgetEnd(t: EndedEntry): void {
    t.gone = true;
    this.tombCount--;
  }

  /** A tombstone goes from its place and from the count. */
  private drop(t: EndedEntry): void {
    this.forgetEnd(t);
    const calls = this.byUser.get(t.user);
    if (calls?.get(t.callId) === t) {
      calls.delete(t.callId);
      if (calls.size === 0) this.byUser.delete(t.user);
    }
  }

  /** Gives back the spent front of the queue once it is most of it. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.tombs.length) {
      this.tombs = this.tombs.slice(this.head);
      this.head = 0;
    }
  }
}
