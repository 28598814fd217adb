/**
 * A small JSON-over-HTTP(S) request for the Voicenter login API: one request, no keep-alive agent (nothing stays
 * open after a login), a deadline, and a size cap on the answer. Errors name the host only: the token discovery
 * URL carries the token in its path.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PbxError } from '../../errors';

export interface JsonRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  rejectUnauthorized?: boolean;
}

export interface JsonResponse {
  status: number;
  /** The parsed body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
}

const MAX_BODY = 1 << 20;

export function requestJson(url: string, r: JsonRequest): Promise<JsonResponse> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.reject(new PbxError('INVALID_INPUT', 'The Voicenter login API URL is not a valid URL'));
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return Promise.reject(new PbxError('INVALID_INPUT', 'The Voicenter login API URL must be http(s)'));
  const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body));
  const headers: Record<string, string> = { accept: 'application/json', ...r.headers };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(u, { method: r.method, headers, agent: false, timeout: r.timeoutMs, rejectUnauthorized: r.rejectUnauthorized !== false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          req.destroy(new PbxError('PBX', `the answer from ${u.host} is too large`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = undefined;
        if (text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            body = text.slice(0, 512);
          }
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', (err) => reject(network(u, err)));
    });
    req.on('timeout', () => req.destroy(new PbxError('TIMEOUT', `no answer from ${u.host} within ${Math.round(r.timeoutMs / 1000)} s`)));
    req.on('error', (err) => reject(err instanceof PbxError ? err : network(u, err)));
    req.end(payload);
  });
}

function network(u: URL, err: Error): PbxError {
  const code = (err as NodeJS.ErrnoException).code;
  return new PbxError('NETWORK', `cannot reach ${u.host}${code ? ` (${code})` : ''}`, { cause: err });
}
