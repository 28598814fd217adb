/**
 * Live calls by user, then by call reference. Two small maps instead of one keyed by "user+callId": building
 * and hashing that joined string for every event was a visible cost.
 */
export class CallTable<R extends { user: string; callId: string }> {
  private readonly byUser = new Map<string, Map<string, R>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(user: string, callId: string): R | undefined {
    return this.byUser.get(user)?.get(callId);
  }

  has(user: string, callId: string): boolean {
    return this.byUser.get(user)?.has(callId) ?? false;
  }

  /** Stores `rec` under its current user and callId. */
  set(rec: R): void {
    let calls = this.byUser.get(rec.user);
    if (!calls) this.byUser.set(rec.user, (calls = new Map()));
    if (!calls.has(rec.callId)) this.count++;
    calls.set(rec.callId, rec);
  }

  delete(user: string, callId: string): boolean {
    const calls = this.byUser.get(user);
    if (!calls?.delete(callId)) return false;
    this.count--;
    if (calls.size === 0) this.byUser.delete(user);
    return true;
  }

  /** A user's calls (a copy: callers may end calls while they iterate). */
  of(user: string): R[] {
    return [...(this.byUser.get(user)?.values() ?? [])];
  }

  /** Every live call (a copy). */
  all(): R[] {
    const out: R[] = [];
    for (const calls of this.byUser.values()) for (const r of calls.values()) out.push(r);
    return out;
  }
}
