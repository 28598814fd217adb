/**
 * Calls waiting on CCD pilots, by pilot and call reference: O2G's pilot events say when a call arrives and when it
 * leaves, not how long it waited, and one arrival may be told twice (`OnPilotCallCreated`, then `OnPilotCallQueued`
 * when no agent is free). Bounded: the oldest entries go first (a removal lost in an outage must not leak).
 */
const MAX_WAITING = 10_000;

export class PilotCalls {
  private readonly since = new Map<string, number>();

  /** A call reached `pilot` at `time`: true the first time, false when it was already known to wait there. */
  joined(pilot: string, callRef: string, time: number): boolean {
    const k = `${pilot}\u0001${callRef}`;
    if (this.since.has(k)) return false;
    if (this.since.size >= MAX_WAITING) this.since.delete(this.since.keys().next().value!);
    this.since.set(k, time);
    return true;
  }

  /** The call left `pilot` at `time`: how long it waited (whole seconds), when its arrival was seen. */
  left(pilot: string, callRef: string, time: number): number | undefined {
    const k = `${pilot}\u0001${callRef}`;
    const t0 = this.since.get(k);
    this.since.delete(k);
    return t0 === undefined ? undefined : Math.max(0, Math.round((time - t0) / 1000));
  }
}
