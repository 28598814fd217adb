/**
 * The ALE HTTP layer (axios underneath): a deadline that covers the body, raw text and Node-style headers back,
 * errors that name method and path only (no query, cookie or Authorization, not even in `cause`), clear TLS messages.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { HttpClient } from '../../shared/platforms/ale/http';

const secret = { Authorization: `Basic ${Buffer.from('bob:S3cret-pw').toString('base64')}`, Cookie: 'AlcUserId=TOKEN-123' };

/** Everything an error could show (message, stack, cause chain, enumerable fields). */
function leaks(err: unknown): boolean {
  const text = `${inspect(err, { depth: 20 })}${JSON.stringify(err)}${(err as Error).stack ?? ''}`;
  return /S3cret|Ym9iOlMz|TOKEN-123|SUBID/.test(text);
}

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('ALE HTTP client', () => {
  const client = new HttpClient();
  const drips = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    if (req.url!.startsWith('/drip')) {
      // Headers at once, then a byte every 50 ms for 2 s: only a whole-request deadline stops it.
      res.writeHead(200);
      const t = setInterval(() => res.write('x'), 50);
      drips.add(t);
      res.on('close', () => clearInterval(t));
      return;
    }
    if (req.url!.startsWith('/hang')) return;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      res.writeHead(201, { 'Set-Cookie': ['AlcUserId=abc; Path=/', 'other=1'], 'WWW-Authenticate': 'Basic realm="x"' });
      res.end(` ${JSON.stringify({ body, length: req.headers['content-length'] })} `);
    });
  });
  let port = 0;
  beforeAll(async () => {
    port = await listen(server);
  });
  afterAll(async () => {
    client.close();
    for (const t of drips) clearInterval(t);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('returns the raw text, the status as is and Node-style headers', async () => {
    const r = await client.request(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: ' {"é":1} ', timeoutMs: 2000 });
    expect(r.status).toBe(201);
    expect(r.text).toBe(` ${JSON.stringify({ body: ' {"é":1} ', length: '10' })} `);
    expect(r.headers['set-cookie']).toEqual(['AlcUserId=abc; Path=/', 'other=1']);
    expect(r.headers['www-authenticate']).toBe('Basic realm="x"');
  });

  it('the deadline covers a body that keeps dripping; the error names method and path only', async () => {
    const t0 = Date.now();
    const err = await client.request(`http://127.0.0.1:${port}/drip?subscriptionId=SUBID`, { method: 'GET', headers: secret, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(err).toMatchObject({ code: 'TIMEOUT', canRetry: true, message: 'GET /drip: no answer within 300 ms' });
    expect(leaks(err)).toBe(false);
  });

  it('a stream that gets no answer times out; a refused connection is NETWORK, without secrets', async () => {
    const slow = await client.stream(`http://127.0.0.1:${port}/hang?id=SUBID`, { method: 'POST', headers: secret, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(slow).toMatchObject({ code: 'TIMEOUT', canRetry: true, message: 'POST /hang: no answer within 200 ms' });
    expect(leaks(slow)).toBe(false);
    const closed = http.createServer();
    const closedPort = await listen(closed);
    await new Promise((r) => closed.close(r));
    const refused = await client.request(`http://127.0.0.1:${closedPort}/api/rest?x=SUBID`, { method: 'GET', headers: secret, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'NETWORK', canRetry: true, message: 'GET /api/rest: ECONNREFUSED' });
    expect(leaks(refused)).toBe(false);
  });

  it('a self-signed certificate is refused with a clear message, accepted when allowed or given as CA', async () => {
    let dir: string | undefined;
    let key: string;
    let cert: string;
    try {
      dir = mkdtempSync(join(tmpdir(), 'pbxflow-http-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      key = readFileSync(join(dir, 'key.pem'), 'utf8');
      cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    } catch (e) {
      if (dir) rmSync(dir, { recursive: true, force: true });
      console.warn(`TLS test skipped: openssl not available: ${(e as Error).message}`);
      return;
    }
    rmSync(dir, { recursive: true, force: true });
    const tlsServer = https.createServer({ key, cert }, (_req, res) => res.end('over tls'));
    const tlsPort = await listen(tlsServer);
    const lax = new HttpClient({ rejectUnauthorized: false });
    const withCa = new HttpClient({ ca: cert });
    try {
      const url = `https://127.0.0.1:${tlsPort}/api/rest?x=SUBID`;
      const err = await client.request(url, { method: 'GET', headers: secret, timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'NETWORK', canRetry: false });
      expect((err as Error).message).toMatch(/^GET \/api\/rest: DEPTH_ZERO_SELF_SIGNED_CERT \(.*self-signed.*'Ignore SSL Issues'.*only if you trust this PBX\)$/);
      expect(leaks(err)).toBe(false);
      const streamErr = await client.stream(url, { method: 'POST', headers: secret, timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(streamErr).toMatchObject({ code: 'NETWORK', canRetry: false });
      expect(leaks(streamErr)).toBe(false);
      expect((await lax.request(url, { method: 'GET', timeoutMs: 2000 })).text).toBe('over tls');
      expect((await withCa.request(url, { method: 'GET', timeoutMs: 2000 })).text).toBe('over tls');
      const { res, abort } = await lax.stream(url, { method: 'POST', timeoutMs: 2000 });
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      await new Promise((r) => res.on('end', r));
      abort();
      expect(text).toBe('over tls');
    } finally {
      lax.close();
      withCa.close();
      tlsServer.closeAllConnections();
      await new Promise((r) => tlsServer.close(r));
    }
  });
});
