/**
 * TelServices request transport. TCP (the native binding): one short connection per request — connect, write the
 * request, read until the server closes or the configured end-of-message sequence arrives — with a connect and a
 * response timeout. HTTP (web deployments): the request XML POSTed to the gateway port, the return XML as the body
 * (the spec lost this section; it is the binding the makeCall shortcut and the long poll imply), plus the
 * documented `GET /makeCall?deviceNumber=..&calledDeviceNumber=..` shortcut, on axios.
 */
import { Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import axios, { type AxiosResponse } from 'axios';
import { AuthError, PbxError } from '../../errors';
import { MAX_DOCUMENT } from './codec';

export interface TransportOptions {
  /** `tcp://host:port` or `http://host:port[/path]`. */
  url: string;
  endOfMessage?: string;
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
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
  private readonly agent = new Agent({ keepAlive: false });
  private readonly inflight = new Set<Socket | AbortController>();
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
    if (u.protocol !== 'tcp:' && u.protocol !== 'http:') throw new PbxError('INVALID_INPUT', `TelServices URL must start with tcp:// or http:// (got ${u.protocol})`);
    this.kind = u.protocol === 'tcp:' ? 'tcp' : 'http';
    this.host = u.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(u.port);
    if (!u.port || !Number.isInteger(this.port) || this.port < 1 || this.port > 65535) throw new PbxError('INVALID_INPUT', `TelServices URL needs a port (the gateway has no default): ${o.url}`);
    this.path = u.pathname && u.pathname !== '/' ? u.pathname : '/';
    this.origin = u.origin;
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
    for (const s of this.inflight) {
      if (s instanceof AbortController) s.abort(new PbxError('CLOSED', 'The connection is closed'));
      else s.destroy();
    }
    this.inflight.clear();
    this.agent.destroy();
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

  /** One HTTP exchange on axios (no keep-alive, no redirect, no proxy), within `timeoutMs` from start to body. */
  private async http(method: 'GET' | 'POST', path: string, body: string | undefined, opts: RequestOptions): Promise<string> {
    const responseMs = opts.timeoutMs ?? this.o.responseTimeoutMs ?? 10_000;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new PbxError('TIMEOUT', `TelServer at ${this.where} did not answer within ${seconds(responseMs)}`, { canRetry: true })), responseMs);
    this.inflight.add(abort);
    let res: AxiosResponse<unknown>;
    try {
      res = await axios.request<unknown>({
        url: this.origin + path,
        method,
        headers: body !== undefined ? { 'Content-Type': 'text/xml; charset=utf-8' } : {},
        data: body,
        signal: abort.signal,
        httpAgent: this.agent,
        proxy: false,
        maxRedirects: 0,
        // Statuses are judged below; bodies come back as the text they are (no JSON guessing).
        validateStatus: () => true,
        responseType: 'text',
        transformRequest: [identity],
        transformResponse: [identity],
        // Bytes, so at most MAX_DOCUMENT characters: axios stops reading there.
        maxContentLength: MAX_DOCUMENT,
      });
    } catch (err) {
      // The axios error holds the request (an openSession body carries the password): only its code goes on.
      if (abort.signal.aborted && abort.signal.reason instanceof PbxError) throw abort.signal.reason;
      if (axios.isAxiosError(err) && /maxContentLength/.test(err.message)) throw new PbxError('PBX', `TelServer at ${this.where} sent an answer longer than ${MAX_DOCUMENT} characters`);
      const code = codeOf(err) ?? codeOf((err as { cause?: unknown } | undefined)?.cause) ?? 'ERROR';
      throw new PbxError('NETWORK', `cannot reach TelServer at ${this.where}: ${code}`, { canRetry: true });
    } finally {
      clearTimeout(timer);
      this.inflight.delete(abort);
    }
    const status = res.status;
    if (status === 401 || status === 403) throw new AuthError(`TelServer at ${this.where} refused the request (HTTP ${status})`);
    if (status < 200 || status >= 300) throw new PbxError('PBX', `TelServer at ${this.where} answered HTTP ${status}`);
    return typeof res.data === 'string' ? res.data : String(res.data ?? '');
  }
}

const identity = <T>(d: T): T => d;

function codeOf(x: unknown): string | undefined {
  const code = x && typeof x === 'object' ? (x as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code ? code : undefined;
}

const seconds = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);
