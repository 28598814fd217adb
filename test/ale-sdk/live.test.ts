/**
 * Issue 11 end to end over the simulator: call-log records as events, CTI link down as a warning, every cookie the
 * server sets sent back, `replay --platform auto` telling O2G from the data, and `simulate --tls` (HTTPS with a
 * throw-away self-signed certificate made with node:crypto).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PbxError } from '../../shared/errors';
import { startSimulator, type Simulator } from '../../simulator';
import { simFeatures } from '../../simulator/frontends/ale/operation-routes';
import { selfSignedCertificate } from '../../simulator/frontends/ale/self-signed';
import { AFFINITY_COOKIE } from '../../simulator/frontends/ale/server';
import { connect, waitFor } from '../ale/helpers';
import { runCli } from '../helpers/cli';

describe.each(['opentouch', 'o2g'] as const)('%s over the simulator', (platform) => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('a new call-log record arrives as callLog.created, with the user\'s direction', async () => {
    const bob = connect(sim, platform);
    try {
      await bob.conn.ready();
      const rec = simFeatures(sim.pbx).comlog.add('bob', { ref: 'c77', direction: 'incoming', answered: false, acknowledged: false, parties: [{ number: '201', login: 'alice', name: 'Alice Martin' }], reason: 'no_answer', beginDate: Date.parse('2026-01-05T09:00:00Z'), endDate: Date.parse('2026-01-05T09:00:20Z') });
      await waitFor(() => bob.events.some((e) => e.type === 'callLog.created'), 3000, 'callLog.created');
      const e = bob.events.find((x) => x.type === 'callLog.created')!;
      expect(e).toMatchObject({ platform, user: 'bob', callLog: { recordId: String(rec.recordId), callId: 'c77', direction: 'incoming', answered: false, startedAt: '2026-01-05T09:00:00.000Z' } });
      expect(e.callLog!.parties).toContainEqual({ number: '201', login: 'alice', name: 'Alice Martin' });
    } finally {
      await bob.conn.close();
    }
  });
});

describe('O2G system events and cookies', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('CTI link down reaches the operator as a connection warning (system package)', async () => {
    const bob = connect(sim, 'o2g');
    const warnings: string[] = [];
    bob.conn.onWarning((w) => warnings.push(w.message));
    try {
      await bob.conn.ready();
      // The resync (O2G GET /telephony/state) restores the user's and devices' states too.
      await waitFor(() => bob.events.some((e) => e.type === 'device.state' && e.device === '2021'), 3000, 'resync states');
      expect(bob.events.find((e) => e.type === 'user.state')?.state).toBe('free');
      const before = bob.events.length;
      sim.frontEnds.o2g.publish({ eventName: 'OnCtiLinkDown', nodeId: '3' });
      await waitFor(() => warnings.some((m) => m.startsWith('OnCtiLinkDown')), 3000, 'link-down warning');
      expect(warnings.find((m) => m.startsWith('OnCtiLinkDown'))).toMatch(/PBX node 3.*CTI link .* down/);
      // Not an event the nodes would mistake for a call or a state.
      expect(bob.events.slice(before).filter((e) => e.type !== 'connection.state')).toEqual([]);
    } finally {
      await bob.conn.close();
    }
  });

  it('every cookie the server sets is sent back (the affinity cookie too), on REST and on the event channel', async () => {
    const bob = connect(sim, 'o2g');
    try {
      await bob.conn.ready();
      await bob.conn.execute('listCalls', {});
      const fe = sim.frontEnds.o2g;
      const after = fe.requests.filter((r) => r.path.startsWith('/api/rest/1.0/') && r.path !== '/api/rest/1.0/sessions');
      expect(after.length).toBeGreaterThan(2);
      for (const r of after.filter((x) => x.headers.cookie)) expect(r.headers.cookie).toMatch(new RegExp(`(^|; )${AFFINITY_COOKIE}=node-`));
      expect(after.some((r) => r.path.endsWith('/OTEvents') && r.headers.cookie?.includes(`${AFFINITY_COOKIE}=`))).toBe(true);
    } finally {
      await bob.conn.close();
    }
  });
});

describe('pbxflow replay --platform auto', () => {
  const o2gOnly = JSON.stringify({ eventName: 'OnPilotCallCreated', pilot: '33000', caller: '0612', callRef: 'p1', cause: 'ACD_ENTER_DISTRIBUTION' });
  const shared = [
    JSON.stringify({ eventName: 'OnCallCreated', loginName: 'bob', callRef: 'c1', callData: { state: 'RINGING_INCOMING' }, legs: [{ deviceId: '202', state: 'RINGING_INCOMING' }], participants: [{ participantId: 'p', identity: { id: { phoneNumber: '201' } } }] }),
    JSON.stringify({ eventName: 'OnUserStateModified', loginName: 'bob', state: 'BUSY' }),
  ];

  it('an O2G-only event anywhere labels the whole capture o2g, lines before it included', async () => {
    const r = await runCli(['replay', '--platform', 'auto'], [...shared, o2gOnly].join('\n'));
    expect(r.code).toBe(0);
    expect(r.events.map((e) => [e.type, e.platform])).toEqual([['call.incoming', 'o2g'], ['user.state', 'o2g'], ['queue.joined', 'o2g']]);
  });

  it('an OpenTouch-only event labels it opentouch', async () => {
    const r = await runCli(['replay'], [...shared, JSON.stringify({ eventName: 'OnRoutingManagementFailed', loginName: 'bob', requestId: 'x', resultCode: 'ERR' })].join('\n'));
    expect(r.events.map((e) => e.platform)).toEqual(['opentouch', 'opentouch']);
  });

  it('a capture that cannot tell is labelled ale, and the user is asked for --platform', async () => {
    const r = await runCli(['replay', '--platform', 'auto'], shared.join('\n'));
    expect(r.events.map((e) => [e.type, e.platform])).toEqual([['call.incoming', 'ale'], ['user.state', 'ale']]);
    expect(r.err).toMatch(/give --platform opentouch or --platform o2g/);
  });

  it('--platform telservices / voicenter use cli/platforms/<name>.ts, or say it is missing', async () => {
    for (const p of ['telservices', 'voicenter']) {
      const r = await runCli(['replay', '--platform', p], '');
      if (existsSync(join(__dirname, `../../cli/platforms/${p}.ts`))) expect([p, r.code]).toEqual([p, 0]);
      else {
        expect([p, r.code]).toEqual([p, 2]);
        expect(r.err).toMatch(new RegExp(`${p} captures are not supported in this build`));
      }
    }
  });
});

describe('simulate --tls', () => {
  it('a self-signed certificate made with node:crypto: valid for localhost and 127.0.0.1, signed by its own key', () => {
    const c = selfSignedCertificate();
    const x = new X509Certificate(c.cert);
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.ca).toBe(false);
    expect(Date.parse(x.validTo) - Date.now()).toBeGreaterThan(6 * 86_400_000);
    expect(x.fingerprint256).toBe(c.fingerprint);
  });

  it('the simulator serves HTTPS with it: a client trusting it connects, one that does not is told why', async () => {
    const c = selfSignedCertificate();
    const sim = await startSimulator({ tls: { key: c.key, cert: c.cert } });
    try {
      expect(sim.url('o2g')).toMatch(/^https:\/\/127\.0\.0\.1:/);
      const trusting = connect(sim, 'o2g', { tls: { ca: c.cert } });
      try {
        await trusting.conn.ready();
        expect(await trusting.conn.execute('listCalls', {})).toEqual({ calls: [] });
      } finally {
        await trusting.conn.close();
      }
      const strict = connect(sim, 'o2g');
      try {
        const err = await strict.conn.ready().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PbxError);
        expect((err as Error).message).toMatch(/self-signed/);
      } finally {
        await strict.conn.close();
      }
    } finally {
      await sim.close();
    }
  });

  it('pbxflow simulate --tls prints https URLs and the certificate to trust', async () => {
    const r = await runCli(['simulate', '--tls', '--duration', '200']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/o2g: +https:\/\/127\.0\.0\.1:\d+/);
    expect(r.out).toMatch(/certificate: .*simulator\.crt/);
    expect(r.out).toMatch(/SHA-256: +([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  });
});
