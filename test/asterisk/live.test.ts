/**
 * The Asterisk platform end to end over real sockets: the AMI driver on the supervisor against the simulator's AMI
 * front-end (the virtual PBX). Login (MD5 and plain), events per user, missed vs answered elsewhere, resync after
 * a restart, actions, and the faults a real Asterisk shows (wrong secret, bad line, Shutdown, write timeout).
 */
import { connect } from 'node:net';
import { create, type AsteriskConnection } from '../../shared/platforms/asterisk/module';
import { connectAmiTo, sleep, waitFor } from './ami-client';
import { startSimulator, type Simulator } from '../../simulator';

let sim: Simulator;
const open: AsteriskConnection[] = [];

beforeAll(async () => {
  sim = await startSimulator({ asterisk: { authFailDelayMs: 20, writeTimeoutMs: 100, writeBufferBytes: 16_384 } });
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const connectAmi = (extra: Record<string, unknown> = {}, password = 'ami-secret') => connectAmiTo(sim.asterisk!.url, open, extra, password);

describe('asterisk: live over AMI', () => {
  it('logs in with the MD5 challenge and turns a ring-group style call into per-user events (no miss for the leg answered elsewhere)', async () => {
    const { c, events, of } = connectAmi();
    await c.ready(5000);
    const ref = sim.pbx.makeCall('alice', '202');
    await waitFor(() => of('202').includes('call.incoming'));
    // Bob's endpoint has two contacts: two legs ring; he answers on the second device.
    sim.pbx.answer(ref, 'bob', '2021');
    await waitFor(() => of('202').includes('call.answered') && of('201').includes('call.answered'));
    sim.pbx.hangUp(ref, 'alice');
    await waitFor(() => of('202').includes('call.ended') && of('201').includes('call.ended'));
    expect(of('201')).toEqual(['call.outgoing', 'call.answered', 'call.ended']);
    expect(of('202')).toEqual(['call.incoming', 'call.answered', 'call.ended']);
    const ended = events.find((e) => e.user === '202' && e.type === 'call.ended')!;
    expect(ended.call).toMatchObject({ direction: 'incoming', answered: true, endReason: 'completed', from: { number: '201' } });
    const out = events.find((e) => e.user === '201' && e.type === 'call.outgoing')!;
    expect(out.call).toMatchObject({ direction: 'outgoing', to: { number: '202' } });
  });

  it('a caller who gives up while it rings is a missed call for the callee, once', async () => {
    const { c, events, of } = connectAmi({ authType: 'plain' });
    await c.ready(5000);
    const ref = sim.pbx.makeCall('alice', '203');
    await waitFor(() => of('203').includes('call.incoming'));
    sim.pbx.callerHangsUp(ref);
    await waitFor(() => of('203').includes('call.missed'));
    expect(of('203')).toEqual(['call.incoming', 'call.ended', 'call.missed']);
    expect(events.find((e) => e.user === '203' && e.type === 'call.missed')!.call).toMatchObject({ endReason: 'abandoned', answered: false });
  });

  it('a wrong secret is one attempt, then failed for good', async () => {
    const before = sim.asterisk!.stats.failedLogins;
    const { c } = connectAmi({}, 'wrong-secret');
    await expect(c.ready(5000)).rejects.toMatchObject({ code: 'AUTH' });
    await sleep(200);
    expect(sim.asterisk!.stats.failedLogins - before).toBe(1);
    expect(c.state).toBe('failed');
    // The secret is in no state text.
    expect(JSON.stringify(c.stateInfo)).not.toContain('wrong-secret');
  });

  it('resyncs after a Shutdown restart: a call that ended meanwhile ends once, a live one is not announced twice', async () => {
    const { c, events, of } = connectAmi();
    await c.ready(5000);
    const gone = sim.pbx.makeCall('alice', '203');
    const stays = sim.pbx.makeCall('bob', '201');
    await waitFor(() => of('203').includes('call.incoming') && of('201').includes('call.incoming'));
    const states: string[] = [];
    c.onState((s) => states.push(s.state));
    sim.asterisk!.restart(150);
    // While AMI is down the first call ends; the second is answered.
    sim.pbx.callerHangsUp(gone);
    sim.pbx.answer(stays, 'alice');
    await waitFor(() => states.includes('reconnecting'));
    await waitFor(() => c.state === 'connected' && of('203').includes('call.ended'));
    await waitFor(() => of('201').includes('call.answered'));
    const ended = events.filter((e) => e.user === '203' && e.type === 'call.ended');
    expect(ended).toHaveLength(1);
    expect(ended[0].call).toMatchObject({ endReason: 'unknown', endedDuringOutage: true });
    expect(of('201').filter((t) => t === 'call.incoming')).toHaveLength(1);
    sim.pbx.hangUp(stays, 'bob');
  });

  it('Make Call originates from the user\'s phone and waits for OriginateResponse; Hang Up ends it', async () => {
    const { c, events, of } = connectAmi();
    await c.ready(5000);
    const r = (await c.execute('makeCall', { destination: '203' }, { user: '201' })) as { callId: string };
    expect(r.callId).toMatch(/^pbxflow-/);
    await waitFor(() => of('203').includes('call.incoming'));
    expect(of('201')[0]).toBe('call.outgoing');
    const out = events.find((e) => e.user === '201' && e.type === 'call.outgoing')!;
    expect(out.call).toMatchObject({ id: r.callId, to: { number: '203' } });
    const call = sim.pbx.calls().find((x) => x.parties.some((p) => p.login === 'carol'))!;
    sim.pbx.answer(call.id, 'carol');
    await waitFor(() => of('201').includes('call.answered'));
    await c.execute('hangUp', { callId: r.callId }, { user: '201' });
    await waitFor(() => of('201').includes('call.ended') && of('203').includes('call.ended'));
    expect(sim.pbx.calls()).toHaveLength(0);
  });

  it('Make Call to a number that cannot be called reports the OriginateResponse reason', async () => {
    const { c } = connectAmi();
    await c.ready(5000);
    await expect(c.execute('makeCall', { destination: '999' }, { user: '299' })).rejects.toMatchObject({ code: 'PBX', message: expect.stringContaining('could not be made') });
  });

  it('DND the FreePBX way: AstDB key and custom device state; a call to a DND user is never a miss for them', async () => {
    const { c, events, of } = connectAmi();
    await c.ready(5000);
    await expect(c.execute('setDnd', { enabled: true }, { user: '203' })).resolves.toEqual({ dnd: true });
    expect(sim.pbx.routing('carol').dnd).toBe(true);
    await waitFor(() => events.some((e) => e.type === 'routing.changed' && e.user === '203' && e.routing?.dnd === true));
    await expect(c.execute('getDnd', {}, { user: '203' })).resolves.toEqual({ dnd: true });
    sim.pbx.makeCall('alice', '203');
    await waitFor(() => of('201').includes('call.ended'));
    expect(of('203')).toEqual([]);
    expect(events.find((e) => e.user === '201' && e.type === 'call.ended')!.call!.endReason).toBe('busy');
    await c.execute('setDnd', { enabled: false }, { user: '203' });
    expect(sim.pbx.routing('carol').dnd).toBe(false);
    await expect(c.execute('getRouting', {}, { user: '203' })).resolves.toMatchObject({ dnd: false, forward: null });
  });

  it('call forward set, read and cancelled through AstDB', async () => {
    const { c } = connectAmi();
    await c.ready(5000);
    await expect(c.execute('setForward', { target: 'number', number: '201', condition: 'immediate' }, { user: '202' })).resolves.toMatchObject({ forward: { destination: '201', condition: 'immediate' } });
    expect(sim.pbx.routing('bob').forward).toEqual({ destination: '201', condition: 'immediate' });
    await expect(c.execute('cancelForward', {}, { user: '202' })).resolves.toMatchObject({ forward: null });
    expect(sim.pbx.routing('bob').forward).toBeNull();
  });

  it('blind transfer, queue member pause, list calls and the directory', async () => {
    const { c, of, events } = connectAmi();
    await c.ready(5000);
    const ref = sim.pbx.makeCall('alice', '202');
    await waitFor(() => of('202').includes('call.incoming'));
    sim.pbx.answer(ref, 'bob');
    await waitFor(() => of('202').includes('call.answered'));
    const calls = (await c.execute('listCalls', {}, { user: '202' })) as Array<{ id: string; answered: boolean }>;
    expect(calls).toHaveLength(1);
    await c.execute('blindTransfer', { callId: calls[0].id, destination: '203' }, { user: '202' });
    await waitFor(() => of('202').includes('call.ended') && of('203').includes('call.incoming'));
    expect(of('202')).toEqual(['call.incoming', 'call.answered', 'call.transferred', 'call.ended']);
    expect(events.find((e) => e.user === '202' && e.type === 'call.transferred')!.call).toMatchObject({ transferredTo: { number: '203' } });
    sim.pbx.callerHangsUp(sim.pbx.calls()[0].id);

    await c.execute('setAgentState', { state: 'logon', group: '400' }, { user: '201' });
    await c.execute('setAgentState', { state: 'not_ready' }, { user: '201' });
    await expect(c.execute('getAgentState', {}, { user: '201' })).resolves.toMatchObject({ state: 'not_ready' });
    await waitFor(() => events.some((e) => e.type === 'agent.state' && e.user === '201' && e.state === 'not_ready'));
    await c.execute('setAgentState', { state: 'logoff', group: '400' }, { user: '201' });

    await expect(c.execute('listCalls', {})).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(c.execute('searchDirectory', { query: 'bob' })).resolves.toEqual([{ number: '202', name: 'Bob Durand', state: 'not in use' }]);
    await expect(c.execute('hold', { callId: 'x' }, { user: '201' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('a bad line is one warning and the stream goes on', async () => {
    const { c, warnings, of } = connectAmi();
    await c.ready(5000);
    sim.asterisk!.sendBadLine();
    sim.asterisk!.sendLongLine();
    await waitFor(() => warnings.filter((w) => w.kind === 'decode').length >= 2);
    const ref = sim.pbx.makeCall('alice', '203');
    await waitFor(() => of('203').includes('call.incoming'));
    sim.pbx.callerHangsUp(ref);
    expect(c.state).toBe('connected');
  });

  it('the front-end cuts a client that stops reading (write timeout), as Asterisk does', async () => {
    const fe = sim.asterisk!;
    const before = fe.stats.writeTimeouts;
    const sock = connect(fe.listeningPort, '127.0.0.1');
    await new Promise((r) => sock.once('data', r));
    sock.write('Action: Login\r\nUsername: pbxflow\r\nSecret: ami-secret\r\n\r\n');
    await sleep(50);
    sock.pause();
    let closed = false;
    sock.once('close', () => (closed = true));
    sock.on('error', () => undefined);
    // Loopback buffers take a few MB before the server's own output queue grows.
    for (let i = 0; i < 40 && fe.stats.writeTimeouts === before; i++) {
      fe.flood(20_000);
      await sleep(150);
    }
    expect(fe.stats.writeTimeouts).toBeGreaterThan(before);
    sock.resume();
    await waitFor(() => closed);
  });
});

describe('asterisk: keepalive against a purpose-built peer', () => {
  it('a half-open link (the peer goes silent after login) is noticed by Ping and the driver logs in again', async () => {
    const { createServer } = await import('node:net');
    const { AmiDecoder } = await import('../../shared/platforms/asterisk/codec');
    let logins = 0;
    const peer = createServer((s) => {
      s.write('Asterisk Call Manager/9.0.0\r\n');
      let silent = false;
      const d = new AmiDecoder((m) => {
        if (silent) return;
        const id = m.get('ActionID');
        const action = (m.get('Action') ?? '').toLowerCase();
        if (action === 'login') {
          logins++;
          s.write(`Response: Success\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\nEvent: FullyBooted\r\nStatus: Fully Booted\r\n\r\n`);
        } else if (action.endsWith('list') || action === 'coreshowchannels' || action === 'queuestatus') {
          s.write(`Response: Success\r\nActionID: ${id}\r\nEventList: start\r\n\r\nEvent: XComplete\r\nActionID: ${id}\r\nEventList: Complete\r\nListItems: 0\r\n\r\n`);
          // Resync done: from now on the link is half-open (nothing comes back, nothing is closed).
          if (action === 'queuestatus') silent = true;
        }
      });
      s.on('data', (b: Buffer) => d.pushBytes(b));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()));
    const port = (peer.address() as { port: number }).port;
    const c = create({ platform: 'asterisk', url: `tcp://127.0.0.1:${port}`, login: 'x', password: 'y', extra: { authType: 'plain', keepaliveMs: 100, requestTimeoutMs: 200, backoffInitialMs: 10, backoffMaxMs: 50 } });
    const reasons: string[] = [];
    c.onState((s) => s.reason && reasons.push(s.reason));
    try {
      await c.ready(3000);
      await waitFor(() => logins >= 2, 5000);
      expect(reasons.some((r) => /no answer to Ping/.test(r))).toBe(true);
    } finally {
      await c.close();
      peer.close();
    }
  });
});
