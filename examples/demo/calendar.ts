/**
 * The demo's calendar: the sample ICS (examples/demo/out-of-office.ics) with its "Out of office" event
 * re-timed so that it starts and ends while the demo runs. A static file cannot do that by itself, and RRULE is
 * deliberately not expanded by the pack's ICS reader, so the demo writes explicit occurrences.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface TimeWindow {
  start: Date;
  end: Date;
}

/** `20250101T090000Z` (UTC, seconds precision: what calendar exports use). */
export function icsUtc(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Copies the template's first "Out of office" VEVENT once per window; other events are kept as they are, so the
 * file still shows that non-matching (and free) events leave the routing alone.
 */
export function retimeIcs(template: string, windows: readonly TimeWindow[]): string {
  const text = template.replace(/\r\n/g, '\n');
  const blocks = [...text.matchAll(/BEGIN:VEVENT\n[\s\S]*?END:VEVENT\n?/g)].map((m) => m[0]);
  const ooo = blocks.find((b) => /^SUMMARY:out of office/im.test(b));
  if (!ooo) throw new Error('demo calendar: the template has no "Out of office" event');
  const copies = windows.map((w, i) =>
    ooo
      .replace(/^UID:(.*)$/m, (_l, uid: string) => `UID:${i}-${uid}`)
      .replace(/^DTSTART[^:\n]*:.*$/m, `DTSTART:${icsUtc(w.start)}`)
      .replace(/^DTEND[^:\n]*:.*$/m, `DTEND:${icsUtc(w.end)}`),
  );
  const head = text.slice(0, text.indexOf('BEGIN:VEVENT'));
  const others = blocks.filter((b) => b !== ooo);
  // RFC 5545 wants CRLF line endings.
  return `${head}${[...copies, ...others].join('')}END:VCALENDAR\n`.replace(/\n/g, '\r\n');
}

/**
 * Writes the re-timed calendar where the flow's "file in" node reads it. Atomically (a new file renamed over the
 * old one): the flow reads it every few seconds, also while the demo rewrites it, and must never see half a file.
 */
export function writeDemoCalendar(templatePath: string, outPath: string, windows: readonly TimeWindow[]): void {
  const next = `${outPath}.${process.pid}.new`;
  writeFileSync(next, retimeIcs(readFileSync(templatePath, 'utf8'), windows));
  renameSync(next, outPath);
}
