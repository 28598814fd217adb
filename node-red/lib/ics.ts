/**
 * Minimal iCalendar (RFC 5545) reader for the calendar sync: VEVENT summary, start, end and free/busy.
 * Handles folded lines, UTC (`...Z`), floating local times and all-day dates (`VALUE=DATE`). Recurrences
 * (RRULE) are not expanded: export the calendar with expanded occurrences, or feed the events as an array.
 * Calendar input format only: the routing decision is shared/routing/calendar-sync.ts.
 */
import type { CalendarEvent } from '../../shared/routing/calendar-sync';

function icsTime(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', z] = m;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  return z ? new Date(Date.UTC(...parts)) : new Date(...parts);
}

export function parseIcs(text: string): CalendarEvent[] {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n[ \t]/g, '').split('\n');
  const events: CalendarEvent[] = [];
  let current: { title?: string; start?: Date; end?: Date; busy?: boolean; allDay?: boolean } | undefined;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) {
      if (current.start) {
        const end = current.end ?? new Date(current.start.getTime() + (current.allDay ? 86_400_000 : 0));
        events.push({ title: current.title ?? '', start: current.start, end, busy: current.busy });
      }
      current = undefined;
    } else if (current) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const [name, ...params] = line.slice(0, colon).split(';');
      const value = line.slice(colon + 1);
      switch (name.toUpperCase()) {
        case 'SUMMARY':
          current.title = value.replace(/\\([,;\\])/g, '$1').replace(/\\n/gi, ' ');
          break;
        case 'DTSTART':
          current.start = icsTime(value);
          current.allDay = params.some((p) => p.toUpperCase() === 'VALUE=DATE');
          break;
        case 'DTEND':
          current.end = icsTime(value);
          break;
        case 'TRANSP':
          current.busy = value.trim().toUpperCase() !== 'TRANSPARENT';
          break;
      }
    }
  }
  return events;
}
