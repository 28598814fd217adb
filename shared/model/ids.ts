import { createHash } from 'node:crypto';

/** A short stable id from the parts that identify an event at its source. */
export function eventId(parts: ReadonlyArray<string | number | undefined>): string {
  return createHash('sha1').update(parts.map((p) => (p === undefined ? '' : String(p))).join('\u0001')).digest('hex').slice(0, 20);
}
