/**
 * The one HTTP client of the core, on axios, for every platform (ALE REST and event channel, the Voicenter login
 * API, the TelServices HTTP binding):
 * - one deadline for the whole exchange (connection, answer and body): an abort timer of ours, since axios'
 *   `timeout` is a socket inactivity timer that a slowly dripping body never trips;
 * - a cap on the answer's size (decompressed bytes);
 * - no surprises: no redirect followed (a 3xx is an answer), no proxy (not even HTTP(S)_PROXY from the environment:
 *   a PBX is on the local network), bodies sent and returned untouched (no JSON guessing);
 * - TLS verified by default (`rejectUnauthorized`), with an extra CA when given;
 * - cookies remembered per origin where a platform asks for them (ALE's load balancers set affinity cookies);
 * - one error mapper: TIMEOUT, NETWORK with the system code and, for TLS codes, what to do about it (errors.ts
 *   `tlsProblem`), and every text of it through the connection's secret scrubber.
 *
 * Statuses are not judged here: every status is an answer, the platform maps it. An axios error carries the
 * request's config (headers: cookies, Authorization; body: a password): it is never passed on, not even as a
 * `cause`; only its code and a copy of the socket/TLS error's message survive.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { types } from 'node:util';
import axios, { type AxiosInstance, type AxiosResponse, type RawAxiosRequestHeaders } from 'axios';
import { isLastingNetworkProblem, PbxError, tlsProblem } from '../errors';
import type { Secrets } from './secrets';
import type { TlsOptions } from './types';

/** The connection's secret scrubber (`Secrets`), or anything that scrubs the same way. */
export type Scrubber = Pick<Secrets, 'scrub'>;

/**
 * How a platform words the failures of an exchange; `what` names the exchange (`GET /api/rest`, a host). Only the
 * words differ between platforms (their messages are pinned by tests and read by users); the mapping is one.
 */
export interface HttpWords {
  timeout(what: string, ms: number): string;
  /** `hint` is set for TLS codes (errors.ts `tlsProblem`). */
  unreachable(what: string, code: string, hint: string | undefined): string;
  tooLarge(what: string, maxBytes: number): string;
}

export const DEFAULT_WORDS: HttpWords = {
  timeout: (what, ms) => `${what}: no answer within ${ms} ms`,
  unreachable: (what, code, hint) => `${what}: ${code}${hint ? ` (${hint})` : ''}`,
  tooLarge: (what, max) => `${what}: the answer is larger than ${max} bytes`,
};

/** Default cap on an answer: larger than any PBX API answer this pack reads. */
export const DEFAULT_MAX_BYTES = 1 << 20;

export interface HttpClientOptions {
  tls?: TlsOptions;
  /** Pooled keep-alive connections (default false: a connection per exchange, nothing open afterwards). */
  keepAlive?: boolean;
  /** Largest answer `request()` reads, in bytes (default 1 MiB). */
  maxBytes?: number;
  /** Remember the cookies servers set, per origin (`cookiesFor`, `forgetCookies`). Default false. */
  cookies?: boolean;
  /** Applied to every text of every error (message and cause). */
  secrets?: Scrubber;
  words?: HttpWords;
}

export interface HttpRequestOptions {
  method: string;
  headers?: Record<string, string>;
  /** Sent as UTF-8, as is. */
  body?: string;
  /** The deadline for the whole exchange (for `stream()`: until the answer's headers). */
  timeoutMs: number;
  /** How errors name this exchange; default: the method and the URL's path (never its query). */
  what?: string;
}

export interface HttpResult {
  status: number;
  /** As Node gives them: lower-case names, `set-cookie` an array. */
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Where a URL points, without its query (queries carry subscription ids and tokens). */
export function describe(method: string, url: string): string {
  try {
    return `${method} ${new URL(url).pathname}`;
  } catch {
    return method;
  }
}

const identity = <T>(d: T): T => d;
const noop = () => undefined;
const unscrubbed: Scrubber = { scrub: (t) => t };
// PBX administrators see who talks to their server in its access logs.
const USER_AGENT = 'pbxflow (@pbxflow/n8n-nodes-pbx)';
const MAX_COOKIES = 50;

export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly tlsOptions: https.AgentOptions;
  /** Streams: a connection of their own, never reused (a stream holds it for minutes). */
  private streamAgents?: { http: http.Agent; https: https.Agent };
  private readonly axios: AxiosInstance;
  private readonly maxBytes: number;
  private readonly words: HttpWords;
  private readonly secrets: Scrubber;
  /** Exchanges in flight, so `close()` ends them at once. */
  private readonly inflight = new Set<AbortController>();
  private readonly jar?: Map<string, Map<string, string>>;

  constructor(o: HttpClientOptions = {}) {
    const tls = o.tls ?? {};
    this.tlsOptions = { rejectUnauthorized: tls.rejectUnauthorized !== false, ...(tls.ca ? { ca: tls.ca } : {}) };
    const keepAlive = o.keepAlive === true;
    this.httpAgent = new http.Agent({ keepAlive });
    this.httpsAgent = new https.Agent({ keepAlive, ...this.tlsOptions });
    this.maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
    this.words = o.words ?? DEFAULT_WORDS;
    this.secrets = o.secrets ?? unscrubbed;
    if (o.cookies) this.jar = new Map();
    this.axios = axios.create({
      adapter: 'http',
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      timeout: 0,
      validateStatus: () => true,
      maxRedirects: 0,
      proxy: false,
      transformRequest: [identity],
      transformResponse: [identity],
      responseType: 'arraybuffer',
      maxBodyLength: -1,
    });
  }

  /** One exchange, fully read, within `timeoutMs`; an answer over the size cap is an error. */
  async request(url: string, o: HttpRequestOptions): Promise<HttpResult> {
    const what = o.what ?? describe(o.method, url);
    httpUrl(url, `The URL for ${o.method}`);
    const deadline = this.deadline(o.timeoutMs);
    try {
      const res = await this.axios.request<Buffer>({
        url,
        method: o.method,
        headers: headersFor(o),
        data: o.body !== undefined ? Buffer.from(o.body, 'utf8') : undefined,
        signal: deadline.signal,
        maxContentLength: this.maxBytes,
      });
      const headers = plainHeaders(res);
      this.remember(url, headers['set-cookie']);
      return { status: res.status, headers, text: Buffer.isBuffer(res.data) ? res.data.toString('utf8') : String(res.data ?? '') };
    } catch (err) {
      throw this.failure(what, o.timeoutMs, deadline, err);
    } finally {
      deadline.clear();
    }
  }

  /**
   * A streaming exchange: resolves once the answer's headers arrive (within `timeoutMs`), with the socket's own
   * response stream (uncompressed, no size cap: the reader bounds its lines); the caller calls `abort()` when done.
   */
  async stream(url: string, o: HttpRequestOptions): Promise<{ res: http.IncomingMessage; abort: () => void }> {
    const what = o.what ?? describe(o.method, url);
    httpUrl(url, `The URL for ${o.method}`);
    const agents = (this.streamAgents ??= { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false, ...this.tlsOptions }) });
    const deadline = this.deadline(o.timeoutMs);
    let response: AxiosResponse<Readable>;
    try {
      response = await this.axios.request<Readable>({
        url,
        method: o.method,
        headers: { ...headersFor(o), 'Accept-Encoding': 'identity' },
        data: o.body !== undefined ? Buffer.from(o.body, 'utf8') : undefined,
        signal: deadline.signal,
        responseType: 'stream',
        decompress: false,
        // A cap would put a transform between the socket and the reader.
        maxContentLength: -1,
        httpAgent: agents.http,
        httpsAgent: agents.https,
      });
    } catch (err) {
      deadline.clear();
      throw this.failure(what, o.timeoutMs, deadline, err);
    }
    // The deadline is for the answer; the stream lives until the caller aborts it (or close()).
    deadline.stopClock();
    const res = response.data;
    if (!(res instanceof http.IncomingMessage)) {
      deadline.clear();
      (res as Readable | undefined)?.destroy?.();
      throw new PbxError('NETWORK', this.secrets.scrub(`${what}: unexpected response stream`), { canRetry: true });
    }
    // Stopping the stream makes axios report a cancellation on it: the caller has its own listeners, or none.
    res.on('error', noop);
    res.once('close', () => deadline.clear());
    res.socket?.setNoDelay(true);
    return {
      res,
      abort: () => {
        deadline.abort();
        res.destroy();
      },
    };
  }

  /** `name=value` of every cookie `url`'s origin set (with `cookies: true`). */
  cookiesFor(url: string): string[] {
    const o = originOf(url);
    const cookies = o ? this.jar?.get(o) : undefined;
    return cookies ? [...cookies].map(([k, v]) => `${k}=${v}`) : [];
  }

  /** Forgets an origin's cookies (a new login starts clean). */
  forgetCookies(url: string): void {
    const o = originOf(url);
    if (o) this.jar?.delete(o);
  }

  /** Ends every exchange in flight (as CLOSED) and every open connection. The client stays usable. */
  close(): void {
    for (const c of [...this.inflight]) c.abort(new PbxError('CLOSED', 'The connection is closed'));
    this.inflight.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.streamAgents?.http.destroy();
    this.streamAgents?.https.destroy();
  }

  private deadline(ms: number): Deadline {
    const d = new Deadline(ms, () => this.inflight.delete(d.controller));
    this.inflight.add(d.controller);
    return d;
  }

  /** The one error mapper: whatever failed, a PbxError in the platform's words, scrubbed, holding no request. */
  private failure(what: string, ms: number, deadline: Deadline, err: unknown): PbxError {
    const scrub = (t: string) => this.secrets.scrub(t);
    if (deadline.expired) return new PbxError('TIMEOUT', scrub(this.words.timeout(what, ms)), { canRetry: true });
    const reason: unknown = deadline.signal.aborted ? deadline.signal.reason : undefined;
    if (reason instanceof PbxError) return new PbxError(reason.code, scrub(reason.message), { canRetry: reason.canRetry });
    if (err instanceof PbxError) return new PbxError(err.code, scrub(err.message), { canRetry: err.canRetry });
    if (axios.isCancel(err)) return new PbxError('NETWORK', scrub(`${what}: aborted`), { canRetry: true });
    if (axios.isAxiosError(err) && /maxContentLength/.test(err.message)) return new PbxError('PBX', scrub(this.words.tooLarge(what, this.maxBytes)));
    const inner: unknown = axios.isAxiosError(err) ? err.cause : err;
    const code = codeOf(err) ?? codeOf(inner) ?? 'ERROR';
    const hint = tlsProblem(code);
    // Our own copy of the socket/TLS error ("connect ECONNREFUSED 10.0.0.5:443", "self-signed certificate").
    const cause = isError(inner) && !axios.isAxiosError(inner) ? Object.assign(new Error(scrub(inner.message)), { code }) : undefined;
    return new PbxError('NETWORK', scrub(this.words.unreachable(what, code, hint)), { canRetry: !isLastingNetworkProblem(code), ...(cause ? { cause } : {}) });
  }

  private remember(url: string, setCookie: string[] | undefined): void {
    const o = this.jar && setCookie?.length ? originOf(url) : undefined;
    if (!o || !this.jar) return;
    let cookies = this.jar.get(o);
    if (!cookies) this.jar.set(o, (cookies = new Map()));
    for (const c of setCookie!) {
      const first = c.split(';')[0];
      const i = first.indexOf('=');
      if (i <= 0) continue;
      const name = first.slice(0, i).trim();
      const value = first.slice(i + 1).trim();
      // An empty value or an expiry in the past deletes the cookie.
      if (!value || /;\s*max-age=0\b/i.test(c) || /;\s*expires=Thu, 01 Jan 1970/i.test(c)) cookies.delete(name);
      else if (/^[\x21-\x7e]+$/.test(name) && cookies.size < MAX_COOKIES) cookies.set(name, value);
    }
  }
}

/** An AbortController that fires after `ms` (and remembers that it was the clock). */
class Deadline {
  readonly controller = new AbortController();
  private timer?: NodeJS.Timeout;
  expired = false;

  constructor(ms: number, private readonly done: () => void) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort();
    }, ms);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The answer came in time; the exchange (a stream) may still be ended by `abort()` or the client's close(). */
  stopClock(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The exchange is over. */
  clear(): void {
    this.stopClock();
    this.done();
  }

  abort(): void {
    this.clear();
    this.controller.abort();
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** `text` as an http(s) URL, or INVALID_INPUT naming it as `subject` ("The Voicenter login API URL"). */
export function httpUrl(text: string, subject: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PbxError('INVALID_INPUT', `${subject} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PbxError('INVALID_INPUT', `${subject} must be http(s) (got "${url.protocol}")`);
  return url;
}

function headersFor(o: HttpRequestOptions): RawAxiosRequestHeaders {
  const headers: RawAxiosRequestHeaders = { 'User-Agent': USER_AGENT, ...(o.headers ?? {}) };
  if (o.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(o.body));
  return headers;
}

/** Response headers as Node gives them (lower-case names, `set-cookie` an array). */
function plainHeaders(res: AxiosResponse): http.IncomingHttpHeaders {
  const h = res.headers as { toJSON?: () => Record<string, unknown> } & Record<string, unknown>;
  const obj = typeof h.toJSON === 'function' ? h.toJSON() : { ...h };
  const out: http.IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null || v === false) continue;
    const name = k.toLowerCase();
    if (name === 'set-cookie') out['set-cookie'] = Array.isArray(v) ? v.map(String) : [String(v)];
    else out[name] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  }
  return out;
}

/** Whatever realm made it (Node's own errors are not `instanceof` a sandbox's Error). */
function isError(x: unknown): x is Error {
  return x instanceof Error || types.isNativeError(x);
}

function codeOf(x: unknown): string | undefined {
  const code = x && typeof x === 'object' ? (x as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code ? code : undefined;
}
