/**
 * Issue 20: the one HTTP client (shared/connection/http.ts) against real servers on 127.0.0.1: one deadline for the
 * whole exchange, a size cap (decompressed), no redirect followed, no proxy (not even from the environment), TLS
 * verified with a hint on every platform's error path (ALE, Voicenter, TelServices), close() ends what is in
 * flight, cookies per origin, and every text of every error through the connection's scrubber, in every form.
 */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import { HttpClient } from '../../shared/connection/http';
import { Secrets } from '../../shared/connection/secrets';
import { PbxError } from '../../shared/errors';
import { HttpClient as AleHttpClient } from '../../shared/platforms/ale/http';
import { TelServicesTransport } from '../../shared/platforms/telservices/transport';
import { requestJson } from '../../shared/platforms/voicenter/http';
import { selfSignedCertificate } from '../../simulator/frontends/ale/self-signed';

async function listen(server: http.Server | https.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function stop(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

/** Everything an error could show: message, stack, cause chain, enumerable fields. */
function shown(err: unknown): string {
  return `${inspect(err, { depth: 20 })}\n${JSON.stringify(err)}\n${(err as Error).stack ?? ''}\n${String((err as Error).cause ?? '')}`;
}

const hits: Record<string, number> = {};
const drips = new Set<NodeJS.Timeout>();
const server = http.createServer((req, res) => {
  const path = new URL(req.url!, 'http://x').pathname;
  hits[path] = (hits[path] ?? 0) + 1;
  if (path === '/drip') {
    // Headers at once, then a byte every 30 ms: only a deadline on the whole exchange stops it.
    res.writeHead(200);
    const t = setInterval(() => res.write('x'), 30);
    drips.add(t);
    res.on('close', () => clearInterval(t));
    return;
  }
  if (path === '/hang') return;
  if (path === '/big') return void res.writeHead(200).end('y'.repeat(5000));
  if (path === '/fits') return void res.writeHead(200).end('z'.repeat(1000));
  // 5000 bytes once inflated, a few dozen on the wire: the cap counts what is read, not what was sent.
  if (path === '/bomb') return void res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('b'.repeat(5000)));
  if (path === '/redirect') return void res.writeHead(302, { location: '/target' }).end('moved');
  if (path === '/cookie') return void res.writeHead(200, { 'set-cookie': ['affinity=node-2; Path=/', 'gone=; Max-Age=0'] }).end();
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path, ua: req.headers['user-agent'], cookie: req.headers.cookie ?? null }));
});
let base = '';
let closedPort = 0;

beforeAll(async () => {
  base = `http://127.0.0.1:${await listen(server)}`;
  const closed = http.createServer();
  closedPort = await listen(closed);
  await stop(closed);
});

afterAll(async () => {
  for (const t of drips) clearInterval(t);
  await stop(server);
});

describe('the one HTTP client', () => {
  const client = new HttpClient({ maxBytes: 2000, cookies: true });
  afterAll(() => client.close());

  it('one deadline for the whole exchange: a body that keeps dripping is cut at timeoutMs', async () => {
    const t0 = Date.now();
    const err = await client.request(`${base}/drip?token=Q`, { method: 'GET', timeoutMs: 200 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(PbxError);
    expect(err).toMatchObject({ code: 'TIMEOUT', canRetry: true, message: 'GET /drip: no answer within 200 ms' });
    // A stream's deadline covers the answer's headers.
    const slow = await client.stream(`${base}/hang`, { method: 'POST', timeoutMs: 150 }).catch((e: unknown) => e);
    expect(slow).toMatchObject({ code: 'TIMEOUT', message: 'POST /hang: no answer within 150 ms' });
  });

  it('an answer over the size cap is refused, counted after inflating; one under it is read', async () => {
    await expect(client.request(`${base}/big`, { method: 'GET', timeoutMs: 2000 })).rejects.toMatchObject({ code: 'PBX', message: 'GET /big: the answer is larger than 2000 bytes' });
    await expect(client.request(`${base}/bomb`, { method: 'GET', timeoutMs: 2000 })).rejects.toMatchObject({ code: 'PBX', message: expect.stringMatching(/larger than 2000 bytes/) });
    expect((await client.request(`${base}/fits`, { method: 'GET', timeoutMs: 2000 })).text).toHaveLength(1000);
  });

  it('a redirect is an answer, never followed', async () => {
    const before = hits['/target'] ?? 0;
    const r = await client.request(`${base}/redirect`, { method: 'GET', timeoutMs: 2000 });
    expect(r).toMatchObject({ status: 302, text: 'moved', headers: { location: '/target' } });
    expect(hits['/target'] ?? 0).toBe(before);
  });

  it('proxies from the environment are ignored: the request goes to the PBX itself', async () => {
    let proxied = 0;
    const proxy = http.createServer((_req, res) => {
      proxied++;
      res.writeHead(200).end('{"path":"via proxy"}');
    });
    const proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
    Object.assign(process.env, { HTTP_PROXY: proxyUrl, http_proxy: proxyUrl, NO_PROXY: '', no_proxy: '' });
    try {
      const r = await client.request(`${base}/direct`, { method: 'GET', timeoutMs: 2000 });
      expect(JSON.parse(r.text)).toMatchObject({ path: '/direct', ua: expect.stringMatching(/^pbxflow/) });
      expect(proxied).toBe(0);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await stop(proxy);
    }
  });

  it('cookies are kept per origin and forgotten on request; a client without a jar keeps none', async () => {
    await client.request(`${base}/cookie`, { method: 'GET', timeoutMs: 2000 });
    expect(client.cookiesFor(`${base}/anything`)).toEqual(['affinity=node-2']);
    expect(client.cookiesFor(`http://127.0.0.2:1/`)).toEqual([]);
    client.forgetCookies(base);
    expect(client.cookiesFor(base)).toEqual([]);
    const plain = new HttpClient();
    try {
      await plain.request(`${base}/cookie`, { method: 'GET', timeoutMs: 2000 });
      expect(plain.cookiesFor(base)).toEqual([]);
    } finally {
      plain.close();
    }
  });

  it('close() ends an exchange in flight at once, as CLOSED', async () => {
    const c = new HttpClient();
    const pending = c.request(`${base}/hang`, { method: 'GET', timeoutMs: 20_000 }).catch((e: unknown) => e);
    const before = hits['/hang'] ?? 0;
    while ((hits['/hang'] ?? 0) === before) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    c.close();
    expect(await pending).toMatchObject({ code: 'CLOSED' });
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('a refused connection is NETWORK with its code, retryable; a bad URL is INVALID_INPUT', async () => {
    const err = await client.request(`http://127.0.0.1:${closedPort}/api?x=1`, { method: 'GET', timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NETWORK', canRetry: true, message: 'GET /api: ECONNREFUSED' });
    expect(((err as Error).cause as { code?: string }).code).toBe('ECONNREFUSED');
    await expect(client.request('ftp://127.0.0.1/x', { method: 'GET', timeoutMs: 100 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('TLS: verified by default, a hint on every platform\'s error path', () => {
  const { key, cert } = selfSignedCertificate(1);
  const tlsServer = https.createServer({ key, cert }, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"over":"tls"}'));
  let url = '';
  let port = 0;
  beforeAll(async () => {
    port = await listen(tlsServer);
    url = `https://127.0.0.1:${port}`;
  });
  afterAll(() => stop(tlsServer));

  const SELF_SIGNED = /DEPTH_ZERO_SELF_SIGNED_CERT.*certificate not trusted: the PBX certificate is self-signed; give the PBX's CA certificate, or enable 'Ignore SSL Issues'/;

  it('the core client: refused, not retryable, with the hint; accepted when allowed or given the CA', async () => {
    const strict = new HttpClient();
    const lax = new HttpClient({ tls: { rejectUnauthorized: false } });
    const withCa = new HttpClient({ tls: { ca: cert } });
    try {
      const err = await strict.request(`${url}/x`, { method: 'GET', timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'NETWORK', canRetry: false, message: expect.stringMatching(SELF_SIGNED) });
      expect((await lax.request(`${url}/x`, { method: 'GET', timeoutMs: 2000 })).text).toBe('{"over":"tls"}');
      expect((await withCa.request(`${url}/x`, { method: 'GET', timeoutMs: 2000 })).text).toBe('{"over":"tls"}');
    } finally {
      for (const c of [strict, lax, withCa]) c.close();
    }
  });

  it('ALE (REST and event channel)', async () => {
    const ale = new AleHttpClient();
    try {
      const rest = await ale.request(`${url}/api/rest`, { method: 'GET', timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(rest).toMatchObject({ code: 'NETWORK', canRetry: false, message: expect.stringMatching(/^GET \/api\/rest: /) });
      expect((rest as Error).message).toMatch(SELF_SIGNED);
      const channel = await ale.stream(`${url}/api/rest/events`, { method: 'POST', timeoutMs: 2000 }).catch((e: unknown) => e);
      expect((channel as Error).message).toMatch(SELF_SIGNED);
    } finally {
      ale.close();
    }
  });

  it('Voicenter (login API)', async () => {
    const err = await requestJson(`${url}/monitorAPI/Login/User`, { method: 'POST', body: { email: 'a@example.com', pin: '1234' }, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NETWORK', canRetry: false, message: expect.stringMatching(new RegExp(`^cannot reach 127\\.0\\.0\\.1:${port} \\(`)) });
    expect((err as Error).message).toMatch(SELF_SIGNED);
    expect(await requestJson(`${url}/x`, { method: 'GET', timeoutMs: 2000, ca: cert })).toEqual({ status: 200, body: { over: 'tls' } });
    expect(await requestJson(`${url}/x`, { method: 'GET', timeoutMs: 2000, rejectUnauthorized: false })).toEqual({ status: 200, body: { over: 'tls' } });
  });

  it('TelServices (HTTP binding behind TLS)', async () => {
    const strict = new TelServicesTransport({ url });
    const withCa = new TelServicesTransport({ url, tls: { ca: cert } });
    try {
      const err = await strict.send('<TelServiceRequest/>').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'NETWORK', canRetry: false, message: expect.stringMatching(new RegExp(`^cannot reach TelServer at 127\\.0\\.0\\.1:${port}: `)) });
      expect((err as Error).message).toMatch(SELF_SIGNED);
      expect(await withCa.send('<TelServiceRequest/>')).toBe('{"over":"tls"}');
    } finally {
      strict.close();
      withCa.close();
    }
  });
});

describe('every error through the scrubber, in every form', () => {
  const LOGIN = 'bob';
  const PASSWORD = 'pä ss/w&rd<1>"x"';
  const TOKEN = 'AlcTok-7f3a9c2e';
  const secrets = new Secrets();
  secrets.addPassword(PASSWORD, LOGIN);
  secrets.addSessionCookie(TOKEN);
  const b64 = (v: string) => Buffer.from(v, 'utf8').toString('base64');
  const FORMS: Array<[string, string]> = [
    ['raw', PASSWORD],
    ['URL-encoded', encodeURIComponent(PASSWORD)],
    ['form-encoded', new URLSearchParams({ v: PASSWORD }).toString().slice(2)],
    ['JSON-escaped', JSON.stringify(PASSWORD).slice(1, -1)],
    ['XML-escaped', PASSWORD.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')],
    ['base64', b64(PASSWORD)],
    ['Basic value', b64(`${LOGIN}:${PASSWORD}`)],
    ['session cookie', TOKEN],
    ['session cookie, URL-encoded base64', encodeURIComponent(b64(TOKEN))],
  ];
  /** Every form of every secret, and the bits that identify them, must be absent. */
  const leaked = (text: string): string[] => FORMS.filter(([, f]) => text.includes(f)).map(([n]) => n).concat(/w&rd|pä|7f3a9c2e/.test(text) ? ['a fragment'] : []);

  const { key, cert } = selfSignedCertificate(1);
  const tlsServer = https.createServer({ key, cert }, (_req, res) => res.end('tls'));
  let tlsUrl = '';
  beforeAll(async () => {
    tlsUrl = `https://127.0.0.1:${await listen(tlsServer)}`;
  });
  afterAll(() => stop(tlsServer));

  it.each(FORMS)('%s: in the name of a refused, timed-out, too large, TLS-refused and closed exchange', async (_name, form) => {
    const client = new HttpClient({ secrets, maxBytes: 100 });
    const what = `POST /login/${form}`;
    const headers = { Authorization: `Basic ${b64(`${LOGIN}:${PASSWORD}`)}`, Cookie: `AlcUserId=${TOKEN}` };
    const body = JSON.stringify({ login: LOGIN, password: PASSWORD });
    const opts = { method: 'POST', what, headers, body };
    try {
      const errors: unknown[] = [
        await client.request(`http://127.0.0.1:${closedPort}/x`, { ...opts, timeoutMs: 2000 }).catch((e: unknown) => e),
        await client.request(`${base}/hang`, { ...opts, timeoutMs: 100 }).catch((e: unknown) => e),
        await client.request(`${base}/big`, { ...opts, timeoutMs: 2000 }).catch((e: unknown) => e),
        await client.request(`${tlsUrl}/x`, { ...opts, timeoutMs: 2000 }).catch((e: unknown) => e),
        await client.stream(`${tlsUrl}/x`, { ...opts, timeoutMs: 2000 }).catch((e: unknown) => e),
      ];
      const pending = client.request(`${base}/hang`, { ...opts, timeoutMs: 5000 }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 30));
      client.close();
      errors.push(await pending);
      expect(errors.map((e) => (e as PbxError).code)).toEqual(['NETWORK', 'TIMEOUT', 'PBX', 'NETWORK', 'NETWORK', 'CLOSED']);
      for (const e of errors) {
        expect((e as Error).message).toMatch(/^POST \/login\/\*\*\*|closed/);
        expect(leaked(shown(e))).toEqual([]);
      }
    } finally {
      client.close();
    }
  });

  it('a secret in the URL path is scrubbed where a platform names the path (ALE)', async () => {
    const ale = new AleHttpClient({}, secrets);
    try {
      const err = await ale.request(`http://127.0.0.1:${closedPort}/api/rest/${encodeURIComponent(TOKEN)}/x?sid=1`, { method: 'GET', timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'NETWORK', message: 'GET /api/rest/***/x: ECONNREFUSED' });
      expect(leaked(shown(err))).toEqual([]);
    } finally {
      ale.close();
    }
  });
});
