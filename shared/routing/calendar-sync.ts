/**
 * "Sync forward with calendar": the decision logic, pure (no n8n, no Node-RED, no I/O), shared by both hosts.
 *
 * Given the calendar events, a rule ("while an event whose title matches … is in progress, forward to … /
 * voicemail / do not disturb"), the time now, the routing the PBX reports now and what the previous run
 * remembered, it returns the routing that should hold now, the operations that get there (only what differs)
 * and what to remember for the next run. The host runs the operations and stores `memory`.
 *
 * Policy, in one place:
 * - While a matching event is in progress the rule's state is enforced: a run that finds it already in place
 *   changes nothing; a run that finds something else (the rule's state was never set, or changed by hand
 *   meanwhile) sets it again.
 * - Before the first change, the routing that held (forward and/or DND, only what the rule touches) is
 *   remembered as `previous`, together with the state the sync `applied`.
 * - When no matching event is in progress any more, `previous` is restored, but only if the PBX still shows
 *   what the sync applied: a forward the user changed by hand after the event is theirs and is left alone.
 * - With nothing remembered and no event in progress, nothing is touched (the sync never cancels a forward it
 *   did not set).
 */
import type { RouteInfo, RoutingInfo } from '../model/events';

export type RouteCondition = 'immediate' | 'busy' | 'no_answer' | 'busy_no_answer';

export type SyncAction =
  | { kind: 'forward'; number: string; condition?: RouteCondition }
  | { kind: 'voicemail'; condition?: RouteCondition }
  | { kind: 'dnd' };

export interface SyncRule {
  /**
   * Which event titles the rule applies to: comma-separated patterns, case-insensitive, `*` = any characters;
   * a pattern without `*` matches when the title contains it. Empty = every event.
   */
  titlePattern?: string;
  action: SyncAction;
}

/** A calendar event, as mapped from a Google Calendar / Outlook / iCal item. */
export interface CalendarEvent {
  title: string;
  start: Date;
  end: Date;
  /** `false` for events shown as free/available: they never trigger the rule. */
  busy?: boolean;
}

/** The part of the routing the sync manages: only the keys the rule touches are present. */
export interface RoutingTarget {
  forward?: RouteInfo | null;
  dnd?: boolean;
}

/** What a run remembers for the next one (JSON-serialisable: n8n static data, Node-RED context). */
export interface SyncMemory {
  /** The routing the sync set. */
  applied: RoutingTarget;
  /** The routing that held before; restored when the event is over. */
  previous: RoutingTarget;
  /** Title of the event that caused the change (for the output only). */
  eventTitle: string;
  /** ISO time of the first change. */
  since: string;
}

export type SyncOperation = 'setForward' | 'cancelForward' | 'setDnd';

export interface SyncChange {
  /** Catalogue operation to run, with its input. */
  operation: SyncOperation;
  input: Record<string, unknown>;
  /** Human-readable, e.g. "forward to 0612345678 (immediate) because "Team meeting" is in progress". */
  description: string;
}

export interface SyncPlan {
  now: string;
  /** The matching event in progress, if any. */
  activeEvent: { title: string; start: string; end: string } | null;
  /** What the routing should be after this run (only the managed keys); null = left as is. */
  desired: RoutingTarget | null;
  changes: SyncChange[];
  /** Store this for the next run (null = forget). */
  memory: SyncMemory | null;
  /** Why: one sentence. */
  reason: string;
}

export interface SyncInput {
  events: CalendarEvent[];
  rule: SyncRule;
  now: Date;
  current: RoutingInfo;
  memory: SyncMemory | null | undefined;
}

export function planCalendarSync({ events, rule, now, current, memory }: SyncInput): SyncPlan {
  const matches = titleMatcher(rule.titlePattern);
  const t = now.getTime();
  const inProgress = events
    .filter((e) => e.busy !== false && e.start.getTime() <= t && t < e.end.getTime() && matches(e.title))
    // The one that lasts longest decides (all matching events ask for the same state anyway).
    .sort((a, b) => b.end.getTime() - a.end.getTime());
  const active = inProgress[0];
  const base = {
    now: now.toISOString(),
    activeEvent: active ? { title: active.title, start: active.start.toISOString(), end: active.end.toISOString() } : null,
  };

  if (active) {
    const target = targetOf(rule.action);
    const why = `"${active.title}" is in progress until ${active.end.toISOString()}`;
    const changes = changesFor(current, target, why);
    const kept: SyncMemory | null = memory ?? null;
    if (!changes.length) {
      return {
        ...base, desired: target, changes, memory: kept,
        reason: `Routing already as the rule wants while ${why}; nothing changed`,
      };
    }
    const next: SyncMemory = kept
      ? { ...kept, applied: target, eventTitle: active.title }
      : { applied: target, previous: snapshot(current, target), eventTitle: active.title, since: base.now };
    return { ...base, desired: target, changes, memory: next, reason: `Applied the rule because ${why}` };
  }

  if (!memory) {
    return { ...base, desired: null, changes: [], memory: null, reason: 'No matching event in progress; routing left as is' };
  }
  if (!sameTarget(current, memory.applied)) {
    return {
      ...base, desired: null, changes: [], memory: null,
      reason: `"${memory.eventTitle}" is over, but the routing was changed by hand since; left as is`,
    };
  }
  const why = `"${memory.eventTitle}" is over: restoring the routing that held before`;
  return { ...base, desired: memory.previous, changes: changesFor(current, memory.previous, why), memory: null, reason: why };
}

/** The routing the rule asks for. */
export function targetOf(action: SyncAction): RoutingTarget {
  switch (action.kind) {
    case 'forward':
      return { forward: { type: 'number', destination: action.number.trim(), condition: action.condition ?? 'immediate' } };
    case 'voicemail':
      return { forward: { type: 'voicemail', condition: action.condition ?? 'immediate' } };
    case 'dnd':
      return { dnd: true };
  }
}

/** The current values of the keys `target` manages. */
function snapshot(current: RoutingInfo, target: RoutingTarget): RoutingTarget {
  const out: RoutingTarget = {};
  if ('forward' in target) out.forward = current.forward ? { ...current.forward } : null;
  if ('dnd' in target) out.dnd = current.dnd;
  return out;
}

function sameRoute(a: RouteInfo | null | undefined, b: RouteInfo | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  if (a.condition !== b.condition) return false;
  if (a.type === 'voicemail' || b.type === 'voicemail') return a.type === b.type;
  return (a.destination ?? '') === (b.destination ?? '');
}

/** True when `current` already shows every key of `target`. */
export function sameTarget(current: RoutingInfo, target: RoutingTarget): boolean {
  if ('forward' in target && !sameRoute(current.forward, target.forward)) return false;
  if ('dnd' in target && current.dnd !== target.dnd) return false;
  return true;
}

function describeRoute(r: RouteInfo): string {
  const where = r.type === 'voicemail' ? 'voicemail' : (r.destination ?? r.type);
  return `forward to ${where} (${r.condition})`;
}

/** The operations that turn `current` into `target`, only for what differs. */
export function changesFor(current: RoutingInfo, target: RoutingTarget, why: string): SyncChange[] {
  const changes: SyncChange[] = [];
  if ('forward' in target && !sameRoute(current.forward, target.forward)) {
    const f = target.forward;
    if (!f) {
      changes.push({ operation: 'cancelForward', input: {}, description: `cancel the forward because ${why}` });
    } else if (f.type === 'voicemail') {
      changes.push({ operation: 'setForward', input: { target: 'voicemail', number: '', condition: f.condition }, description: `${describeRoute(f)} because ${why}` });
    } else if (f.destination) {
      changes.push({ operation: 'setForward', input: { target: 'number', number: f.destination, condition: f.condition }, description: `${describeRoute(f)} because ${why}` });
    } else {
      // A forward kind the catalogue cannot set (e.g. a platform-specific target without a number).
      changes.push({ operation: 'cancelForward', input: {}, description: `cancel the forward (a "${f.type}" forward cannot be set back automatically) because ${why}` });
    }
  }
  if ('dnd' in target && target.dnd !== undefined && current.dnd !== target.dnd) {
    changes.push({ operation: 'setDnd', input: { enabled: target.dnd }, description: `turn do not disturb ${target.dnd ? 'on' : 'off'} because ${why}` });
  }
  return changes;
}

/** Case-insensitive title matcher; see `SyncRule.titlePattern`. */
export function titleMatcher(pattern: string | undefined): (title: string) => boolean {
  const parts = (pattern ?? '').split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  if (!parts.length) return () => true;
  const res = parts.map((p) =>
    p.includes('*')
      ? new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 's')
      : undefined,
  );
  return (title) => {
    const t = title.toLowerCase();
    return parts.some((p, i) => (res[i] ? res[i]!.test(t) : t.includes(p)));
  };
}

/**
 * Reads a calendar time as the calendar nodes give it: an ISO string, epoch milliseconds, a Date, or an object
 * `{ dateTime, timeZone? }` / `{ date }` (Google Calendar, Microsoft Outlook). A date without time (all-day
 * event) is local midnight; Outlook's `dateTime` without offset with `timeZone: "UTC"` is UTC.
 * Returns undefined when the value is not a time.
 */
export function parseCalendarTime(value: unknown): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.dateTime === 'string') {
      const utc = typeof o.timeZone === 'string' && /^(utc|etc\/utc|z)$/i.test(o.timeZone) && !/[zZ]|[+-]\d\d:?\d\d$/.test(o.dateTime);
      return parseCalendarTime(utc ? `${o.dateTime}Z` : o.dateTime);
    }
    if (typeof o.date === 'string') return parseCalendarTime(o.date);
    return undefined;
  }
  if (typeof value !== 'string') return undefined;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (day) return new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
