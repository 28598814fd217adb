/**
 * The one place the ALE client touches HTTP: a request with a deadline, and a long-lived streaming request for
 * the event channel. Both go through the connection's agents, so the TLS choice applies to REST and events alike.
 * Errors name the method and path only: query strings carry subscription ids, headers carry credentials.
 */
import http from 'node:http';
import https from 'node:https';
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

export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(tls: TlsOptions = {}) {
    this.httpAgent = new http.Agent({ keepAlive: true });
    this.httpsAgent = new https.Agent({ keepAlive: true, rejectUnauthorized: tls.rejectUnauthorized !== false, ...(tls.ca ? { ca: tls.ca } : {}) });
  }

  private agentFor(url: URL): http.Agent {
    return url.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
  }

  private lib(url: URL): typeof http | typeof https {
    if (url.protocol === 'https:') return https;
    if (url.protocol === 'http:') return http;
    throw new PbxError('INVALID_INPUT', `Unsupported URL scheme "${url.protocol}" (use http: or https:)`);
  }

  /** One request, fully read, within `timeoutMs` (connection, answer and body included). */
  request(urlText: string, o: HttpRequestOptions): Promise<HttpResult> {
    const what = describe(o.method, urlText);
    return new Promise((resolve, reject) => {
      let url: URL;
      let lib: typeof http | typeof https;
      try {
        url = new URL(urlText);
        lib = this.lib(url);
      } catch (err) {
        reject(err instanceof PbxError ? err : new PbxError('INVALID_INPUT', `Invalid URL for ${o.method}`));
        return;
      }
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(o.body));
      const req = lib.request(url, { method: o.method, headers, agent: this.agentFor(url) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => fail(err));
      });
      const fail = (err: Error & { code?: string }) => {
        clearTimeout(timer);
        reject(err instanceof PbxError ? err : networkError(what, err));
      };
      const timer = setTimeout(() => {
        req.destroy(new PbxError('TIMEOUT', `${what}: no answer within ${o.timeoutMs} ms`, { canRetry: true }));
      }, o.timeoutMs);
      timer.unref();
      req.on('error', fail);
      req.end(o.body);
    });
  }

  /**
   * Opens a streaming request. Resolves with the response once headers arrive (within `timeoutMs`); the caller
   * reads the body and calls `abort()` when done.
   */
  stream(urlText: string, o: HttpRequestOptions): Promise<{ res: http.IncomingMessage; abort: () => void }> {
    const what = describe(o.method, urlText);
    return new Promise((resolve, reject) => {
      let url: URL;
      let lib: typeof http | typeof https;
      try {
        url = new URL(urlText);
        lib = this.lib(url);
      } catch (err) {
        reject(err instanceof PbxError ? err : new PbxError('INVALID_INPUT', `Invalid URL for ${o.method}`));
        return;
      }
      // A dedicated connection (no agent pooling): the channel holds it for minutes.
      const agentOpt = url.protocol === 'https:' ? { agent: false as const, rejectUnauthorized: this.httpsAgent.options.rejectUnauthorized, ca: this.httpsAgent.options.ca } : { agent: false as const };
      const req = lib.request(url, { method: o.method, headers: o.headers, ...agentOpt }, (res) => {
        clearTimeout(timer);
        res.socket?.setNoDelay(true);
        resolve({ res, abort: () => req.destroy() });
      });
      const timer = setTimeout(() => req.destroy(new PbxError('TIMEOUT', `${what}: no answer within ${o.timeoutMs} ms`, { canRetry: true })), o.timeoutMs);
      timer.unref();
      req.on('error', (err: Error & { code?: string }) => {
        clearTimeout(timer);
        reject(err instanceof PbxError ? err : networkError(what, err));
      });
      req.end(o.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** A network failure, named by its code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT...), never by its URL. */
export function networkError(what: string, err: Error & { code?: string }): PbxError {
  const code = err.code ?? 'ERROR';
  const tls = /CERT|SSL|TLS|SIGNATURE/i.test(code);
  const hint = tls ? ' (certificate not trusted: give the CA, or turn off certificate verification for a self-signed PBX)' : '';
  return new PbxError('NETWORK', `${what}: ${code}${hint}`, { canRetry: !tls, cause: err });
}
