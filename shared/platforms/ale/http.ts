/**
 * The one place the ALE client touches HTTP, on axios: a request with a deadline, and a long-lived streaming request
 * for the event channel. One axios instance per connection; its agents carry the TLS choice, so it applies to REST
 * and events alike. Statuses are not judged here (the REST layer maps them and their `RestErrorInfo` bodies), bodies
 * come back as raw text, and no redirect is followed.
 *
 * Errors name the method and path only: query strings carry subscription ids, headers carry credentials. An axios
 * error carries the request's config (headers included): it is never passed on, not even as a `cause`.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse, type RawAxiosRequestHeaders } from 'axios';
import { PbxError } from '../../errors';
import type { TlsOptions } from '../../connection/types';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface HttpRequestOptions {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** Where a URL points, without its query (for messages). */
export function describe(method: string, url: string): string {
  try {
    const u = new URL(url);
    return `${method} ${u.pathname}`;
  } catch {
    return method;
  }
}

const identity = <T>(d: T): T => d;
const noop = () => undefined;

export class HttpClient {
  /** REST: pooled keep-alive connections. */
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  /** Event channel: a connection of its own, never reused (the channel holds it for minutes). */
  private readonly streamHttpAgent: http.Agent;
  private readonly streamHttpsAgent: https.Agent;
  private readonly axios: AxiosInstance;
  /**
   * Cookies the servers set, per origin (load balancers and HA pairs set affinity cookies beside `AlcUserId`):
   * replayed on every request to that origin, as the O2G SDK's cookie jar does (src/internal/util/http-client.ts).
   */
  private readonly jar = new Map<string, Map<string, string>>();

  constructor(tls: TlsOptions = {}) {
    const tlsOptions: https.AgentOptions = { rejectUnauthorized: tls.rejectUnauthorized !== false, ...(tls.ca ? { ca: tls.ca } : {}) };
    this.httpAgent = new http.Agent({ keepAlive: true });
    this.httpsAgent = new https.Agent({ keepAlive: true, ...tlsOptions });
    this.streamHttpAgent = new http.Agent({ keepAlive: false });
    this.streamHttpsAgent = new https.Agent({ keepAlive: false, ...tlsOptions });
    this.axios = axios.create({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      // The deadline is ours (an abort timer covering connection, answer and body); axios' `timeout` is a socket
      // inactivity timer, which a slowly dripping body never trips.
      timeout: 0,
      // Every status is an answer: the REST layer maps non-2xx and their RestErrorInfo bodies itself.
      validateStatus: () => true,
      maxRedirects: 0,
      // A PBX on the local network: HTTP(S)_PROXY from the environment does not apply (as before axios).
      proxy: false,
      // Bodies go out and come back untouched: no JSON guessing, no trimming.
      transformRequest: [identity],
      transformResponse: [identity],
      responseType: 'arraybuffer',
      maxContentLength: -1,
      maxBodyLength: -1,
    });
  }

  /** One request, fully read, within `timeoutMs` (connection, answer and body included). */
  async request(urlText: string, o: HttpRequestOptions): Promise<HttpResult> {
    const what = describe(o.method, urlText);
    checkUrl(urlText, o.method);
    const deadline = new Deadline(o.timeoutMs);
    try {
      const res = await this.axios.request<Buffer>({
        url: urlText,
        method: o.method,
        headers: headersFor(o),
        data: o.body !== undefined ? Buffer.from(o.body, 'utf8') : undefined,
        signal: deadline.signal,
      });
      const headers = plainHeaders(res);
      this.remember(urlText, headers['set-cookie']);
      return { status: res.status, headers, text: Buffer.isBuffer(res.data) ? res.data.toString('utf8') : String(res.data ?? '') };
    } catch (err) {
      throw deadline.expired ? timeoutError(what, o.timeoutMs) : toPbxError(what, err);
    } finally {
      deadline.clear();
    }
  }

  /**
   * Opens a streaming request. Resolves with the response once headers arrive (within `timeoutMs`); the caller
   * reads the body and calls `abort()` when done.
   */
  async stream(urlText: string, o: HttpRequestOptions): Promise<{ res: http.IncomingMessage; abort: () => void }> {
    const what = describe(o.method, urlText);
    checkUrl(urlText, o.method);
    const deadline = new Deadline(o.timeoutMs);
    let response: AxiosResponse<Readable>;
    try {
      response = await this.axios.request<Readable>({
        url: urlText,
        method: o.method,
        // Uncompressed, so the body is the socket's own response stream: no inflate step between the PBX and us.
        headers: { ...headersFor(o), 'Accept-Encoding': 'identity' },
        data: o.body !== undefined ? Buffer.from(o.body, 'utf8') : undefined,
        signal: deadline.signal,
        responseType: 'stream',
        decompress: false,
        httpAgent: this.streamHttpAgent,
        httpsAgent: this.streamHttpsAgent,
      });
    } catch (err) {
      throw deadline.expired ? timeoutError(what, o.timeoutMs) : toPbxError(what, err);
    } finally {
      // The deadline is for the answer; the stream itself lives until the caller aborts it (or its idle watchdog).
      deadline.clear();
    }
    const res = response.data;
    if (!(res instanceof http.IncomingMessage)) {
      (res as Readable | undefined)?.destroy?.();
      throw new PbxError('NETWORK', `${what}: unexpected response stream`, { canRetry: true });
    }
    // Stopping the stream makes axios report a cancellation on it: the caller has its own listeners, or none.
    res.on('error', noop);
    res.socket?.setNoDelay(true);
    return {
      res,
      abort: () => {
        deadline.abort();
        res.destroy();
      },
    };
  }

  /** `name=value` of every cookie set by `url`'s origin. */
  cookiesFor(url: string): string[] {
    const o = originOf(url);
    return o ? [...(this.jar.get(o) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`) : [];
  }

  /** Forgets an origin's cookies (a new login starts clean). */
  forgetCookies(url: string): void {
    const o = originOf(url);
    if (o) this.jar.delete(o);
  }

  private remember(url: string, setCookie: string[] | undefined): void {
    const o = setCookie?.length ? originOf(url) : undefined;
    if (!o) return;
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
      else if (/^[\x21-\x7e]+$/.test(name) && cookies.size < 50) cookies.set(name, value);
    }
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.streamHttpAgent.destroy();
    this.streamHttpsAgent.destroy();
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** An AbortController that fires after `ms` (and remembers that it was the clock). */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  expired = false;

  constructor(ms: number) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort();
    }, ms);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    clearTimeout(this.timer);
  }

  abort(): void {
    this.clear();
    this.controller.abort();
  }
}

function checkUrl(urlText: string, method: string): void {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new PbxError('INVALID_INPUT', `Invalid URL for ${method}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PbxError('INVALID_INPUT', `Unsupported URL scheme "${url.protocol}" (use http: or https:)`);
}

// PBX administrators see who talks to their server in its access logs.
const USER_AGENT = 'pbxflow (@pbxflow/n8n-nodes-pbx)';

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

function timeoutError(what: string, ms: number): PbxError {
  return new PbxError('TIMEOUT', `${what}: no answer within ${ms} ms`, { canRetry: true });
}

/**
 * Any failure of a request as our own error. The axios error (its config holds the request headers: cookie,
 * Authorization) is dropped; only its code and the underlying socket/TLS error's message survive.
 */
function toPbxError(what: string, err: unknown): PbxError {
  if (err instanceof PbxError) return err;
  if (axios.isCancel(err)) return new PbxError('NETWORK', `${what}: aborted`, { canRetry: true });
  const inner: unknown = axios.isAxiosError(err) ? err.cause : err;
  const code = codeOf(err) ?? codeOf(inner) ?? 'ERROR';
  // Our own copy of the socket/TLS error (e.g. "connect ECONNREFUSED 10.0.0.5:443", "self-signed certificate"),
  // never an object that references the request.
  const cause = inner instanceof Error && !axios.isAxiosError(inner) ? Object.assign(new Error(inner.message), { code }) : undefined;
  return networkError(what, { code, cause });
}

function codeOf(x: unknown): string | undefined {
  const code = x && typeof x === 'object' ? (x as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code ? code : undefined;
}

/** What a TLS failure code means, for someone who has to fix it; undefined when the code is not about TLS. */
function tlsHint(code: string): string | undefined {
  const trustHint = "give the PBX's CA certificate, or enable 'Ignore SSL Issues' (n8n) / untick 'Verify the PBX certificate' (Node-RED) only if you trust this PBX";
  if (/SELF_SIGNED/.test(code)) return `certificate not trusted: the PBX certificate is self-signed; ${trustHint}`;
  if (code === 'CERT_HAS_EXPIRED') return 'certificate expired: the PBX certificate has expired; renew it on the PBX';
  if (code === 'CERT_NOT_YET_VALID') return "certificate not yet valid: check the PBX's clock and this computer's";
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'certificate does not match the host name in the URL; use the name the certificate was issued for';
  if (/CERT|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|SIGNATURE/i.test(code)) return `certificate not trusted: signed by an unknown CA; ${trustHint}`;
  if (/SSL|TLS|EPROTO/i.test(code)) return 'TLS handshake failed (is this port https?)';
  return undefined;
}

/** A network failure, named by its code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT...), never by its URL. */
export function networkError(what: string, err: { code?: string; cause?: unknown }): PbxError {
  const code = err.code ?? 'ERROR';
  const hint = tlsHint(code);
  // A certificate problem stays until someone fixes it: not worth retrying. A failed handshake may be passing.
  const canRetry = !/CERT|SSL|TLS|SIGNATURE/i.test(code);
  return new PbxError('NETWORK', `${what}: ${code}${hint ? ` (${hint})` : ''}`, { canRetry, ...(err.cause !== undefined ? { cause: err.cause } : {}) });
}
