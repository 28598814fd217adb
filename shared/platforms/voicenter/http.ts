/**
 * A small JSON-over-HTTP(S) request for the Voicenter login API, on axios (as the ALE client): one request, no
 * keep-alive (nothing stays open after a login), a deadline, a size cap on the answer, no redirect, no proxy.
 * Errors name the host only: the token discovery URL carries the token in its path, and an axios error's config
 * carries the request headers (a refresh token), so it is never passed on, not even as a `cause`.
 */
import http from 'node:http';
import https from 'node:https';
import axios from 'axios';
import { PbxError } from '../../errors';

export interface JsonRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  rejectUnauthorized?: boolean;
  /** Extra CA certificate(s), PEM (ConnectionConfig.tls.ca). */
  ca?: string;
  /** Give the server's `Date` header back as `serverDate`. */
  wantDate?: boolean;
}

export interface JsonResponse {
  status: number;
  /** The parsed body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** The server's clock from its `Date` header (epoch ms), when it sent one: token expiry is on that clock. */
  serverDate?: number;
}

const MAX_BODY = 1 << 20;

// Logins are rare: a fresh connection each, closed after the answer.
const httpAgent = new http.Agent({ keepAlive: false });
const httpsAgents = { verify: new https.Agent({ keepAlive: false }), trust: new https.Agent({ keepAlive: false, rejectUnauthorized: false }) };

export async function requestJson(url: string, r: JsonRequest): Promise<JsonResponse> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PbxError('INVALID_INPUT', 'The Voicenter login API URL is not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new PbxError('INVALID_INPUT', 'The Voicenter login API URL must be http(s)');
  // A deadline on the whole exchange (axios' `timeout` is a socket inactivity timer).
  const deadline = AbortSignal.timeout(r.timeoutMs);
  try {
    const res = await axios.request<string>({
      url,
      method: r.method,
      headers: { accept: 'application/json', ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}), ...r.headers },
      data: r.body === undefined ? undefined : JSON.stringify(r.body),
      signal: deadline,
      httpAgent,
      httpsAgent: r.ca ? caAgent(r.ca) : r.rejectUnauthorized === false ? httpsAgents.trust : httpsAgents.verify,
      // Every status is an answer (the login layer maps them); the body comes back as text, parsed below.
      validateStatus: () => true,
      maxRedirects: 0,
      proxy: false,
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      maxContentLength: MAX_BODY,
    });
    const date = typeof res.headers?.date === 'string' ? Date.parse(res.headers.date) : NaN;
    const out: JsonResponse = { status: res.status, body: parse(typeof res.data === 'string' ? res.data : String(res.data ?? '')) };
    if (r.wantDate && Number.isFinite(date)) out.serverDate = date;
    return out;
  } catch (err) {
    if (deadline.aborted) throw new PbxError('TIMEOUT', `no answer from ${u.host} within ${Math.round(r.timeoutMs / 1000)} s`);
    if (axios.isAxiosError(err) && /maxContentLength/.test(err.message)) throw new PbxError('PBX', `the answer from ${u.host} is too large`);
    throw network(u, err);
  }
}

/** One agent per CA text (a credential's CA rarely changes; logins are rare). */
const caAgents = new Map<string, https.Agent>();
function caAgent(ca: string): https.Agent {
  let a = caAgents.get(ca);
  if (!a) {
    if (caAgents.size > 16) caAgents.clear();
    caAgents.set(ca, (a = new https.Agent({ keepAlive: false, ca })));
  }
  return a;
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 512);
  }
}

function network(u: URL, err: unknown): PbxError {
  const inner: unknown = axios.isAxiosError(err) ? err.cause ?? err : err;
  const code = codeOf(err) ?? codeOf(inner);
  // Our own copy of the socket/TLS error, never an object that references the request.
  const cause = inner instanceof Error && !axios.isAxiosError(inner) ? Object.assign(new Error(inner.message), { code }) : undefined;
  return new PbxError('NETWORK', `cannot reach ${u.host}${code ? ` (${code})` : ''}`, cause ? { cause } : {});
}

function codeOf(x: unknown): string | undefined {
  const code = x && typeof x === 'object' ? (x as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code ? code : undefined;
}
