/**
 * The virtual PBX's call log: one record per user per finished call, built from the PBX's own change stream
 * (platform-neutral; front-ends render records in their dialect). A missed incoming call stays
 * unacknowledged until the user acknowledges it, which lowers the missed-call counter.
 * Emits `change` with a `ComlogChange` so front-ends can render their own notifications.
 */
import { EventEmitter } from 'node:events';
import type { PbxChange, SimCallView } from './types';
import type { VirtualPbx } from './virtual-pbx';

export interface SimComRecord {
  recordId: number;
  /** The call reference the user knew the call by. */
  ref: string;
  direction: 'incoming' | 'outgoing';
  answered: boolean;
  acknowledged: boolean;
  /** The other parties, as last seen. */
  parties: Array<{ number: string; name?: string; login?: string }>;
  reason: string;
  beginDate: number;
  endDate: number;
}

export interface ComlogFilter {
  unanswered?: boolean;
  unacknowledged?: boolean;
  /** Epoch ms: records that began at or after it. */
  after?: number;
}

/** Same bound as O2G: the log keeps the last 100 records of each user. */
const MAX_PER_USER = 100;

export type ComlogChange =
  | { kind: 'created'; user: string; record: SimComRecord; missedCalls: number }
  | { kind: 'acknowledged'; user: string; recordIds: number[]; missedCalls: number };

export class SimComlog extends EventEmitter {
  private readonly records = new Map<string, SimComRecord[]>();
  private readonly live = new Map<string, { begin: number; answered: boolean; view: SimCallView }>();
  private nextId = 1;
  private readonly onChange = (c: PbxChange): void => this.observe(c);

  constructor(private readonly pbx: VirtualPbx) {
    super();
    pbx.on('change', this.onChange);
  }

  list(user: string, f: ComlogFilter = {}): SimComRecord[] {
    return (this.records.get(user) ?? []).filter((r) =>
      (!f.unanswered || !r.answered) && (!f.unacknowledged || !r.acknowledged) && (f.after === undefined || r.beginDate >= f.after));
  }

  /** Acknowledges records; returns the ids that changed. */
  acknowledge(user: string, ids: Array<number | string>): number[] {
    const want = new Set(ids.map(Number));
    const changed: number[] = [];
    for (const r of this.records.get(user) ?? []) {
      if (want.has(r.recordId) && !r.acknowledged) {
        r.acknowledged = true;
        changed.push(r.recordId);
      }
    }
    if (changed.length) this.emitChange({ kind: 'acknowledged', user, recordIds: changed, missedCalls: this.missedCalls(user) });
    return changed;
  }

  /** Unanswered incoming calls not yet acknowledged. */
  missedCalls(user: string): number {
    return this.list(user, { unanswered: true, unacknowledged: true }).filter((r) => r.direction === 'incoming').length;
  }

  /** Adds a record directly (tests, demo data). */
  add(user: string, r: Omit<SimComRecord, 'recordId'>): SimComRecord {
    const rec = { ...r, recordId: this.nextId++ };
    const list = this.records.get(user) ?? [];
    list.push(rec);
    if (list.length > MAX_PER_USER) list.splice(0, list.length - MAX_PER_USER);
    this.records.set(user, list);
    this.emitChange({ kind: 'created', user, record: rec, missedCalls: this.missedCalls(user) });
    return rec;
  }

  close(): void {
    this.pbx.off('change', this.onChange);
    this.removeAllListeners();
  }

  private emitChange(c: ComlogChange): void {
    this.emit('change', c);
  }

  private observe(c: PbxChange): void {
    if (c.kind !== 'call') return;
    const key = `${c.user}|${c.view.uuid}`;
    const seen = this.live.get(key) ?? { begin: c.time, answered: false, view: c.view };
    if (c.view.state === 'active' || c.view.state === 'held') seen.answered = true;
    if (c.view.participants.length) seen.view = c.view;
    if (c.action !== 'removed') {
      this.live.set(key, seen);
      return;
    }
    this.live.delete(key);
    const v = seen.view;
    this.add(c.user, {
      ref: c.view.ref,
      direction: v.direction,
      answered: seen.answered,
      // Only a missed incoming call waits for acknowledgement (spec: "false = an unanswered incoming call").
      acknowledged: !(v.direction === 'incoming' && !seen.answered),
      parties: v.participants.map((p) => ({ number: p.number, name: p.name, login: p.login })),
      reason: c.cause,
      beginDate: seen.begin,
      endDate: c.time,
    });
  }
}
