/**
 * TelServices request transport. TCP (the native binding): one short connection per request — connect, write the
 * request, read until the server closes or the configured end-of-message sequence arrives — with a connect and a
 * response timeout. HTTP (web deployments): the request XML POSTed to the gateway port, the return XML as the body
 * (the spec lost this section; it is the binding the makeCall shortcut and the long poll imply), plus the
 * documented `GET /makeCall?deviceNumber=..&calledDeviceNumber=..` shortcut, on the core's one HTTP client
 * (connection/http.ts; `https://` where the gateway sits behind TLS).
 */
import { connect, type Socket } from 'node:net';
import { HttpClient, type HttpWords, type Scrubber } from '../../connection/http';
import type { TlsOptions } from '../../connection/types';
import { AuthError, PbxError } from '../../errors';
import { MAX_DOCUMENT } from './codec';

export interface TransportOptions {
  /** `tcp://host:port`, `http://host:port[/path]` or `https://host[:port][/path]`. */
  url: string;
  endOfMessage?: string;
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
  /** HTTPS: certificate checks (verified by default). */
  tls?: TlsOptions;
  /** The connection's secret scrubber, applied to every HTTP error. */
  secrets?: Scrubber;
}

export interface RequestOptions {
  /** Response timeout for this request (a long poll waits longer). */
  timeoutMs?: number;
}

export class TelServicesTransport {
  readonly kind: 'tcp' | 'http';
  readonly host: string;
  readonly port: number;
  private readonly path: string;
  private readonly origin: string;
  /** HTTP: one connection per request, as on TCP (no pooled sockets outliving the connection). */
  private readonly client?: HttpClient;
  private readonly inflight = new Set<Socket>();
  /** Requests sent (tests count them under faults). */
  requests = 0;
  private closed = false;

  constructor(private readonly o: TransportOptions) {
    let u: URL;
    try {
      u = new URL(o.url);
    } catch {
      throw new PbxError('INVALID_INPUT', `TelServices URL "${o.url}" is not a URL (tcp://host:port or http://host:port)`);
    }
    if (u.protocol !== 'tcp:' && u.protocol !== 'http:' && u.protocol !== 'https:') throw new PbxError('INVALID_INPUT', `TelServices URL must start with tcp:// or http:// (https:// behind TLS) (got ${u.protocol})`);
    this.kind = u.protocol === 'tcp:' ? 'tcp' : 'http';
    this.host = u.hostname.replace(/^\[|\]$/g, '');
    // The gateway has no default port; HTTPS has (the URL parser drops an explicit :443).
    this.port = Number(u.port || (u.protocol === 'https:' ? 443 : ''));
    if (!this.port || !Number.isInteger(this.port) || this.port < 1 || this.port > 65535) throw new PbxError('INVALID_INPUT', `TelServices URL needs a port (the gateway has no default): ${o.url}`);
    this.path = u.pathname && u.pathname !== '/' ? u.pathname : '/';
    this.origin = u.origin;
    if (this.kind === 'http') this.client = new HttpClient({ tls: o.tls, maxBytes: MAX_DOCUMENT, words: this.words(), ...(o.secrets ? { secrets: o.secrets } : {}) });
  }

  get where(): string {
    return `${this.host}:${this.port}`;
  }

  /** Sends one request document; resolves with the response document (end-of-message sequence removed). */
  send(xml: string, opts: RequestOptions = {}): Promise<string> {
    if (this.closed) return Promise.reject(new PbxError('CLOSED', 'The connection is closed'));
    this.requests++;
    return this.kind === 'tcp' ? this.tcp(xml, opts) : this.http('POST', this.path, xml, opts);
  }

  /** The HTTP `makeCall` shortcut; resolves with the body (its format is not documented). */
  makeCallShortcut(deviceNumber: string, calledDeviceNumber: string): Promise<string> {
    if (this.kind !== 'http') return Promise.reject(new PbxError('UNSUPPORTED', 'The makeCall shortcut URL needs the HTTP transport'));
    if (this.closed) return Promise.reject(new PbxError('CLOSED', 'The connection is closed'));
    this.requests++;
    const q = new URLSearchParams({ deviceNumber, calledDeviceNumber });
    return this.http('GET', `/makeCall?${q.toString()}`, undefined, {});
  }

  /** Aborts requests in flight (shutdown). */
  close(): void {
    this.closed = true;
    for (const s of this.inflight) s.destroy();
    this.inflight.clear();
    this.client?.close();
  }

  private tcp(xml: string, opts: RequestOptions): Promise<string> {
    const eom = this.o.endOfMessage;
    const connectMs = this.o.connectTimeoutMs ?? 5000;
    const responseMs = opts.timeoutMs ?? this.o.responseTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port });
      this.inflight.add(socket);
      const chunks: string[] = [];
      let size = 0;
      let done = false;
      let timer = setTimeout(() => finish(new PbxError('TIMEOUT', `TelServer at ${this.where} did not accept the connection within ${seconds(connectMs)}`)), connectMs);
      const finish = (err?: Error, body?: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.inflight.delete(socket);
        socket.destroy();
        if (err) reject(err);
        else resolve(body!);
      };
      socket.setEncoding('utf8');
      socket.setNoDelay(true);
      socket.on('connect', () => {
        clearTimeout(timer);
        timer = setTimeout(() => finish(new PbxError('TIMEOUT', `TelServer at ${this.where} did not answer within ${seconds(responseMs)}`, { canRetry: true })), responseMs);
        // The whole request in one write: the spec does not say how the server finds the end of a request.
        socket.write(eom ? xml + eom : xml);
      });
      socket.on('data', (d: string) => {
        chunks.push(d);
        size += d.length;
        if (size > MAX_DOCUMENT) return finish(new PbxError('PBX', `TelServer at ${this.where} sent an answer longer than ${MAX_DOCUMENT} characters`));
        if (eom) {
          const all = chunks.join('');
          const at = all.indexOf(eom);
          if (at >= 0) finish(undefined, all.slice(0, at));
        } else if (/<\/TelServiceReturn\s*>\s*$/.test(d)) {
          // A whole return document: done, even if the server is slow to close (it should close at once).
          finish(undefined, chunks.join(''));
        }
      });
      socket.on('end', () => {
        const body = chunks.join('');
        if (!body.trim()) finish(new PbxError('NETWORK', `TelServer at ${this.where} closed the connection without an answer`, { canRetry: true }));
        else finish(undefined, eom ? body.split(eom)[0] : body);
      });
      socket.on('error', (e: NodeJS.ErrnoException) => finish(new PbxError('NETWORK', `cannot reach TelServer at ${this.where}: ${e.code ?? e.message}`, { canRetry: true })));
      socket.on('close', () => finish(new PbxError('NETWORK', `TelServer at ${this.where} closed the connection`, { canRetry: true })));
    });
  }

  /** One HTTP exchange within `timeoutMs` from start to body; the status judged here, the rest by the client. */
  private async http(method: 'GET' | 'POST', path: string, body: string | undefined, opts: RequestOptions): Promise<string> {
    const res = await this.client!.request(this.origin + path, {
      method,
      what: `TelServer at ${this.where}`,
      headers: body !== undefined ? { 'Content-Type': 'text/xml; charset=utf-8' } : {},
      body,
      timeoutMs: opts.timeoutMs ?? this.o.responseTimeoutMs ?? 10_000,
    });
    if (res.status === 401 || res.status === 403) throw new AuthError(`TelServer at ${this.where} refused the request (HTTP ${res.status})`);
    if (res.status < 200 || res.status >= 300) throw new PbxError('PBX', `TelServer at ${this.where} answered HTTP ${res.status}`);
    return res.text;
  }

  /** TelServices' words for the client's failures (the TCP binding says the same). */
  private words(): HttpWords {
    return {
      timeout: (what, ms) => `${what} did not answer within ${seconds(ms)}`,
      unreachable: (what, code, hint) => `cannot reach ${what}: ${code}${hint ? ` (${hint})` : ''}`,
      // Bytes, so at most MAX_DOCUMENT characters.
      tooLarge: (what) => `${what} sent an answer longer than ${MAX_DOCUMENT} characters`,
    };
  }
}

const seconds = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);
