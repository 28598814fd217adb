/**
 * Secrets (passwords, cookies, tokens, Basic values) must never reach a log, an error, a warning or node output,
 * even when a server echoes them back in its own text. Every message built from server text goes through `scrub`.
 */
const MIN_SECRET = 4; // shorter values would blank out ordinary words

export class Secrets {
  readonly #values = new Set<string>();

  /** Remember a secret (and its common encodings) so later messages can be scrubbed of it. */
  add(value: unknown): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET) return;
    this.#values.add(value);
    try {
      this.#values.add(encodeURIComponent(value));
    } catch {
      // lone surrogates: the raw value is enough
    }
  }

  /** Forget everything (on close). */
  clear(): void {
    this.#values.clear();
  }

  /** The text with every known secret replaced by `***`. */
  scrub(text: string): string {
    let out = text;
    for (const v of this.#values) if (out.includes(v)) out = out.split(v).join('***');
    // Shapes that are secrets whatever their value.
    return out
      .replace(/(Basic|Bearer)\s+[A-Za-z0-9+/=._-]{6,}/g, '$1 ***')
      .replace(/((?:AlcUserId|JSESSIONID|token|refresh_?token|password|pwd)["']?\s*[=:]\s*["']?)[^;,"'\s&]+/gi, '$1***');
  }

  /** `util.inspect` and JSON show how many secrets are held, never their values. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secrets(${this.#values.size})`;
  }

  toJSON(): string {
    return `Secrets(${this.#values.size})`;
  }
}
