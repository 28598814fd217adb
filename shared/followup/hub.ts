/**
 * One follow-up correlator per connection, shared by every consumer of it: the registry hands every n8n trigger and
 * Node-RED node of one credential the same connection, and this hands them the same follow-up state, so a call is
 * announced once per connection whoever listens. The state lives as long as the connection object (reconnects and
 * resyncs included: they come in as events like any other); a host restart forgets it (see docs/operations.md).
 */
import type { PbxEvent } from '../model/events';
import type { PbxConnection } from '../connection/types';
import { DEFAULT_FOLLOW_UP_MS, DEFAULT_SETTLE_MS, FollowUpCorrelator, unreturnedAfterMs, type FollowUpOptions } from './correlator';

export interface FollowUpSubscription {
  /** `call.unreturned` after this long without a return (ms); 0 or less: none. Default 30 min. */
  followUpMs?: number;
}

interface Subscriber {
  fn: (e: PbxEvent) => void;
  followUpMs: number;
}

/** How often what is due is checked: a fraction of the settle time, within these bounds (ms). */
const MIN_PERIOD_MS = 50;
const MAX_PERIOD_MS = 1000;

export class FollowUpHub {
  readonly correlator: FollowUpCorrelator;
  private readonly subscribers = new Set<Subscriber>();
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  private readonly periodMs: number;

  constructor(private readonly connection: PbxConnection, options: FollowUpOptions = {}) {
    this.correlator = new FollowUpCorrelator(options);
    this.periodMs = Math.min(MAX_PERIOD_MS, Math.max(MIN_PERIOD_MS, Math.round((options.settleMs ?? DEFAULT_SETTLE_MS) / 3)));
  }

  /** Follow-up events for `listener`: `call.unanswered`, `call.returned`, and `call.unreturned` for its own time. */
  subscribe(listener: (e: PbxEvent) => void, o: FollowUpSubscription = {}): () => void {
    const followUpMs = o.followUpMs === undefined ? DEFAULT_FOLLOW_UP_MS : o.followUpMs > 0 ? o.followUpMs : 0;
    const s: Subscriber = { fn: listener, followUpMs };
    this.subscribers.add(s);
    if (followUpMs > 0) this.correlator.want(followUpMs);
    this.unsubscribe ??= this.connection.onEvent((e) => this.feed(e));
    this.startTimer();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.subscribers.delete(s);
      if (followUpMs > 0) this.correlator.unwant(followUpMs);
      // The feed goes on (the state stays whole for the next consumer, e.g. a redeployed flow); the timer rests.
      if (!this.subscribers.size) this.stopTimer();
    };
  }

  /** Consumers listening now. */
  get listeners(): number {
    return this.subscribers.size;
  }

  /** Stops the timer and the feed (the connection closed). */
  stop(): void {
    this.stopTimer();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private feed(e: PbxEvent): void {
    if (e.type === 'connection.state' && e.connection?.state === 'disconnected' && e.connection.reason === 'closed') {
      hubs.delete(this.connection);
      this.stop();
      return;
    }
    let out: PbxEvent[];
    try {
      out = this.correlator.push(e);
    } catch {
      return; // a bad event must not stop the follow-up of the others
    }
    this.send(out);
  }

  private send(events: PbxEvent[]): void {
    for (const ev of events) {
      for (const s of this.subscribers) {
        if (ev.type === 'call.unreturned' && unreturnedAfterMs(ev) !== s.followUpMs) continue;
        try {
          s.fn(ev);
        } catch {
          // a consumer's bug is the consumer's
        }
      }
    }
  }

  /** Settled calls and follow-up times are checked on a short period, while someone listens. */
  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.send(this.correlator.tick());
      } catch {
        // nothing due is worth stopping the timer for
      }
    }, this.periodMs);
    // The connection keeps the process up while it works; a pending follow-up alone must not.
    this.timer.unref();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

const hubs = new WeakMap<PbxConnection, FollowUpHub>();

/** Options under every hub created from now on (a consumer's own options win); tests shorten the settle time. */
let defaults: FollowUpOptions = {};
export function configureFollowUp(o: FollowUpOptions = {}): void {
  defaults = { ...o };
}

/**
 * The follow-up hub of `connection`, created by its first consumer (whose `options` then apply to everyone: one
 * state per connection has one window and one way of comparing numbers).
 */
export function followUpOf(connection: PbxConnection, options?: FollowUpOptions): FollowUpHub {
  let hub = hubs.get(connection);
  if (!hub) hubs.set(connection, (hub = new FollowUpHub(connection, { ...defaults, ...options })));
  return hub;
}

/** The three event types the hub derives: a consumer subscribes to the hub for these, to the connection for the rest. */
export const FOLLOW_UP_TYPES = ['call.unanswered', 'call.returned', 'call.unreturned'] as const;
export const isFollowUpType = (t: string): boolean => (FOLLOW_UP_TYPES as readonly string[]).includes(t);
