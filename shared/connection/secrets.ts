/**
 * The one scrubber: secrets (passwords, session cookies, tokens, refresh tokens, Basic values) must never reach a
 * log, an error, a warning, a status or node output, even when a server echoes them back in its own text, in
 * whatever encoding it used. Every message built from server text goes through `scrub` (BaseConnection.scrub /
 * scrubError, for every platform).
 *
 * Each registered value is remembered in the forms a server or a library may write it: raw, URL-encoded (both
 * `%20` and form `+`), JSON-escaped (with and without `\/`, and with non-ASCII as `\uXXXX`), XML-escaped (named
 * and numeric entities), and base64 (standard, URL-safe, unpadded). A password also adds the base64 of
 * `login:password` (the HTTP Basic value) in the same forms.
 */
const MIN_SECRET = 4; // shorter values would blank out ordinary words
/**
 * Most forms of rotating values (session cookies, tokens, refresh tokens) kept: a token refreshed forever must not
 * grow the set without bound. The oldest go first; passwords (and plain `add`) are never dropped.
 */
const MAX_ROTATING = 1024;

export type SecretKind = 'password' | 'sessionCookie' | 'token' | 'refreshToken' | 'other';

const jsonEscaped = (v: string): string => JSON.stringify(v).slice(1, -1);
const asciiJson = (v: string): string => jsonEscaped(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const XML_NAMED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const XML_NUMERIC: Record<string, string> = { '&': '&#38;', '<': '&#60;', '>': '&#62;', '"': '&#34;', "'": '&#39;' };
const xmlEscaped = (v: string, table: Record<string, string>, chars = /[&<>"']/g): string => v.replace(chars, (c) => table[c]);
/** Serializers escape different subsets: text nodes often only `& <` (and `>`), attributes add one kind of quote. */
const XML_SUBSETS = [/[&<>"']/g, /[&<>]/g, /[&<]/g, /[&<>"]/g, /[&<>']/g, /[&<"]/g];

function base64Forms(v: string): string[] {
  const b64 = Buffer.from(v, 'utf8').toString('base64');
  const unpadded = b64.replace(/=+$/, '');
  return [b64, unpadded, Buffer.from(v, 'utf8').toString('base64url')];
}

/** The texts `v` may appear as once a server or a library has encoded it (the value itself first). */
export function encodedForms(v: string): string[] {
  const out = new Set<string>([v]);
  const add = (f: () => string) => {
    try {
      out.add(f());
    } catch {
      // lone surrogates cannot be URL-encoded: the other forms are enough
    }
  };
  add(() => encodeURIComponent(v));
  add(() => encodeURIComponent(v).replace(/%20/g, '+'));
  add(() => encodeURI(v));
  add(() => jsonEscaped(v));
  add(() => jsonEscaped(v).replace(/\//g, '\\/'));
  add(() => asciiJson(v));
  // application/x-www-form-urlencoded (URLSearchParams, axios form bodies): `+` for space, `'`, `(`, `)`, `!`, `~` escaped too.
  add(() => new URLSearchParams({ v }).toString().slice(2));
  for (const chars of XML_SUBSETS) {
    add(() => xmlEscaped(v, XML_NAMED, chars));
    add(() => xmlEscaped(v, XML_NUMERIC, chars));
  }
  return [...out];
}

export class Secrets {
  /** Passwords and values added without a kind: kept until `clear()`. */
  readonly #pinned = new Set<string>();
  /** Cookies and tokens, replaced over time: bounded. */
  readonly #rotating = new Set<string>();
  /** Longest first, so a value inside a longer one (a password inside its escaped form) never leaves a remnant. */
  #ordered: string[] = [];

  /** Remember a secret in every form (raw, URL, JSON, XML, base64 and the encodings of that). */
  add(value: unknown, kind: SecretKind = 'other'): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET) return;
    const forms = encodedForms(value);
    for (const b of base64Forms(value)) forms.push(...encodedForms(b));
    this.remember(forms, kind === 'password' || kind === 'other');
  }

  /** A password, and the HTTP Basic value `base64(login:password)` a server may echo from its Authorization header. */
  addPassword(password: unknown, login?: string): void {
    this.add(password, 'password');
    if (typeof password !== 'string' || password === '') return;
    const basic = `${login ?? ''}:${password}`;
    const forms: string[] = [];
    for (const b of base64Forms(basic)) forms.push(...encodedForms(b));
    // `login:password` itself, as a URL's user-info or a log line may carry it.
    if (login) forms.push(...encodedForms(basic));
    this.remember(forms, true);
  }

  /** A session cookie's value (ALE `AlcUserId`, TelServices session id...). */
  addSessionCookie(value: unknown): void {
    this.add(value, 'sessionCookie');
  }

  /** An access token. */
  addToken(value: unknown): void {
    this.add(value, 'token');
  }

  /** A refresh token. */
  addRefreshToken(value: unknown): void {
    this.add(value, 'refreshToken');
  }

  /** Forget everything (on close). */
  clear(): void {
    this.#pinned.clear();
    this.#rotating.clear();
    this.#ordered = [];
  }

  /** The text with every known secret (in any of its forms) replaced by `***`. */
  scrub(text: string): string {
    let out = text;
    for (const v of this.#ordered) if (out.includes(v)) out = out.split(v).join('***');
    // Shapes that are secrets whatever their value.
    return out
      .replace(/(Basic|Bearer)(?:\s|%20|\+)+[A-Za-z0-9+/=._~%-]{6,}/g, '$1 ***')
      .replace(/((?:AlcUserId|JSESSIONID|access_?token|refresh_?token|token|password|passwd|pwd|secret)["']?\s*(?:[=:]|%3D)\s*["']?)[^;,"'\s&<]+/gi, '$1***');
  }

  /** `util.inspect` and JSON show how many secrets are held, never their values. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secrets(${this.size})`;
  }

  toJSON(): string {
    return `Secrets(${this.size})`;
  }

  /** How many forms are held (for tests and inspect). */
  get size(): number {
    return this.#pinned.size + this.#rotating.size;
  }

  private remember(forms: string[], pinned: boolean): void {
    let changed = false;
    for (const f of forms) {
      if (f.length < MIN_SECRET || this.#pinned.has(f)) continue;
      if (pinned) {
        this.#rotating.delete(f);
        this.#pinned.add(f);
      } else {
        if (this.#rotating.has(f)) continue;
        if (this.#rotating.size >= MAX_ROTATING) {
          // Drop the oldest (a token replaced long ago): Sets iterate in insertion order.
          this.#rotating.delete(this.#rotating.values().next().value as string);
        }
        this.#rotating.add(f);
      }
      changed = true;
    }
    if (changed) this.#ordered = [...this.#pinned, ...this.#rotating].sort((a, b) => b.length - a.length);
  }
}
