/**
 * A tiny ALE server on loopback that fails the way real servers do, and counts every request: for the retry-storm,
 * half-open-link and secret-scrubbing tests. Only what the client's life cycle needs (discovery, Basic login with
 * the AlcUserId cookie, sessions, one subscription, the chunked channel, GET /telephony/calls).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeFaults {
  /** GET /telephony/calls answers 500 (its helpMessage echoes the session cookie when `echoCookie`). */
  resync500?: boolean;
  /** GET /telephony/calls answers 403 with no body. */
  resync403NoBody?: boolean;
  /** The channel ends right after its first line. */
  channelEndsAfterFirstLine?: boolean;
  /** The channel sends its first line, then nothing, and never closes (a half-open link). */
  silentChannel?: boolean;
  echoCookie?: boolean;
  /** The channel is refused with 403 (the subscription's session is gone). */
  refuseChannel?: boolean;
  /** Authentication answers 500 and echoes the Authorization header it got, in several encodings. */
  authEcho500?: boolean;
  /** The session open answers 500 and echoes the session token it got, bare. */
  sessionOpenEcho500?: boolean;
}

export interface FakeAle {
  url: string;
  faults: FakeFaults;
  counts: { requests: number; logins: number; sessions: number; sessionDeletes: number; channels: number; resyncs: number };
  /** Sessions open on the server (opened and not DELETEd). */
  open: Set<string>;
  /** Every open channel response (to write lines or break them). */
  channels: Set<ServerResponse>;
  /** What GET /telephony/calls lists (the resync): change it between channels. */
  calls: unknown[];
  /** Writes event lines to every open channel. */
  send(...events: unknown[]): void;
  /** Breaks every open channel's connection (the subscription stays). */
  dropChannels(): void;
  close(): Promise<void>;
}

export const PASSWORD = 's3cret-pw';

export async function startFakeAle(faults: FakeFaults = {}): Promise<FakeAle> {
  /** The resync's answer (the handler reads it at request time; `fake.calls` is this same list). */
  const calls: unknown[] = [];
  const counts = { requests: 0, logins: 0, sessions: 0, sessionDeletes: 0, channels: 0, resyncs: 0 };
  const open = new Set<string>();
  const channels = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let base = '';
  let tokens = 0;
  const json = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), 'Content-Length': String(Buffer.byteLength(payload)), ...headers });
    res.end(payload);
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    counts.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const token = /AlcUserId=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    req.resume();
    if (path === '/api/rest') return json(res, 200, { versions: [{ id: '1.0', status: 'CURRENT', publicUrl: `${base}/api/rest/authenticate?version=1.0` }] });
    if (path === '/api/rest/authenticate') {
      if (faults.authEcho500) {
        const auth = req.headers.authorization ?? '';
        const b64 = auth.replace(/^Basic\s+/, '');
        const pw = Buffer.from(b64, 'base64').toString('utf8').split(':').slice(1).join(':');
        const echo = [
          `header ${auth}`, `raw ${b64}`, `url ${encodeURIComponent(b64)}`, `json ${JSON.stringify(b64).replace(/\//g, '\\/')}`,
          `password ${Buffer.from(pw).toString('base64')}`, `url-safe ${Buffer.from(pw).toString('base64url')}`,
        ].join(' | ');
        return json(res, 500, { type: 'SERVER_PROBLEM', helpMessage: `cannot check ${echo}` });
      }
      const ok = req.headers.authorization === `Basic ${Buffer.from(`bob:${PASSWORD}`).toString('base64')}`;
      if (!ok) return json(res, 401, { type: 'NOT_ALLOWED' }, { 'WWW-Authenticate': 'Basic realm="x"' });
      counts.logins++;
      const t = `tok${++tokens}-${Math.random().toString(36).slice(2, 10)}`;
      return json(res, 200, { publicUrl: `${base}/api/rest/1.0/sessions` }, { 'Set-Cookie': `AlcUserId=${t}; Path=/` });
    }
    if (path === '/api/rest/1.0/sessions' && method === 'POST') {
      if (faults.sessionOpenEcho500) return json(res, 500, { type: 'SERVER_PROBLEM', helpMessage: `no session for ${token}` });
      counts.sessions++;
      if (token) open.add(token);
      return json(res, 200, { timeToLive: 600, publicBaseUrl: `${base}/api/rest/1.0`, privateBaseUrl: `${base}/api/rest/1.0`, admin: false });
    }
    if (path === '/api/rest/1.0/sessions' && method === 'DELETE') {
      counts.sessionDeletes++;
      if (token) open.delete(token);
      return json(res, 204);
    }
    if (path === '/api/rest/1.0/sessions/keepalive') return json(res, 204);
    if (path === '/api/rest/1.0/subscriptions' && method === 'POST') {
      const polling = `${base}/api/rest/1.0/events?subscriptionId=s1`;
      return json(res, 200, { subscriptionId: 's1', status: 'ACCEPTED', publicPollingUrl: polling, privatePollingUrl: polling });
    }
    if (path.startsWith('/api/rest/1.0/subscriptions/') && method === 'DELETE') return json(res, 204);
    if (path === '/api/rest/1.0/events') {
      counts.channels++;
      if (faults.refuseChannel) return json(res, 403, { type: 'INVALID_SESSION' });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify({ eventName: 'OnChannelInformation', text: 'Chunk started' })}\n`);
      if (faults.channelEndsAfterFirstLine) return res.end();
      channels.add(res);
      res.on('close', () => channels.delete(res));
      return;
    }
    if (path === '/api/rest/1.0/telephony/calls') {
      counts.resyncs++;
      if (faults.resync500) return json(res, 500, { type: 'SERVER_PROBLEM', helpMessage: faults.echoCookie ? `session AlcUserId=${token} is in trouble (${token})` : 'internal error' });
      if (faults.resync403NoBody) return json(res, 403);
      return json(res, 200, { calls: fake.calls });
    }
    return json(res, 404, { type: 'NOT_FOUND' });
  };
  const server = createServer(handle);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: FakeAle = {
    url: base,
    faults,
    counts,
    open,
    channels,
    calls,
    send(...events: unknown[]) {
      const chunk = events.map((e) => `${JSON.stringify(e)}\n`).join('');
      for (const ch of channels) ch.write(chunk);
    },
    dropChannels() {
      for (const ch of [...channels]) ch.socket?.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return fake;
}
