/**
 * Field checks for everything read off the wire: a decoder or normalizer never trusts a field's type or range.
 * Each helper returns a value of the expected type or `undefined`; none throws.
 */

/** Longest text kept from one wire field (names, numbers, ids); longer values are cut. */
export const MAX_FIELD = 512;

export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A string (cut to `max`), a finite number as its decimal text, or undefined. Objects never become text. */
export function text(v: unknown, max = MAX_FIELD): string | undefined {
  if (typeof v === 'string') return v.length > max ? v.slice(0, max) : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A non-empty text, or undefined. */
export function nonEmpty(v: unknown, max = MAX_FIELD): string | undefined {
  const s = text(v, max);
  return s ? s : undefined;
}

/** An integer within [min, max] (numbers or numeric strings), or undefined. */
export function int(v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/** A boolean from `true`/`false`, 1/0 or their texts, or undefined. */
export function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === '1' || v === 'true') return true;
  if (v === 0 || v === '0' || v === 'false') return false;
  return undefined;
}

/** An array (possibly empty) or undefined; never a string or object posing as one. */
export const list = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

// Event times outside this window are not believed: a PBX clock in microseconds or a zero date is a bug upstream.
const EARLIEST = Date.UTC(2000, 0, 1);
const AHEAD_MS = 24 * 3600_000;

/**
 * An event time in epoch ms that is plausible next to `now` (after 2000, at most a day ahead), else undefined:
 * the caller uses the receive time. Accepts epoch ms, epoch seconds and ISO texts.
 */
export function eventTime(v: unknown, now: number): number | undefined {
  let ms: number;
  if (typeof v === 'number') ms = v;
  else if (typeof v === 'string' && v.length <= 64) ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v);
  else return undefined;
  if (!Number.isFinite(ms)) return undefined;
  if (ms > 0 && ms < 1e11) ms *= 1000; // epoch seconds
  return ms >= EARLIEST && ms <= now + AHEAD_MS ? ms : undefined;
}
