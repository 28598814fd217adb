/**
 * Calls that ended recently, per user: bounded in number and in time. An event for one of them that arrives late
 * (queued by the server while the channel was down, after a resync already ended the call) must not create the call
 * again: it would come back as an incoming call with a second `call.ended` and a false `call.missed`.
 */
export interface EndedCall {
  /** Local receive time of the end. */
  at: number;
  /** The platform-wide id the call had, if any: the same reference with another one is a new call. */
  globalId?: string;
}

export class EndedCalls {
  private readonly byKey = new Map<string, EndedCall>();

  constructor(private readonly capacity = 10_000, private readonly windowMs = 5 * 60_000) {}

  add(user: string, callId: string, ended: EndedCall): void {
    const k = key(user, callId);
    this.byKey.delete(k);
    // Oldest first (insertion order): the one to drop when full.
    if (this.byKey.size >= this.capacity) this.byKey.delete(this.byKey.keys().next().value as string);
    this.byKey.set(k, ended);
  }

  /** The call's end, if it ended within the window (as of `now`). */
  get(user: string, callId: string, now: number): EndedCall | undefined {
    const e = this.byKey.get(key(user, callId));
    if (!e) return undefined;
    if (now - e.at > this.windowMs) {
      this.byKey.delete(key(user, callId));
      return undefined;
    }
    return e;
  }

  forget(user: string, callId: string): void {
    this.byKey.delete(key(user, callId));
  }

  /** Drops ends older than the window. */
  prune(now: number): void {
    for (const [k, e] of this.byKey) {
      if (now - e.at <= this.windowMs) break; // insertion order is end order: the rest are newer
      this.byKey.delete(k);
    }
  }

  get size(): number {
    return this.byKey.size;
  }
}

const key = (user: string, callId: string): string => `${user}\u0001${callId}`;
