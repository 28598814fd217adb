/**
 * Calls waiting on CCD pilots, by pilot and call reference: O2G's pilot events say when a call arrives and when it
 * leaves, not how long it waited, and one arrival may be told twice (`OnPilotCallCreated`, then `OnPilotCallQueued`
 * when no agent is free). The caller's number is kept too: `OnPilotCallRemoved` with cause CLEARED names the
 * `releasingDevice`, and when that is the caller, the caller hung up in the queue. Bounded: the oldest entries go
 * first (a removal lost in an outage must not leak).
 */
const MAX_WAITING = 10_000;

interface Waiting { since: number; caller?: string }

export class PilotCalls {
  private readonly waiting = new Map<string, Waiting>();

  /** A call reached `pilot` at `time`: true the first time, false when it was already known to wait there. */
  joined(pilot: string, callRef: string, time: number, caller?: string): boolean {
    const k = `${pilot}\u0001${callRef}`;
    const known = this.waiting.get(k);
    if (known) {
      known.caller ??= caller;
      return false;
    }
    if (this.waiting.size >= MAX_WAITING) this.waiting.delete(this.waiting.keys().next().value!);
    this.waiting.set(k, { since: time, caller });
    return true;
  }

  /** The caller's number of a waiting call, when its arrival was seen with one. */
  callerOf(pilot: string, callRef: string): string | undefined {
    return this.waiting.get(`${pilot}\u0001${callRef}`)?.caller;
  }

  /** The call left `pilot` at `time`: how long it waited (whole seconds), when its arrival was seen. */
  left(pilot: string, callRef: string, time: number): number | undefined {
    const k = `${pilot}\u0001${callRef}`;
    const w = this.waiting.get(k);
    this.waiting.delete(k);
    return w === undefined ? undefined : Math.max(0, Math.round((time - w.since) / 1000));
  }
}
