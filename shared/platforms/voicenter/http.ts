/**
 * A JSON-over-HTTP(S) request for the Voicenter login API, on the core's one client (connection/http.ts): one
 * exchange on a connection of its own (nothing stays open after a login), a deadline, a 1 MiB cap on the answer, no
 * redirect, no proxy. Errors name the host only: the token discovery URL carries the token in its path.
 */
import { HttpClient, httpUrl, type HttpWords, type Scrubber } from '../../connection/http';
import type { TlsOptions } from '../../connection/types';

/** TLS as ConnectionConfig.tls gives it (`rejectUnauthorized`, `ca`). */
export interface JsonRequest extends TlsOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  /** Give the server's `Date` header back as `serverDate`. */
  wantDate?: boolean;
  /** The connection's secret scrubber, applied to every error. */
  secrets?: Scrubber;
}

export interface JsonResponse {
  status: number;
  /** The parsed body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** The server's clock from its `Date` header (epoch ms), when it sent one: token expiry is on that clock. */
  serverDate?: number;
}

const MAX_BODY = 1 << 20;

const WORDS: HttpWords = {
  timeout: (host, ms) => `no answer from ${host} within ${Math.round(ms / 1000)} s`,
  unreachable: (host, code, hint) => `cannot reach ${host} (${code})${hint ? ` (${hint})` : ''}`,
  tooLarge: (host) => `the answer from ${host} is too large`,
};

export async function requestJson(url: string, r: JsonRequest): Promise<JsonResponse> {
  const { host } = httpUrl(url, 'The Voicenter login API URL');
  // Logins are rare: a client (and its connection) per exchange, closed after the answer.
  const client = new HttpClient({
    tls: { rejectUnauthorized: r.rejectUnauthorized, ca: r.ca },
    maxBytes: MAX_BODY,
    words: WORDS,
    ...(r.secrets ? { secrets: r.secrets } : {}),
  });
  try {
    const res = await client.request(url, {
      method: r.method,
      what: host,
      headers: { accept: 'application/json', ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}), ...r.headers },
      body: r.body === undefined ? undefined : JSON.stringify(r.body),
      timeoutMs: r.timeoutMs,
    });
    const date = typeof res.headers.date === 'string' ? Date.parse(res.headers.date) : NaN;
    const out: JsonResponse = { status: res.status, body: parse(res.text) };
    if (r.wantDate && Number.isFinite(date)) out.serverDate = date;
    return out;
  } finally {
    client.close();
  }
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 512);
  }
}
