/**
 * What the Voicenter normalizer remembers between events: per live call its Voicenter fields (kept on every
 * event of the call, `call.extra`) and whether an answer was seen; per queue the calls waiting (join time and
 * caller, for `waitSeconds` and one `queue.joined` per call). Bounded: ended calls are forgotten by the pipeline.
 */
import type { Party } from '../../model/events';

export interface VoicenterCallState {
  answered: boolean;
  /** An event of this call was normalized before (its caller and DID are known to the tracker). */
  known: boolean;
  extra: Record<string, unknown>;
  /** `extra` has at least one field. */
  hasExtra: boolean;
}

/** Per extension, then per ivrid: two small maps rather than a joined string key built per event. */
export class VoicenterCalls {
  private readonly byUser = new Map<string, Map<string, VoicenterCallState>>();
  private count = 0;

  get(user: string, callId: string): VoicenterCallState | undefined {
    return this.byUser.get(user)?.get(callId);
  }

  /** The state of a call, created on first use. */
  touch(user: string, callId: string): VoicenterCallState {
    let calls = this.byUser.get(user);
    if (!calls) this.byUser.set(user, (calls = new Map()));
    let s = calls.get(callId);
    if (!s) {
      calls.set(callId, (s = { answered: false, known: false, extra: {}, hasExtra: false }));
      this.count++;
    }
    return s;
  }

  delete(user: string, callId: string): void {
    const calls = this.byUser.get(user);
    if (!calls?.delete(callId)) return;
    this.count--;
    if (calls.size === 0) this.byUser.delete(user);
  }

  get size(): number {
    return this.count;
  }
}

interface Waiting {
  joinedAt: number;
  caller?: Party;
}

/** A cap on remembered waiting calls: a server that never sends EXIT/ABANDONED must not grow memory forever. */
const MAX_WAITING = 10_000;

export class QueueWaits {
  private readonly queues = new Map<string, Map<string, Waiting>>();
  private count = 0;

  /** A call joined: true the first time only. */
  joined(queue: string, callId: string, time: number, caller?: Party): boolean {
    let q = this.queues.get(queue);
    if (!q) this.queues.set(queue, (q = new Map()));
    if (q.has(callId)) return false;
    if (this.count >= MAX_WAITING) this.evictOldest();
    q.set(callId, { joinedAt: time, caller });
    this.count++;
    return true;
  }

  /** A call left the queue: its wait in seconds and caller, when we saw it join. */
  left(queue: string, callId: string, time: number): { waitSeconds?: number; caller?: Party } {
    const q = this.queues.get(queue);
    const w = q?.get(callId);
    if (!q || !w) return {};
    q.delete(callId);
    this.count--;
    return { waitSeconds: Math.max(0, Math.round((time - w.joinedAt) / 1000)), caller: w.caller };
  }

  /** After a (re)login: calls no longer waiting in `queue` left while we could not see them. */
  keepOnly(queue: string, waiting: Set<string>): void {
    const q = this.queues.get(queue);
    if (!q) return;
    for (const id of [...q.keys()]) {
      if (!waiting.has(id)) {
        q.delete(id);
        this.count--;
      }
    }
  }

  private evictOldest(): void {
    for (const q of this.queues.values()) {
      for (const id of q.keys()) {
        q.delete(id);
        this.count--;
        return;
      }
    }
  }
}
