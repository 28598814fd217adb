/**
 * Issue 19.10: the one scrubber (shared/connection/secrets.ts), form by form. Each form is written the way a server
 * or a library echoes it; none may survive `scrub`, and BaseConnection.scrubError applies it to every text an error
 * carries (message, help message, excerpt, cause chain) while keeping the error's class and fields.
 */
import { inspect } from 'node:util';
import { scrubErrorWith } from '../../shared/connection/base';
import { Secrets } from '../../shared/connection/secrets';
import { AuthError, DecodeError, InputError, PbxApiError, PbxError } from '../../shared/errors';

const LOGIN = 'bob';
const PASSWORD = 'p&ss/wörd "<x>" + 1';
const b64 = (v: string) => Buffer.from(v, 'utf8').toString('base64');
const b64url = (v: string) => Buffer.from(v, 'utf8').toString('base64url');
const jsonEsc = (v: string) => JSON.stringify(v).slice(1, -1);

function secrets(): Secrets {
  const s = new Secrets();
  s.addPassword(PASSWORD, LOGIN);
  return s;
}

const FORMS: Array<[string, (v: string) => string]> = [
  ['raw', (v) => v],
  ['URL-encoded', (v) => encodeURIComponent(v)],
  ['form-encoded', (v) => encodeURIComponent(v).replace(/%20/g, '+')],
  ['JSON-escaped', jsonEsc],
  ['JSON-escaped with \\/', (v) => jsonEsc(v).replace(/\//g, '\\/')],
  ['JSON-escaped ASCII-only', (v) => jsonEsc(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)],
  ['XML-escaped', (v) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')],
  ['XML numeric entities', (v) => v.replace(/&/g, '&#38;').replace(/</g, '&#60;').replace(/>/g, '&#62;').replace(/"/g, '&#34;')],
];

describe('Secrets: every form of the password', () => {
  it.each(FORMS)('the password, %s', (_name, form) => {
    const text = `server said: ${form(PASSWORD)} (end)`;
    expect(secrets().scrub(text)).toBe('server said: *** (end)');
  });

  it.each([
    ['base64', b64(PASSWORD)],
    ['base64url', b64url(PASSWORD)],
    ['unpadded base64', b64(PASSWORD).replace(/=+$/, '')],
    ['base64, URL-encoded', encodeURIComponent(b64(PASSWORD))],
  ])('the password in %s', (_name, value) => {
    expect(secrets().scrub(`echo ${value} end`)).toBe('echo *** end');
  });

  it.each([
    ['base64', b64(`${LOGIN}:${PASSWORD}`)],
    ['base64url', b64url(`${LOGIN}:${PASSWORD}`)],
    ['base64, URL-encoded', encodeURIComponent(b64(`${LOGIN}:${PASSWORD}`))],
    ['base64, JSON-escaped with \\/', jsonEsc(b64(`${LOGIN}:${PASSWORD}`)).replace(/\//g, '\\/')],
    ['login:password itself', `${LOGIN}:${PASSWORD}`],
  ])('login:password in %s, bare (no "Basic" before it)', (_name, value) => {
    const out = secrets().scrub(`"x-echo": "${value}"`);
    expect(out).toBe('"x-echo": "***"');
  });
});

describe('Secrets: cookies, tokens, refresh tokens', () => {
  const token = 'eyJhbGciOi.J9+abc/def==';
  it.each([
    ['session cookie', (s: Secrets) => s.addSessionCookie(token)],
    ['token', (s: Secrets) => s.addToken(token)],
    ['refresh token', (s: Secrets) => s.addRefreshToken(token)],
  ])('a %s, raw, URL-encoded and JSON-escaped', (_name, register) => {
    const s = new Secrets();
    register(s);
    for (const form of [token, encodeURIComponent(token), jsonEsc(token).replace(/\//g, '\\/')]) {
      expect(s.scrub(`value ${form} end`)).toBe('value *** end');
    }
  });

  it('rotating tokens are bounded; the password never leaves', () => {
    const s = new Secrets();
    s.addPassword(PASSWORD, LOGIN);
    for (let i = 0; i < 500; i++) s.addToken(`token-number-${i}-${'x'.repeat(10)}`);
    expect(s.size).toBeLessThan(1200);
    expect(s.scrub(`${PASSWORD} ${b64(PASSWORD)}`)).toBe('*** ***');
    expect(s.scrub(`token-number-499-${'x'.repeat(10)}`)).toBe('***');
    expect(inspect(s)).toMatch(/^Secrets\(\d+\)$/);
    expect(JSON.stringify({ s })).not.toContain('token-number');
  });
});

describe('scrubErrorWith: every text an error carries, same class and fields', () => {
  const s = secrets();
  const scrub = (t: string) => s.scrub(t);
  const leak = b64(`${LOGIN}:${PASSWORD}`);

  it('a PbxApiError: message and help message', () => {
    const e = scrubErrorWith(new PbxApiError(`GET /x: HTTP 500 - ${leak}`, { status: 500, type: 'SERVER_PROBLEM', helpMessage: `echo ${b64(PASSWORD)}` }), scrub);
    expect(e).toBeInstanceOf(PbxApiError);
    expect(e).toMatchObject({ status: 500, type: 'SERVER_PROBLEM', message: 'GET /x: HTTP 500 - ***', helpMessage: 'echo ***' });
  });

  it('an AuthError whose cause echoes the Basic value: the cause is scrubbed too', () => {
    const cause = new PbxApiError('session open: HTTP 403', { helpMessage: `Authorization: Basic ${leak}` });
    const e = scrubErrorWith(new AuthError('Session refused', { cause }), scrub);
    expect(e).toBeInstanceOf(AuthError);
    expect(inspect(e, { depth: 5 })).not.toContain(leak);
    expect((e.cause as PbxApiError).helpMessage).toBe('Authorization: Basic ***');
  });

  it('a cause that is not a PbxError (an HTTP library error with its headers) does not travel as it is', () => {
    const lib = Object.assign(new Error('boom'), { config: { headers: { Authorization: `Basic ${leak}` } } });
    const e = scrubErrorWith(new PbxError('NETWORK', 'cannot reach', { cause: lib }), scrub);
    expect(inspect(e, { depth: 8 })).not.toContain(leak);
  });

  it('a DecodeError excerpt, and a typed input error keeps its class and field', () => {
    const d = scrubErrorWith(new DecodeError('bad line', `{"pwd":"${encodeURIComponent(PASSWORD)}"`), scrub) as DecodeError;
    expect(d).toBeInstanceOf(DecodeError);
    expect(d.excerpt).not.toContain(encodeURIComponent(PASSWORD));
    const i = scrubErrorWith(new InputError('makeCall', 'destination', `Make Call: "${PASSWORD}" is not a number`), scrub);
    expect(i).toBeInstanceOf(InputError);
    expect(i).toMatchObject({ field: 'destination', operation: 'makeCall', code: 'INVALID_INPUT', message: 'Make Call: "***" is not a number' });
  });
});
