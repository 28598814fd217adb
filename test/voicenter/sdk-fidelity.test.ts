/**
 * The simulator as Voicenter's official client (VoicenterTeam/VoicenterEventsSDK) expects the real service, one
 * protocol-level check per point of the issue "Voicenter as its official client and the real service expect it",
 * driven the way the SDK drives it (socket.io-client 2.x, the nearest to its vendored 1.3.7, token in the
 * handshake query, websocket only); and our client against both epoch modes and a skewed host clock.
 */
import { selfSignedCertificate } from '../../simulator/frontends/ale/self-signed';
import { startSimulator } from '../../simulator';
import { VoicenterFrontEnd } from '../../simulator/frontends/voicenter/server';
import { startVc, connect, waitFor, callKinds, type VcSim, type Probe } from './helpers';

type Io = (url: string, opts: Record<string, unknown>) => SdkSocket;
interface SdkSocket {
  on(name: string, fn: (...a: unknown[]) => void): void;
  emit(name: string, ...a: unknown[]): void;
  close(): void;
}
const io = require('socket.io-client') as Io;

type Payload = Record<string, unknown> & { data?: Record<string, unknown> };

/** A socket as the SDK opens it (src/classes/socket-io/socket-io.class.ts `initSocketConnection`); events recorded. */
function sdkSocket(url: string, token: string | undefined, extra: Record<string, unknown> = {}): { sock: SdkSocket; got: Array<[string, Payload]>; of(name: string): Payload[] } {
  const sock = io(url, { reconnection: false, upgrade: false, transports: ['websocket'], forceNew: true, ...(token ? { query: { token } } : {}), timeout: 3000, ...extra });
  const got: Array<[string, Payload]> = [];
  for (const name of ['loginSuccess', 'loginStatus', 'AllExtensionsStatus', 'ExtensionEvent', 'QueueEvent', 'keepaliveResponse']) {
    sock.on(name, (p: unknown) => got.push([name, p as Payload]));
  }
  return { sock, got, of: (name) => got.filter(([n]) => n === name).map(([, p]) => p) };
}

async function postJson(url: string, body: unknown, ca?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const { requestJson } = await import('../../shared/platforms/voicenter/http');
  const res = await requestJson(url, { method: 'POST', body, timeoutMs: 3000, ca });
  return { status: res.status, json: res.body as Record<string, unknown> };
}

const nowS = () => Date.now() / 1000;
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

describe('the simulator as the official client expects it', () => {
  let s: VcSim;
  beforeAll(async () => {
    s = await startVc('2');
  });
  afterEach(() => {
    s.sim.pbx.reset();
    s.vc.muteEvents(false);
  });
  afterAll(async () => {
    await s.sim.close();
  });

  async function signedIn(): Promise<ReturnType<typeof sdkSocket>> {
    const c = sdkSocket(s.vc.socketUrls[0], s.vc.organizationToken);
    open.push(c.sock);
    await waitFor(() => c.of('AllExtensionsStatus').length === 1, 5000, 'a snapshot after the handshake');
    return c;
  }

  it('21.2 the token in the handshake alone signs in: loginStatus and AllExtensionsStatus with no login event', async () => {
    const c = await signedIn();
    expect(c.of('loginStatus')).toHaveLength(1);
    expect(c.of('loginStatus')[0]).toMatchObject({ errorCode: 0 });
    expect((c.of('AllExtensionsStatus')[0].extensions as unknown[]).length).toBeGreaterThan(0);
    // A `login` with the same token on the same socket is still accepted, and repeats nothing.
    c.sock.emit('login', { token: s.vc.organizationToken });
    await new Promise((r) => setTimeout(r, 200));
    expect(c.of('AllExtensionsStatus')).toHaveLength(1);
  });

  it('21.1 epochs on the server\'s local clock (servertimeoffset 180), as the SDK converts them', async () => {
    const c = await signedIn();
    const snap = c.of('AllExtensionsStatus')[0];
    expect(snap.servertimeoffset).toBe(180);
    // The SDK: UTC = servertime * 1000 - servertimeoffset * 60 000 (src/store/extensions.js).
    expect(Math.abs(Number(snap.servertime) - 180 * 60 - nowS())).toBeLessThan(5);
    const ref = s.sim.pbx.makeCall('bob', '201');
    s.sim.pbx.answer(ref, 'alice');
    await waitFor(() => c.of('ExtensionEvent').length >= 4, 5000, 'events');
    const ev = c.of('ExtensionEvent').find((e) => e.reason === 'ANSWER')!;
    const call = ev.data!.currentCall as Record<string, number>;
    for (const t of [Number(ev.servertime), call.callStarted, call.callAnswered, Number(ev.data!.lastCallEventEpoch)]) {
      expect(Math.abs(t - Number(ev.servertimeoffset) * 60 - nowS())).toBeLessThan(5);
    }
  });

  it('21.4 reason and ivruniqueid at the top level of ExtensionEvent, as well as inside data', async () => {
    const c = await signedIn();
    const ref = s.sim.pbx.makeCall('bob', '201');
    s.sim.pbx.callerHangsUp(ref);
    await waitFor(() => c.of('ExtensionEvent').some((e) => e.reason === 'HANGUP'), 5000, 'hang-up');
    for (const e of c.of('ExtensionEvent')) {
      expect(e.reason).toBe(e.data!.reason);
      expect(e.ivruniqueid).toBe((e.data!.currentCall as Record<string, unknown>).ivrid);
      expect(typeof e.servertime).toBe('number');
    }
  });

  it('21.5 a held call has callstatus "Hold" (answered), in events and in the snapshot', async () => {
    const c = await signedIn();
    const ref = s.sim.pbx.makeCall('bob', '201');
    s.sim.pbx.answer(ref, 'alice');
    s.sim.pbx.hold(ref, 'alice');
    await waitFor(() => c.of('ExtensionEvent').some((e) => e.reason === 'HOLD'), 5000, 'hold');
    const held = c.of('ExtensionEvent').find((e) => e.reason === 'HOLD')!.data!.currentCall as Record<string, unknown>;
    expect(held).toMatchObject({ callstatus: 'Hold', answered: 1 });
    c.sock.emit('resync', { cache: false });
    await waitFor(() => c.of('AllExtensionsStatus').length === 2, 5000, 'the resync snapshot');
    const alice = (c.of('AllExtensionsStatus')[1].extensions as Array<Record<string, unknown>>).find((x) => x.number === 201)!;
    expect((alice.calls as Array<Record<string, unknown>>)[0]).toMatchObject({ callstatus: 'Hold', answered: 1 });
    // Our client, signing in while the call is held, sees it held.
    const p = connect(s, 'account');
    open.push(p.conn);
    await p.conn.ready(5000);
    expect(callKinds(p.events.filter((e) => e.user === '201'))).toEqual(['call.incoming', 'call.answered', 'call.held']);
  });

  it('21.6 resync { cache: false } is answered with a fresh snapshot', async () => {
    const c = await signedIn();
    s.sim.pbx.makeCall('bob', '201');
    c.sock.emit('resync', { cache: false });
    await waitFor(() => c.of('AllExtensionsStatus').length === 2, 5000, 'a second snapshot');
    const alice = (c.of('AllExtensionsStatus')[1].extensions as Array<Record<string, unknown>>).find((x) => x.number === 201)!;
    expect((alice.calls as unknown[]).length).toBe(1);
  });

  it('21.7 /monitorAPI/Login/Account: the account login over HTTP; our client uses it with useLoginApi', async () => {
    const { username, password } = s.vc.credentials.account;
    const ok = await postJson(`${s.vc.loginUrl}/Account`, { username, password });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ Data: { Socket: { Token: expect.any(String), URLList: expect.any(Array) } } });
    expect((await postJson(`${s.vc.loginUrl}/Account`, { username, password: 'wrong' })).status).toBe(401);
    const p = connect(s, 'account', { extra: { useLoginApi: true, serverUrl: undefined } });
    open.push(p.conn);
    await p.conn.ready(5000);
    expect(p.conn.stats.httpLogins).toBe(1);
    s.sim.pbx.makeCall('bob', '201');
    await waitFor(() => p.of('call.incoming').some((e) => e.user === '201'), 5000, 'incoming');
  });

  it('21.8 our client resyncs after a quiet spell: a call that ended unseen ends', async () => {
    const p = connect(s, 'account', { extra: { idleResyncMs: 300 } });
    open.push(p.conn);
    await p.conn.ready(5000);
    const ref = s.sim.pbx.makeCall('bob', '201');
    await waitFor(() => p.of('call.incoming').some((e) => e.user === '201'), 5000, 'incoming');
    s.vc.muteEvents(true);
    s.sim.pbx.callerHangsUp(ref);
    const before = s.vc.stats.resyncs;
    await waitFor(() => p.of('call.ended').some((e) => e.user === '201'), 5000, 'ended by the resync');
    expect(s.vc.stats.resyncs - before).toBeGreaterThanOrEqual(1);
    expect(p.conn.stats.resyncs).toBeGreaterThanOrEqual(1);
    // Cheap: one resync per quiet period, not per keepalive tick.
    await new Promise((r) => setTimeout(r, 700));
    expect(p.conn.stats.resyncs).toBeLessThanOrEqual(5);
  });
});

describe('21.3 TLS and host names without a scheme', () => {
  it('login answers and discovery name bare hosts; the SDK\'s https://<domain> works; our client verifies the certificate', async () => {
    const tls = selfSignedCertificate();
    const sim = await startSimulator({ voicenter: false });
    const vc = new VoicenterFrontEnd({ pbx: sim.pbx, users: sim.users, tls: { key: tls.key, cert: tls.cert } });
    await vc.start();
    try {
      expect(vc.loginUrl).toMatch(/^https:\/\//);
      const user = vc.credentials.user[0];
      const login = await postJson(`${vc.loginUrl}/User`, { email: user.email, pin: user.password }, tls.cert);
      const sock = (login.json.Data as Record<string, Record<string, unknown>>).Socket;
      const list = sock.URLList as string[];
      for (const u of [...list, sock.Url as string]) expect(u).toMatch(/^127\.0\.0\.1:\d+$/);
      // The SDK: `https://${Domain}` (src/sdk.js _initSocketConnection, protocol 'https').
      const c = sdkSocket(`https://${list[0]}`, sock.Token as string, { ca: tls.cert, forceNode: true });
      open.push(c.sock);
      await waitFor(() => c.of('AllExtensionsStatus').length === 1, 5000, 'a snapshot over TLS');
      // Our client: the CA given, verification on.
      const p = connectTo(vc, { tls: { ca: tls.cert } });
      await p.conn.ready(5000);
      sim.pbx.makeCall('bob', '201');
      await waitFor(() => p.of('call.incoming').length === 1, 5000, 'incoming over TLS');
      // Without the CA: refused (verification is on by default), retried, never connected.
      const q = connectTo(vc, {});
      await new Promise((r) => setTimeout(r, 600));
      expect(q.conn.state).not.toBe('connected');
      expect(q.warnings.map((w) => w.message).join(' ')).toMatch(/certificate|self.signed|SELF_SIGNED|cannot reach/i);
    } finally {
      for (const o of open.splice(0)) await o.close();
      await vc.close();
      await sim.close();
    }
  });

  function connectTo(vc: VoicenterFrontEnd, over: Parameters<typeof connect>[2]): Probe {
    const p = connect({ sim: undefined as never, vc }, 'user', over);
    open.push(p.conn);
    return p;
  }
});

describe('21.1 our client reads event times right whichever clock the server uses', () => {
  let sims: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
    for (const x of sims) await x.close();
    sims = [];
  });

  async function run(epochs: 'local' | 'utc', skewMs = 0): Promise<{ p: Probe; s: VcSim }> {
    const s = await startVc('2', { epochs });
    sims.push(s.sim);
    const p = connect(s, 'account', {}, { now: () => Date.now() + skewMs });
    open.push(p.conn);
    await p.conn.ready(5000);
    const ref = s.sim.pbx.makeCall('bob', '5000');
    await waitFor(() => p.of('queue.joined').length === 1, 5000, 'joined');
    await new Promise((r) => setTimeout(r, 1100));
    s.sim.pbx.callerHangsUp(ref);
    await waitFor(() => p.of('queue.abandoned').length === 1, 5000, 'abandoned');
    const r2 = s.sim.pbx.makeCall('bob', '201');
    await waitFor(() => p.of('call.incoming').some((e) => e.user === '201'), 5000, 'incoming');
    s.sim.pbx.callerHangsUp(r2);
    await waitFor(() => p.of('call.missed').length === 1, 5000, 'missed');
    return { p, s };
  }

  const near = (iso: string | undefined, to: number) => Math.abs(Date.parse(iso ?? '') - to);

  it.each(['local', 'utc'] as const)('%s epochs: times are UTC, the queue wait is right, no warning', async (epochs) => {
    const { p } = await run(epochs);
    expect(p.conn.clock.reading.mode).toBe(epochs);
    for (const e of p.events.filter((x) => x.type !== 'connection.state')) expect(near(e.time, Date.now())).toBeLessThan(15_000);
    const wait = p.of('queue.abandoned')[0].queue!.waitSeconds!;
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(4);
    expect(p.warnings.filter((w) => /servertime/.test(w.message))).toEqual([]);
  });

  it('a host clock 17 minutes ahead: one warning, times are the receive times, durations stay right', async () => {
    const skew = 17 * 60_000;
    const { p } = await run('local', skew);
    expect(p.conn.clock.reading.mode).toBe('measured');
    expect(p.warnings.filter((w) => /servertime/.test(w.message))).toHaveLength(1);
    for (const e of p.events.filter((x) => x.type !== 'connection.state')) expect(near(e.time, Date.now() + skew)).toBeLessThan(15_000);
    const wait = p.of('queue.abandoned')[0].queue!.waitSeconds!;
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(4);
  });

  it('a host clock 40 s ahead (within tolerance): local epochs still recognized', async () => {
    const { p } = await run('local', 40_000);
    expect(p.conn.clock.reading.mode).toBe('local');
    expect(p.warnings.filter((w) => /servertime/.test(w.message))).toEqual([]);
  });
});

