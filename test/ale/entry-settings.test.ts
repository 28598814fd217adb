/**
 * AleConnection reads its ConnectionConfig through the ALE settings schema, as every host and every other platform
 * does (issue 20): `urlKind` defaults to `public` for a library user too (before: `private` in the core, `public` in
 * both hosts), and a wrong value is the schema's typed verdict before anything opens. The server: the loopback fake
 * ALE behind a small proxy that announces dead private URLs, so only the public ones work.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectionConfig } from '../../shared/connection/types';
import { PbxError } from '../../shared/errors';
import type { PbxEvent } from '../../shared/model/events';
import { AleConnection } from '../../shared/platforms/ale/module';
import { descriptorOf } from '../../shared/platforms/catalog';
import { PASSWORD, startFakeAle, type FakeAle } from '../reliability/fake-ale';
import { waitFor } from './helpers';

/** A port nobody listens on (a server opened and closed). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Forwards to `target`; JSON answers name the proxy instead of the target, and every `private*Url` a dead port. */
async function startProxy(target: string, dead: string): Promise<{ url: string; server: Server }> {
  let self = '';
  const server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const up = request(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (r) => {
        const json = String(r.headers['content-type'] ?? '').includes('json') && !(req.url ?? '').startsWith('/api/rest/1.0/events');
        if (!json) {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
          return;
        }
        const got: Buffer[] = [];
        r.on('data', (c: Buffer) => got.push(c));
        r.on('end', () => {
          const o = JSON.parse(Buffer.concat(got).toString().split(target).join(self)) as Record<string, unknown>;
          for (const k of Object.keys(o)) if (/^private.*Url$/.test(k)) o[k] = `${dead}/api/rest/1.0${k === 'privatePollingUrl' ? '/events?subscriptionId=s1' : ''}`;
          const text = JSON.stringify(o);
          res.writeHead(r.statusCode ?? 502, { ...r.headers, 'content-length': String(Buffer.byteLength(text)) });
          res.end(text);
        });
      });
      up.on('error', () => res.destroy());
      up.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: self, server };
}

const ringing = { eventName: 'OnCallCreated', loginName: 'bob', callRef: 'k1', legs: [{ deviceId: '202', state: 'RINGING_INCOMING' }], participants: [{ participantId: '201', identity: { id: { phoneNumber: '201' } } }] };

describe('ALE settings through the schema', () => {
  let fake: FakeAle;
  let proxy: { url: string; server: Server };
  beforeAll(async () => {
    fake = await startFakeAle();
    proxy = await startProxy(fake.url, `http://127.0.0.1:${await deadPort()}`);
  });
  afterAll(async () => {
    await new Promise<void>((r) => proxy.server.close(() => r()));
    await fake.close();
  });
  const config = (over: Partial<ConnectionConfig> = {}): ConnectionConfig => ({
    platform: 'opentouch', url: proxy.url, login: 'bob', password: PASSWORD, requestTimeoutMs: 1000, extra: { backoffInitialMs: 50, backoffMaxMs: 200 }, ...over,
  });

  it('a library config without urlKind uses the public URLs, as both hosts do; urlKind private the LAN ones', async () => {
    const conn = new AleConnection(config());
    const events: PbxEvent[] = [];
    conn.onEvent((e) => events.push(e));
    try {
      await conn.ready(4000);
      fake.send(ringing);
      await waitFor(() => events.some((e) => e.type === 'call.incoming'), 2000, 'the event over the public channel URL');
    } finally {
      await conn.close();
    }
    // Still honoured when asked for: here the announced LAN URLs are dead, so it never connects.
    const lan = new AleConnection(config({ urlKind: 'private' }));
    lan.onEvent(() => undefined);
    try {
      await expect(lan.ready(800)).rejects.toBeInstanceOf(PbxError);
      expect(lan.state).not.toBe('connected');
    } finally {
      await lan.close();
    }
  });

  it.each<[string, Partial<ConnectionConfig>, RegExp]>([
    ['a URL of another scheme', { url: 'ftp://pbx.example.com' }, /^url must start with https:\/\/ or http:\/\//],
    ['no login', { login: '' }, /^login is required$/],
    ['an unknown URL kind', { urlKind: 'lan' as 'public' }, /^urlKind must be one of public, private/],
    ['a request deadline out of range', { requestTimeoutMs: 10 }, /^requestTimeoutMs must be between 50 and 300000 \(got 10\)$/],
    ['a word for a number', { extra: { resyncConcurrency: 'lots' } }, /^extra\.resyncConcurrency must be a number/],
    ['retry delays upside down', { extra: { backoffInitialMs: 5000, backoffMaxMs: 100 } }, /^extra\.backoffMaxMs must not be below extra\.backoffInitialMs$/],
    ['a pilot list too long', { extra: { pilots: Object.fromEntries(Array.from({ length: 900 }, (_, i) => [String(10_000 + i), 'Queue'])) } }, /^extra\.pilots is longer than 4096 characters$/],
  ])('%s: the typed INVALID_INPUT before anything opens, naming the config path', (_what, over, message) => {
    const before = fake.counts.requests;
    let err: unknown;
    try {
      new AleConnection(config(over));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PbxError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(message) });
    expect(fake.counts.requests).toBe(before);
  });

  it('a setting every platform shares gives the same verdict on ALE as on the others', () => {
    const verdict = (c: ConnectionConfig) => {
      try {
        descriptorOf(c.platform)!.create(c);
      } catch (e) {
        return { type: (e as Error).constructor.name, code: (e as PbxError).code, message: (e as Error).message };
      }
      return undefined;
    };
    const ale = verdict(config({ requestTimeoutMs: 10 }));
    expect(ale).toEqual(verdict({ platform: 'voicenter', url: '', login: 'x@example.com', password: 'pw', requestTimeoutMs: 10 }));
    expect(ale).toMatchObject({ type: 'PbxError', code: 'INVALID_INPUT' });
  });

  it('pilots given as a record or a list are read as the text the hosts collect (a name loses only its list separators)', async () => {
    const conn = new AleConnection(config({ platform: 'o2g', extra: { pilots: { 5000: 'Support, first line', 5001: '' } } }));
    try {
      expect(conn.pipeline.options.pilotNames).toEqual({ 5000: 'Support first line', 5001: '' });
    } finally {
      await conn.close();
    }
    const list = new AleConnection(config({ platform: 'o2g', extra: { pilots: ['6000', 6001] } }));
    try {
      expect(list.pipeline.options.pilotNames).toEqual({ 6000: '', 6001: '' });
    } finally {
      await list.close();
    }
  });
});
