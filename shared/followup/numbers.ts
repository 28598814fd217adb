/**
 * Phone numbers compared as people write them: `+33 1 23 45 67 89`, `0033123456789`, `0123456789` and, behind an
 * outside-line prefix, `00123456789` are one number. Without a numbering plan per country, the last
 * `matchDigits` digits of a long number stand for it (the national significant number in most plans); short numbers
 * (extensions) compare whole.
 */
export interface NumberOptions {
  /** Digit(s) dialled to get an outside line (`0`, `9`), that the PBX may show in front of outside numbers. */
  outsideLinePrefix?: string;
  /** Digits compared for long numbers. Default 9. */
  matchDigits?: number;
  /** Numbers up to this many digits are extensions: never stripped of an outside-line prefix. Default 6. */
  maxExtensionDigits?: number;
}

export const DEFAULT_MATCH_DIGITS = 9;

/** The key a number is compared by (`''` for no number: anonymous callers match nothing). */
export function numberKey(raw: string | undefined, o: NumberOptions = {}): string {
  if (!raw) return '';
  let digits = raw.replace(/\D/g, '');
  if (!digits) return '';
  const international = raw.trimStart().startsWith('+');
  const maxExt = o.maxExtensionDigits ?? 6;
  const prefix = o.outsideLinePrefix?.replace(/\D/g, '');
  if (!international && prefix && digits.length > maxExt && digits.startsWith(prefix)) {
    digits = digits.slice(prefix.length);
  }
  const keep = Math.max(4, Math.floor(o.matchDigits ?? DEFAULT_MATCH_DIGITS));
  return digits.length > keep ? digits.slice(-keep) : digits;
}
