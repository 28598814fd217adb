/**
 * Calls answered lately by a monitored user's incoming view, by call-wide key: when a group or forward rang several
 * monitored users and one answered, the others' views ended because of that answer, so they are not missed.
 * Bounded in number and in time (the other views end moments after the answer).
 */
export interface Answer {
  /** The platform the id is from (one tracker serves one connection, so this is a check, not a namespace). */
  platform: string;
  user: string;
  /** When that user answered (event time, ms). */
  at: number;
}

export class AnsweredCalls {
  private readonly byKey = new Map<string, Answer>();

  constructor(private readonly capacity = 10_000, private readonly windowMs = 5 * 60_000) {}

  /**
   * The first answer of a call counts; a later one (after a transfer) must not move it. `id`: the call-wide id
   * as the platform gives it (`callWideId`), used as it is: a key joined with the platform cost a string per call.
   */
  add(id: string, answer: Answer): void {
    if (this.byKey.has(id)) return;
    // Oldest first (insertion order): the one to drop when full.
    if (this.byKey.size >= this.capacity) this.byKey.delete(this.byKey.keys().next().value as string);
    this.byKey.set(id, answer);
  }

  /** Another user answered the call at or after `since` (the view's start): that view was answered elsewhere. */
  elsewhere(platform: string, id: string, user: string, since: number): boolean {
    const a = this.byKey.get(id);
    return a !== undefined && a.platform === platform && a.user !== user && a.at >= since;
  }

  prune(now: number): void {
    for (const [k, a] of this.byKey) {
      if (now - a.at <= this.windowMs) break; // insertion order is answer order, near enough: stop at the first fresh one
      this.byKey.delete(k);
    }
  }
}

/** The id all monitored users' views of one call share: the platform's call-wide id, else the call reference. */
export function callWideId(callId: string, globalId?: string, callKey?: string): string {
  return callKey ?? globalId ?? callId;
}

/** The same, as a key across platforms (follow-up, forward hold). */
export function callWideKey(platform: string, callId: string, globalId?: string, callKey?: string): string {
  return `${platform}\u0001${callWideId(callId, globalId, callKey)}`;
}
