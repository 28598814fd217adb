/**
 * The simulator's phones page: a small HTTP server on 127.0.0.1 (its own port) serving one page, its state as
 * server-sent events, and its buttons as JSON POSTs. Plain node:http, files read from ./static: no dependency,
 * no CDN, no build chain; the page works offline.
 *
 *   GET  /             the page          GET /state   the current snapshot (JSON)
 *   GET  /phones.css   /phones.js        GET /events  SSE: `hello` {state, log}, then `state` and `log`
 *   POST /api/<action> JSON body -> 200 {ok, ref?} | 4xx {error}   (actions: see actions.ts)
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SimError, type VirtualPbx } from '../pbx/virtual-pbx';
import { isBody, pageActions } from './actions';
import { PageModel, type LogEntry, type PageState } from './model';

export interface PhonesPageOptions {
  pbx: VirtualPbx;
  /** 0 or absent: any free port. */
  port?: number;
}

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/phones.css': { file: 'phones.css', type: 'text/css; charset=utf-8' },
  '/phones.js': { file: 'phones.js', type: 'text/javascript; charset=utf-8' },
};
const MAX_BODY = 16 * 1024;
/** Keeps idle SSE connections (and proxies in between) from timing out. */
const HEARTBEAT_MS = 15_000;

/** The page may be fetched, its assets read and its actions posted by the page itself only. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export class PhonesPage {
  readonly model: PageModel;
  private readonly server: Server;
  private readonly clients = new Set<ServerResponse>();
  private readonly actions: ReturnType<typeof pageActions>;
  private heartbeat?: NodeJS.Timeout;
  private port = 0;
  private readonly onState = (s: PageState) => this.broadcast('state', s);
  private readonly onLog = (e: LogEntry) => this.broadcast('log', e);

  constructor(private readonly o: PhonesPageOptions) {
    this.model = new PageModel(o.pbx);
    this.actions = pageActions(o.pbx, this.model.features, (line) => this.model.log('call', line));
    this.server = createServer((req, res) => this.handle(req, res));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      // Loopback only: the page drives the PBX and has no login.
      this.server.listen(this.o.port ?? 0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.model.on('state', this.onState);
    this.model.on('log', this.onLog);
    this.heartbeat = setInterval(() => this.clients.forEach((c) => c.write(': keep-alive\n\n')), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.model.close();
    for (const c of this.clients) c.end();
    this.clients.clear();
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    // DNS rebinding: a page of another site resolving its name to 127.0.0.1 must not reach the phones.
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${this.port}` && host !== `localhost:${this.port}`) return this.send(res, 421, { error: 'unexpected Host header' });
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' || req.method === 'HEAD') {
      const asset = STATIC[path];
      if (asset) return this.asset(res, asset.file, asset.type);
      if (path === '/state') return this.send(res, 200, this.model.snapshot());
      if (path === '/events') return this.events(req, res);
      return this.send(res, 404, { error: 'not found' });
    }
    if (req.method === 'POST' && path.startsWith('/api/')) return this.post(req, res, path.slice('/api/'.length));
    this.send(res, 405, { error: 'method not allowed' });
  }

  private asset(res: ServerResponse, file: string, type: string): void {
    let body: Buffer;
    try {
      body = readFileSync(join(__dirname, 'static', file));
    } catch {
      return this.send(res, 500, { error: `the page's ${file} is missing from this build` });
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': body.length });
    res.end(body);
  }

  private events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ state: this.model.snapshot(), log: this.model.recentLog() })}\n\n`);
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  private broadcast(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) c.write(frame);
  }

  private post(req: IncomingMessage, res: ServerResponse, name: string): void {
    const action = Object.hasOwn(this.actions, name) ? this.actions[name] : undefined;
    if (!action) {
      req.resume();
      return this.send(res, 404, { error: `no action "${name}"` });
    }
    // A JSON content type cannot be sent cross-origin without a preflight, which this server never grants.
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return this.send(res, 415, { error: 'send JSON (Content-Type: application/json)' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return this.send(res, 413, { error: 'body too large' });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return this.send(res, 400, { error: 'the body is not JSON' });
      }
      if (!isBody(body)) return this.send(res, 400, { error: 'the body must be a JSON object' });
      try {
        const planned = action(body);
        // Logged first, so the PBX's own lines follow the click that caused them.
        this.model.log('action', `page: ${planned.said}`);
        const ref = planned.run();
        this.send(res, 200, { ok: true, ...(ref ? { ref } : {}) });
      } catch (err) {
        const message = (err as Error).message;
        this.model.log('error', `page: ${name} refused: ${message}`);
        this.send(res, err instanceof SimError ? (err.kind === 'not_found' ? 404 : 400) : 500, { error: message });
      }
    });
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}

export async function startPhonesPage(o: PhonesPageOptions): Promise<PhonesPage> {
  const page = new PhonesPage(o);
  await page.start();
  return page;
}
