/**
 * When calls the connection did not follow by events began, as far as it knows (ALE call lists carry no times):
 * a call it placed itself (Make Call) began when it was placed; another call began no later than when it was first
 * listed. Kept per user, bounded, and pruned when a listing no longer shows the call, so a later List Calls gives
 * the same `startedAt` and says `inProgressAtConnect` only for calls that may predate the connection.
 */
export interface CallStart {
  /** Epoch ms: when the call was placed, or first listed. */
  at: number;
  /** The call may have begun before the connection could see it (`startedAt` is then a lower bound). */
  predates: boolean;
}

const MAX_KEPT = 2000;
/** A placed call missing from a listing this soon after is not gone yet (the PBX may list it a moment later). */
const GRACE_MS = 60_000;

export class CallStarts {
  private readonly byKey = new Map<string, CallStart>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The connection placed this call at `at`. */
  placed(user: string, callId: string, at: number): void {
    this.set(user, callId, { at, predates: false });
  }

  get(user: string, callId: string): CallStart | undefined {
    return this.byKey.get(key(user, callId));
  }

  /**
   * A listing of `user`'s calls at `at`: calls not seen before are remembered (with `predates`), and calls the
   * listing no longer shows are forgotten.
   */
  listed(user: string, callIds: string[], at: number, predates: boolean): void {
    const live = new Set(callIds);
    const prefix = `${user}\u0001`;
    for (const [k, v] of this.byKey) {
      if (k.startsWith(prefix) && !live.has(k.slice(prefix.length)) && this.now() - v.at > GRACE_MS) this.byKey.delete(k);
    }
    for (const id of callIds) if (!this.byKey.has(key(user, id))) this.set(user, id, { at, predates });
  }

  private set(user: string, callId: string, s: CallStart): void {
    const k = key(user, callId);
    this.byKey.delete(k);
    if (this.byKey.size >= MAX_KEPT) this.byKey.delete(this.byKey.keys().next().value as string);
    this.byKey.set(k, s);
  }
}

const key = (user: string, callId: string): string => `${user}\u0001${callId}`;
