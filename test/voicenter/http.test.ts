/** The login API request (on axios): JSON in and out, a size cap, a deadline, no redirect, errors naming the host only. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { requestJson } from '../../shared/platforms/voicenter/http';

let server: Server;
let base: string;
const seen: Array<{ method?: string; url?: string; auth?: string; body: string; connection?: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body, connection: req.headers.connection });
      if (req.url === '/json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: body ? JSON.parse(body) : null }));
      if (req.url === '/text') return void res.writeHead(500).end('Unexpected token < in JSON');
      if (req.url === '/empty') return void res.writeHead(204).end();
      if (req.url === '/redirect') return void res.writeHead(302, { location: '/json' }).end();
      if (req.url === '/huge') return void res.writeHead(200).end('x'.repeat(2 << 20));
      // /slow: the headers, then a body that never finishes.
      res.writeHead(200);
      res.write('{');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('Voicenter login API request', () => {
  it('posts JSON and parses the JSON answer; no keep-alive', async () => {
    const res = await requestJson(`${base}/json`, { method: 'POST', body: { email: 'a@example.com', pin: '1234' }, timeoutMs: 2000 });
    expect(res).toEqual({ status: 200, body: { echo: { email: 'a@example.com', pin: '1234' } } });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', connection: 'close' });
  });

  it('a non-JSON answer comes back as text, an empty one as undefined, a redirect as its status', async () => {
    expect(await requestJson(`${base}/text`, { method: 'GET', timeoutMs: 2000 })).toEqual({ status: 500, body: 'Unexpected token < in JSON' });
    expect(await requestJson(`${base}/empty`, { method: 'GET', timeoutMs: 2000 })).toEqual({ status: 204, body: undefined });
    const before = seen.length;
    expect((await requestJson(`${base}/redirect`, { method: 'GET', timeoutMs: 2000 })).status).toBe(302);
    expect(seen.length).toBe(before + 1);
  });

  it('an answer over 1 MiB is refused', async () => {
    await expect(requestJson(`${base}/huge`, { method: 'GET', timeoutMs: 5000 })).rejects.toMatchObject({ code: 'PBX', message: expect.stringMatching(/too large/) });
  });

  it('a body that never ends hits the deadline', async () => {
    const t0 = Date.now();
    await expect(requestJson(`${base}/slow`, { method: 'GET', timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('an unreachable host: NETWORK, naming the host, never the path or headers', async () => {
    const err = await requestJson('http://127.0.0.1:1/getMonitorUrls/tok-SECRET-path', { method: 'GET', headers: { authorization: 'Bearer refresh-SECRET' }, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NETWORK', message: 'cannot reach 127.0.0.1:1 (ECONNREFUSED)' });
    expect(inspect(err, { depth: 5 })).not.toMatch(/SECRET/);
  });

  it('a bad URL is INVALID_INPUT', async () => {
    await expect(requestJson('not a url', { method: 'GET', timeoutMs: 100 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(requestJson('ftp://127.0.0.1/x', { method: 'GET', timeoutMs: 100 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
