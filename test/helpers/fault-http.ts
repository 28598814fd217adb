/**
 * A fault peer for HTTP platforms: a proxy on loopback in front of a simulator front-end (ALE, Voicenter's login
 * API) that counts requests, answers chosen ones itself (a 500, an echo of what the client sent), rewrites JSON
 * answers (an unreadable snapshot, a token that expires at once), and holds or cuts long-lived streams (the ALE event
 * channel). The simulator stays the source of truth; this only adds the faults it has no switch for.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What a rule answers instead of the upstream server. */
export interface FaultAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A stream: write `body` (a string) as a first chunk, then end the response. */
  streamThenEnd?: boolean;
}

export type Rule = (req: ProxiedRequest) => FaultAnswer | undefined;
/** Rewrites a JSON answer from upstream (return undefined to leave it as it is). */
export type Transform = (req: ProxiedRequest, status: number, json: unknown) => unknown;

export interface HttpFaultPeer {
  url: string;
  /** Requests seen, by the key `classify` gave them. */
  counts: Record<string, number>;
  rules: Rule[];
  transforms: Transform[];
  /** Values the upstream server minted (cookies, tokens) as they passed: secrets the client must keep out of texts. */
  minted: Set<string>;
  /** Streams open to clients now. */
  readonly openStreams: number;
  /** What the streams open now receive from here on is kept back (the client hears nothing of it) until `release()`. */
  hold(): void;
  /** Writes the kept-back lines to the streams open now, and stops holding. */
  release(): void;
  /** Breaks every stream open to a client (TCP reset). */
  cutStreams(): void;
  close(): Promise<void>;
}

export interface HttpFaultOptions {
  upstream: string;
  /** The request's counter key; undefined: not counted. */
  classify?: (req: ProxiedRequest) => string | undefined;
  /** Requests answered as a stream, piped line by line (not buffered). */
  isStream?: (req: ProxiedRequest) => boolean;
}

export async function startHttpFaultPeer(o: HttpFaultOptions): Promise<HttpFaultPeer> {
  const counts: Record<string, number> = {};
  const rules: Rule[] = [];
  const transforms: Transform[] = [];
  const minted = new Set<string>();
  const sockets = new Set<Socket>();
  const streams = new Set<ServerResponse>();
  const held: string[] = [];
  const holding = new WeakSet<ServerResponse>();
  let base = '';
  const upstream = o.upstream.replace(/\/$/, '');

  const remember = (headers: IncomingHttpHeaders, text: string) => {
    // Session cookies (not a load balancer's affinity cookie, which names a server, not a session).
    for (const c of [headers['set-cookie'] ?? []].flat()) {
      const m = /^([^=]+)=([^;]*)/.exec(c);
      if (m && /session|AlcUserId|token|sid/i.test(m[1]) && m[2]) minted.add(m[2]);
    }
    for (const m of text.matchAll(/"(Token|RefreshToken|credential|IdentityCode)"\s*:\s*"([^"]{4,})"/g)) minted.add(m[2]);
  };

  const send = (res: ServerResponse, a: FaultAnswer) => {
    const text = a.body === undefined ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    if (a.streamThenEnd) {
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(text);
      return;
    }
    res.writeHead(a.status, { ...(text ? { 'content-type': 'application/json' } : {}), 'content-length': String(Buffer.byteLength(text)), ...a.headers });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = req.url ?? '/';
    const pr: ProxiedRequest = { method: req.method ?? 'GET', path: new URL(url, 'http://x').pathname, url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    const key = o.classify?.(pr);
    if (key) counts[key] = (counts[key] ?? 0) + 1;
    for (const r of rules) {
      const a = r(pr);
      if (a) return send(res, a);
    }
    const headers = { ...req.headers, host: new URL(upstream).host, connection: 'close' };
    delete headers['content-length'];
    const body = Buffer.concat(chunks);
    if (body.length) headers['content-length'] = String(body.length);
    // agent: false: no keep-alive socket to the simulator outlives a request (the handle checks count them).
    const up = httpRequest(`${upstream}${url}`, { method: pr.method, headers, agent: false }, (ur) => {
      if (o.isStream?.(pr)) {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        streams.add(res);
        res.on('close', () => {
          streams.delete(res);
          ur.destroy();
        });
        ur.setEncoding('utf8');
        ur.on('data', (d: string) => {
          if (holding.has(res)) held.push(d);
          else res.write(d);
        });
        ur.on('end', () => res.end());
        ur.on('error', () => res.destroy());
        return;
      }
      const parts: Buffer[] = [];
      ur.on('data', (d: Buffer) => parts.push(d));
      ur.on('error', () => res.destroy());
      ur.on('end', () => {
        let text = Buffer.concat(parts).toString('utf8');
        remember(ur.headers, text);
        // The simulator names its own address in discovery and session answers: the client must come back here.
        text = text.split(upstream).join(base);
        const status = ur.statusCode ?? 502;
        if (transforms.length && /json/.test(String(ur.headers['content-type'] ?? ''))) {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          for (const t of transforms) {
            const next = t(pr, status, json);
            if (next !== undefined) {
              json = next;
              text = JSON.stringify(json);
            }
          }
        }
        const out = { ...ur.headers, 'content-length': String(Buffer.byteLength(text)) };
        delete out['transfer-encoding'];
        delete out.connection;
        res.writeHead(status, out);
        res.end(text);
      });
    });
    up.on('error', () => res.destroy());
    up.end(body);
  };

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    counts,
    rules,
    transforms,
    minted,
    get openStreams() {
      return streams.size;
    },
    hold() {
      for (const s of streams) holding.add(s);
    },
    release() {
      const lines = held.splice(0);
      for (const s of streams) {
        holding.delete(s);
        for (const l of lines) s.write(l);
      }
    },
    cutStreams() {
      for (const s of [...streams]) s.socket?.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
