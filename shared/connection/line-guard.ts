/**
 * The per-line guard every platform's event path runs through: whatever one line (frame, datagram, socket.io
 * event) does inside decode -> normalize -> tracker, it costs that line only. The stream and the host go on.
 */
import { DecodeError } from '../errors';

export type Guarded<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

/** Runs `work` for one input; any exception becomes a `DecodeError` carrying an excerpt of the input. */
export function guardLine<T>(input: string, work: () => T): Guarded<T> {
  try {
    return { ok: true, value: work() };
  } catch (err) {
    if (err instanceof DecodeError) return { ok: false, error: err };
    // Not a decoder verdict: a field of an unexpected shape reached code that trusted it. Still one bad line.
    const why = err instanceof Error ? `${err.name}: ${err.message}` : 'unexpected value';
    return { ok: false, error: new DecodeError(`unreadable event (${why})`, excerpt(input)) };
  }
}

/** A short, printable excerpt of an input (never the whole of a huge line). */
export function excerpt(input: unknown, max = 120): string {
  let s: string;
  try {
    s = typeof input === 'string' ? input : JSON.stringify(input) ?? String(input);
  } catch {
    s = '[unprintable]';
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
