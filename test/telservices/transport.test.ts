/** The TelServices TCP and HTTP transports against plain servers on loopback: framing, timeouts, errors. */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { AuthError, PbxError } from '../../shared/errors';
import { TelServicesTransport } from '../../shared/platforms/telservices/transport';

const RET = '<TelServiceReturn><result><standard/></result></TelServiceReturn>';

async function server(onRequest: (s: Socket, data: string) => void): Promise<{ url: string; close(): Promise<void>; requests: string[] }> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const srv: Server = createServer((s) => {
    sockets.add(s);
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      requests.push(d);
      onRequest(s, d);
    });
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    url: `tcp://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      srv.close(() => r());
    }),
  };
}

describe('TelServices TCP transport', () => {
  it('reads until the server closes; or stops at a whole return when the server lingers', async () => {
    const closing = await server((s) => s.end(RET));
    const lingering = await server((s) => s.write(RET)); // never closes
    try {
      expect(await new TelServicesTransport({ url: closing.url }).send('<TelServiceRequest/>')).toBe(RET);
      const t0 = Date.now();
      expect(await new TelServicesTransport({ url: lingering.url, responseTimeoutMs: 3000 }).send('<TelServiceRequest/>')).toBe(RET);
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      await closing.close();
      await lingering.close();
    }
  });

  it('appends the end-of-message sequence and stops at it, even split across chunks', async () => {
    const srv = await server((s) => {
      s.write(RET.slice(0, 20));
      setTimeout(() => s.write(`${RET.slice(20)}\r`), 20);
      setTimeout(() => s.write('\n<junk after the sequence'), 40);
    });
    try {
      const t = new TelServicesTransport({ url: srv.url, endOfMessage: '\r\n' });
      expect(await t.send('<TelServiceRequest/>')).toBe(RET);
      expect(srv.requests[0]).toBe('<TelServiceRequest/>\r\n');
    } finally {
      await srv.close();
    }
  });

  it('a silent server is a TIMEOUT, a closed port a NETWORK error, both retryable; bad URLs are refused', async () => {
    const silent = await server(() => undefined);
    try {
      const err = await new TelServicesTransport({ url: silent.url, responseTimeoutMs: 150 }).send('<x/>').catch((e: PbxError) => e);
      expect(err).toMatchObject({ code: 'TIMEOUT', canRetry: true });
      expect((err as Error).message).toMatch(/did not answer within 150 ms/);
    } finally {
      await silent.close();
    }
    const gone = await server(() => undefined);
    const url = gone.url;
    await gone.close();
    const err = await new TelServicesTransport({ url }).send('<x/>').catch((e: PbxError) => e);
    expect(err).toMatchObject({ code: 'NETWORK', canRetry: true });
    expect((err as Error).message).toMatch(/cannot reach TelServer at 127\.0\.0\.1:\d+: ECONNREFUSED/);
    expect(() => new TelServicesTransport({ url: 'tcp://host' })).toThrow(/needs a port/);
    expect(() => new TelServicesTransport({ url: 'udp://host:1' })).toThrow(/tcp:\/\/ or http:\/\//);
    const closed = await server((s) => s.end());
    try {
      await expect(new TelServicesTransport({ url: closed.url }).send('<x/>')).rejects.toThrow(/closed the connection without an answer/);
    } finally {
      await closed.close();
    }
  });
});

describe('TelServices HTTP transport', () => {
  async function httpServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; close(): Promise<void>; bodies: string[] }> {
    const bodies: string[] = [];
    const srv = createHttpServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        bodies.push(body);
        handler(req, res, body);
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    return {
      url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
      bodies,
      close: () => new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
    };
  }

  it('POSTs the XML and returns the body; 401 is an AuthError, 500 a PBX error, an endless body is cut off', async () => {
    const srv = await httpServer((req, res, body) => {
      if (req.url === '/auth') return res.writeHead(401).end();
      if (req.url === '/fail') return res.writeHead(500).end('oops');
      if (req.url === '/huge') {
        res.writeHead(200, { 'content-type': 'text/xml' });
        const chunk = 'x'.repeat(64 * 1024);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        return pump();
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body.includes('<openSession') ? RET : '{"not":"json-parsed"}');
    });
    try {
      const t = new TelServicesTransport({ url: srv.url });
      expect(await t.send('<TelServiceRequest><openSession/></TelServiceRequest>')).toBe(RET);
      expect(await t.send('<other/>')).toBe('{"not":"json-parsed"}');
      expect(srv.bodies[0]).toBe('<TelServiceRequest><openSession/></TelServiceRequest>');
      expect(t.requests).toBe(2);
      await expect(new TelServicesTransport({ url: `${srv.url}/auth` }).send('<x/>')).rejects.toBeInstanceOf(AuthError);
      await expect(new TelServicesTransport({ url: `${srv.url}/fail` }).send('<x/>')).rejects.toMatchObject({ code: 'PBX', message: expect.stringMatching(/answered HTTP 500/) });
      await expect(new TelServicesTransport({ url: `${srv.url}/huge`, responseTimeoutMs: 20_000 }).send('<x/>')).rejects.toMatchObject({ code: 'PBX', message: expect.stringMatching(/longer than/) });
    } finally {
      await srv.close();
    }
  });

  it('a silent server is a TIMEOUT, a closed port a NETWORK error, close() aborts a request in flight', async () => {
    const srv = await httpServer(() => undefined); // never answers
    try {
      const err = await new TelServicesTransport({ url: srv.url, responseTimeoutMs: 150 }).send('<x userPassword="s3cret"/>').catch((e: PbxError) => e);
      expect(err).toMatchObject({ code: 'TIMEOUT', canRetry: true });
      expect((err as Error).message).toMatch(/did not answer within 150 ms/);
      const t = new TelServicesTransport({ url: srv.url, responseTimeoutMs: 20_000 });
      const pending = t.send('<x/>').catch((e: PbxError) => e);
      while (srv.bodies.length < 2) await new Promise((r) => setTimeout(r, 10));
      t.close();
      expect(await pending).toMatchObject({ code: 'CLOSED' });
    } finally {
      await srv.close();
    }
    const err = await new TelServicesTransport({ url: srv.url }).send('<TelServiceRequest><openSession><userPassword>s3cret</userPassword></openSession></TelServiceRequest>').catch((e: PbxError) => e);
    expect(err).toMatchObject({ code: 'NETWORK', canRetry: true });
    expect((err as Error).message).toMatch(/cannot reach TelServer at 127\.0\.0\.1:\d+: ECONNREFUSED/);
    expect(JSON.stringify(err) + String((err as Error).stack) + String((err as Error).cause)).not.toContain('s3cret');
  });
});
