/** Capped exponential back-off with full jitter: spreads reconnects of many clients after a PBX restart. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly initial: number;
  private readonly max: number;
  private readonly random: () => number;

  constructor(o: BackoffOptions = {}) {
    this.initial = o.initialMs ?? 500;
    this.max = o.maxMs ?? 30_000;
    this.random = o.random ?? Math.random;
  }

  get attempts(): number {
    return this.attempt;
  }

  /** Delay before the next try. */
  next(): number {
    const ceiling = Math.min(this.max, this.initial * 2 ** this.attempt);
    this.attempt++;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
