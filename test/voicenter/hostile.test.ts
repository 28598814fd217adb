/**
 * A hostile Voicenter server (issue "Hostile servers and networks on every platform", items 1, 2, 8 and 10):
 * bad socket.io frames against a client in its own process, a token refresh storm, an unreadable snapshot, and
 * secrets a login API echoes back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { ConnectionConfig } from '../../shared/connection/types';
import { VoicenterConnection } from '../../shared/platforms/voicenter/module';
import { VoicenterPipeline } from '../../shared/platforms/voicenter/pipeline';
import { startVc, connect, waitFor, callKinds, type VcSim, type Probe } from './helpers';

const REGISTER = join(__dirname, '../reliability/ts-register.js');
const CHILD = join(__dirname, 'hostile-child.js');

interface Child {
  proc: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exit?: number | null;
  exited: Promise<number | null>;
  stderr: string;
}

/** A Voicenter connection in a child process: what it prints, and whether it is still alive. */
function spawnClient(config: ConnectionConfig): Child {
  const proc = spawn(process.execPath, ['-r', REGISTER, CHILD, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  const c: Child = { proc, lines: [], stderr: '', exited: undefined as unknown as Promise<number | null> };
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) c.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  proc.stderr!.on('data', (d: Buffer) => (c.stderr += d.toString()));
  c.exited = new Promise((resolve) => proc.on('exit', (code) => resolve((c.exit = code))));
  return c;
}

/** socket.io packets (Engine.IO messages) that socket.io-client 2.x cannot take, and Engine.IO-level garbage. */
const BAD_PACKETS = ['2{"not":"an array"}', '2"just a string"', '2[', '2{{{garbage', '2[]', '2[null]', '2[1,2,3]', '2["ExtensionEvent"', '2', 'x', '2[{"a":1}]', '2["AllExtensionsStatus","text"]'];
const BAD_ENGINE_FRAMES = ['garbage', '4', ''];

describe.each(['2', '4'] as const)('Voicenter bad frames (socket.io %s.x client in its own process)', (version) => {
  let s: VcSim;
  beforeAll(async () => {
    s = await startVc(version);
  });
  afterAll(async () => {
    await s.sim.close();
  });

  it('no frame ends the process; one warning per kind at most; the next events arrive', async () => {
    const c = spawnClient({
      platform: 'voicenter', url: s.vc.loginUrl, login: s.vc.credentials.account.username, password: s.vc.credentials.account.password,
      extra: { loginType: 'account', serverUrl: s.vc.socketUrls[0], socketVersion: version, backoffInitialMs: 50, backoffMaxMs: 200, healthyAfterMs: 100 },
    });
    try {
      await waitFor(() => c.lines.some((l) => l.state === 'connected') || c.exit !== undefined, 15_000, 'the child connected');
      expect(c.exit).toBeUndefined();
      for (const f of BAD_PACKETS) expect(s.vc.sendRaw(f)).toBe(1);
      await new Promise((r) => setTimeout(r, 150));
      for (const f of BAD_ENGINE_FRAMES) s.vc.sendRaw(f, true);
      await new Promise((r) => setTimeout(r, 300));
      expect({ exit: c.exit, stderr: c.stderr }).toEqual({ exit: undefined, stderr: '' });
      await waitFor(() => s.vc.clients()[0] === 1 && c.lines.at(-1)?.state !== 'reconnecting', 5000, 'logged in');
      const ref = s.sim.pbx.makeCall('bob', '201');
      await waitFor(() => c.lines.some((l) => l.event === 'call.incoming' && l.callId === `sim-${ref}`) || c.exit !== undefined, 5000, 'the next call');
      expect(c.exit).toBeUndefined();
      const warnings = c.lines.filter((l) => l.warning);
      // 2.x: our guard skips the frame (decode); 4.x: the client's own guard closes on a parse error (channel).
      expect(warnings.some((w) => w.warning === (version === '2' ? 'decode' : 'channel'))).toBe(true);
      // Rate-limited: 10 a minute per kind whatever the server sends.
      expect(warnings.filter((w) => w.warning === 'decode').length).toBeLessThanOrEqual(10);
      // At most a reconnect or two (the Engine.IO garbage may close the transport), never a storm.
      expect(Math.max(0, ...c.lines.map((l) => Number(l.sockets ?? 0)))).toBeLessThanOrEqual(4);
      s.sim.pbx.reset();
    } finally {
      c.proc.stdin!.end();
      const code = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r('timeout'), 5000))]);
      if (code === 'timeout') c.proc.kill();
    }
    expect(c.exit).toBe(0);
  });
});

describe('Voicenter token refresh storm', () => {
  let s: VcSim;
  const open: Probe[] = [];
  beforeAll(async () => {
    // Tokens that expire 1 s after they are issued: within the SDK's 5 s margin, so "5 s before expiry" is now.
    s = await startVc('2', { tokenTtlSeconds: 1 });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.conn.close()));
    s.vc.failRefresh(0);
  });
  afterAll(async () => {
    await s.sim.close();
  });

  // Scaled: a "minute" of 1 s, a floor of 100 ms, 10 refreshes per window at most.
  const scaled = { refreshFloorMs: 100, refreshWindowMs: 1000, refreshesPerWindow: 10 };

  /** Samples the server's refresh count; the most seen in any window of `windowMs`. */
  async function busiestWindow(count: () => number, totalMs: number, windowMs: number): Promise<{ max: number; total: number }> {
    const samples: Array<{ t: number; n: number }> = [];
    const t0 = Date.now();
    const base = count();
    while (Date.now() - t0 < totalMs) {
      samples.push({ t: Date.now(), n: count() - base });
      await new Promise((r) => setTimeout(r, 20));
    }
    let max = 0;
    for (const a of samples) for (const b of samples) if (b.t >= a.t && b.t - a.t <= windowMs) max = Math.max(max, b.n - a.n);
    return { max, total: count() - base };
  }

  it('a token expiring at once is refreshed at most 10 times a (scaled) minute, not at 0 ms again and again', async () => {
    const p = connect(s, 'user', { extra: scaled });
    open.push(p);
    await p.conn.ready(5000);
    const { max, total } = await busiestWindow(() => s.vc.stats.refreshes, 2500, 1000);
    // The window is sampled every 20 ms: one more may land on its edge.
    expect(max).toBeLessThanOrEqual(11);
    expect(total).toBeGreaterThanOrEqual(3);
    expect(total).toBeLessThanOrEqual(27);
    expect(p.conn.state).toBe('connected');
  });

  it('a refresh that keeps failing falls back to a full login through the back-off, within the ceiling', async () => {
    const p = connect(s, 'user', { extra: { ...scaled, backoffInitialMs: 100, backoffMaxMs: 400 } });
    open.push(p);
    await p.conn.ready(5000);
    const logins = s.vc.stats.httpLogins;
    s.vc.failRefresh(1_000_000);
    const { max, total } = await busiestWindow(() => s.vc.stats.refreshes, 2500, 1000);
    expect(max).toBeLessThanOrEqual(11);
    expect(total).toBeLessThanOrEqual(27);
    // Three failures in a row, then a full login (and the cycle again on the new token).
    expect(s.vc.stats.httpLogins - logins).toBeGreaterThanOrEqual(1);
    expect(s.vc.stats.httpLogins - logins).toBeLessThanOrEqual(Math.ceil(total / 3) + 1);
    expect(p.warnings.some((w) => /token refresh failed/.test(w.message))).toBe(true);
  });

  it('a host clock an hour ahead of the login API: the token is not read as expired (no refresh, no login loop)', async () => {
    const s2 = await startVc('2', { tokenTtlSeconds: 3600 });
    const p = connect(s2, 'user', { extra: scaled }, { now: () => Date.now() + 3_600_000 });
    try {
      await p.conn.ready(5000);
      await new Promise((r) => setTimeout(r, 1000));
      expect(s2.vc.stats.refreshes).toBe(0);
      expect(s2.vc.stats.httpLogins).toBe(1);
    } finally {
      await p.conn.close();
      await s2.sim.close();
    }
  });
});

describe('Voicenter unreadable snapshot', () => {
  const newcall = (ext: number, ivrid: string) => JSON.stringify(['ExtensionEvent', {
    reason: 'NEWCALL', servertime: 1_700_000_000, data: { number: ext, currentCall: { ivrid, direction: 'Incoming', callerphone: '0501234567', answered: 0 } },
  }]);
  const snapshot = (extensions: unknown[]) => JSON.stringify(['AllExtensionsStatus', { servertime: 1_700_000_010, extensions }]);

  it('entries that are all unreadable end nothing; a readable entry lacking the call ends it', () => {
    const p = new VoicenterPipeline();
    expect(p.pushLine(newcall(201, 'c1')).map((e) => e.type)).toEqual(['call.incoming']);
    expect(p.pushLine(newcall(202, 'c2')).map((e) => e.type)).toEqual(['call.incoming']);
    expect(() => p.pushLine(snapshot([null, 1, 'x']))).toThrow(/none of its 3 extension entries is readable/);
    // One readable entry (201, no calls) and unreadable ones: 201's call ended; 202 (maybe an unreadable entry) not.
    const ev = p.pushLine(snapshot([{ number: 201, calls: [] }, null, 'x']));
    expect(callKinds(ev)).toEqual(['call.ended:unknown']);
    expect(ev[0].user).toBe('201');
    // A readable entry whose call list cannot be read: nothing ends either.
    expect(p.pushLine(snapshot([{ number: 202, calls: [null] }, { number: 201, calls: [] }]))).toEqual([]);
    expect(p.pushLine(snapshot([{ number: 202, calls: 'x' }, { number: 201, calls: [] }]))).toEqual([]);
    // All readable: 202 lacks its call now.
    expect(callKinds(p.pushLine(snapshot([{ number: 202, calls: [] }, { number: 201, calls: [] }])))).toEqual(['call.ended:unknown']);
  });

  it('live: an unreadable AllExtensionsStatus costs one warning and ends no live call', async () => {
    const s = await startVc('2');
    const p = connect(s, 'account');
    try {
      await p.conn.ready(5000);
      const ref = s.sim.pbx.makeCall('bob', '201');
      await waitFor(() => p.of('call.incoming').length === 1, 5000, 'incoming');
      s.vc.send('AllExtensionsStatus', { servertime: s.vc.clock.epoch(), extensions: [null, 1, 'x'] });
      await waitFor(() => p.warnings.some((w) => w.kind === 'decode'), 5000, 'a warning');
      expect(p.of('call.ended')).toEqual([]);
      s.sim.pbx.answer(ref, 'alice');
      await waitFor(() => p.of('call.answered').some((e) => e.user === '201'), 5000, 'answered');
      expect(p.of('call.ended')).toEqual([]);
    } finally {
      await p.conn.close();
      await s.sim.close();
    }
  });
});

describe('Voicenter secrets echoed by the login API', () => {
  let server: Server;
  let url = '';
  let mode: 200 | 500 | 'refresh' = 500;
  const email = 'echo.user@example.com';
  const password = 'p@ss"w&rd<1>/ä€';
  const forms = [
    password, encodeURIComponent(password), JSON.stringify(password).slice(1, -1),
    password.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
    Buffer.from(password).toString('base64'), Buffer.from(`${email}:${password}`).toString('base64'),
    'vct-echoed-token-1234', 'vcr-echoed-refresh-5678',
  ];
  const echo = () => `bad pin ${password} / ${encodeURIComponent(password)} / ${JSON.stringify(password)} / ${forms[3]} / Basic ${forms[5]} / ${forms[4]}`;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.url?.endsWith('/RefreshIdentityToken')) {
          // The refresh echoes the refresh token it was sent.
          return void res.writeHead(500, { 'content-type': 'text/plain' }).end(`refresh failed for ${String(req.headers.authorization)} ${echo()}`);
        }
        if (mode === 500) return void res.writeHead(500, { 'content-type': 'text/plain' }).end(`Internal error: ${body} ${echo()}`);
        if (mode === 200) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ StatusCode: 1, Status: `${echo()} ${body}` }));
        // A token that the socket cannot use (no server listens): the refresh path runs.
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          StatusCode: 0, Status: `OK ${echo()}`,
          Data: { Socket: { Token: forms[6], RefreshToken: forms[7], TokenExpiry: new Date(Date.now() + 1000).toISOString(), URLList: ['http://127.0.0.1:1'] } },
        }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/monitorAPI/Login`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  async function collect(m: typeof mode): Promise<string> {
    mode = m;
    const conn = new VoicenterConnection({
      platform: 'voicenter', url, login: email, password, requestTimeoutMs: 2000,
      extra: { loginType: 'user', backoffInitialMs: 30, backoffMaxMs: 60, refreshFloorMs: 50 },
    });
    const seen: string[] = [];
    conn.onWarning((w) => seen.push(JSON.stringify(w)));
    conn.onState((st) => seen.push(JSON.stringify(st)));
    conn.onEvent((e) => seen.push(JSON.stringify(e)));
    const err = await conn.ready(1500).catch((e: Error) => e);
    if (err) seen.push(String(err), (err as Error).message, inspect(err, { depth: 5 }));
    await new Promise((r) => setTimeout(r, 300));
    seen.push(inspect(conn, { depth: 5 }), JSON.stringify(conn.stateInfo));
    await conn.close();
    return seen.join('\n');
  }

  it.each([500, 200, 'refresh'] as const)('no form of the password or token in errors, warnings or states (%s answer)', async (m) => {
    const text = await collect(m);
    expect(text).toMatch(m === 200 ? /refused/ : /failed|cannot|refused/);
    expect(forms.filter((f) => text.includes(f))).toEqual([]);
  });
});
