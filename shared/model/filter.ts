/**
 * Event filters shared by the n8n trigger and the Node-RED event node, so "missed call for 201 from outside"
 * means the same in both.
 */
import type { EventType, PbxEvent } from './events';

export interface EventFilter {
  /** Event types to pass; empty = all. */
  types?: EventType[];
  /** Logins or extensions whose events pass; empty = all monitored users. */
  users?: string[];
  direction?: 'any' | 'incoming' | 'outgoing';
  /** `internal`: the other party is a PBX user (has a login or a short number); `external`: the others. */
  callers?: 'any' | 'internal' | 'external';
  /** Glob on the other party's number: `*` any digits, `?` one; several patterns separated by commas. */
  numberPattern?: string;
  /** Missed calls that rang less than this are dropped (spam, instant hang-ups). */
  minRingSecondsForMissed?: number;
  /** Numbers this short or shorter count as internal extensions. Default 6. */
  internalMaxDigits?: number;
}

export function compileFilter(f: EventFilter): (e: PbxEvent) => boolean {
  const types = f.types?.length ? new Set(f.types) : undefined;
  const users = f.users?.length ? new Set(f.users.map((u) => u.trim()).filter(Boolean)) : undefined;
  const patterns = (f.numberPattern ?? '').split(',').map((p) => p.trim()).filter(Boolean).map(globToRegExp);
  const maxInternal = f.internalMaxDigits ?? 6;
  return (e) => {
    if (types && !types.has(e.type)) return false;
    if (e.type === 'connection.state') return true;
    if (users && !users.has(e.user)) return false;
    const c = e.call;
    if (!c) return !(f.direction && f.direction !== 'any') && !patterns.length && !(f.callers && f.callers !== 'any');
    if (f.direction && f.direction !== 'any' && c.direction !== f.direction) return false;
    const other = c.direction === 'incoming' ? c.from : c.to;
    if (f.callers && f.callers !== 'any') {
      const digits = other.number.replace(/\D/g, '');
      const internal = !!other.login || (digits.length > 0 && digits.length <= maxInternal);
      if ((f.callers === 'internal') !== internal) return false;
    }
    if (patterns.length && !patterns.some((re) => re.test(other.number))) return false;
    if (e.type === 'call.missed' && f.minRingSecondsForMissed && (c.ringSeconds ?? 0) < f.minRingSecondsForMissed) return false;
    return true;
  };
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
