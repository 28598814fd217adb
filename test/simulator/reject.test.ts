/**
 * Reject on the phones page: the callee turns a ringing call down. Seen through every front-end by the platform's own
 * client (our connection for that platform, over real sockets), with the wire form checked in the raw events:
 * - OpenTouch / O2G: CallCause has no "rejected"; both views end `BUSY` (the caller gets the busy tone);
 * - TelServices: no "rejected" cause either; the callee's call clears `busy`, the caller's fails `busy`;
 * - Voicenter: HANGUP `cause: "Call Rejected"` for the callee (the doc's one rejection cause), "Normal hangup" for
 *   the caller (no busy cause);
 * - Asterisk: DialEnd `DialStatus: BUSY`, Hangup Cause 17 on both legs, as a real capture of a rejected call.
 * Never `abandoned` for the callee (that says the caller hung up). In a ring group only that member's leg ends.
 */
import { request } from 'node:http';
import '../../shared/platforms';
import { acquireConnection, type Lease } from '../../shared/connection/registry';
import type { ConnectionConfig } from '../../shared/connection/types';
import type { PbxEvent } from '../../shared/model/events';
import { startSimulator, type Simulator } from '../../simulator';

const EXT: Record<string, string> = { alice: '201', bob: '202', carol: '203' };
const MEMBERS = ['alice', 'bob', 'carol'] as const;
const GROUP = { number: '610', name: 'Support', members: ['bob', 'carol'], strategy: 'ringall' as const };
const scaled = { backoffInitialMs: 50, backoffMaxMs: 400 };

interface Probe {
  name: string;
  lease: Lease;
  events: PbxEvent[];
  id(login: string): string;
}

let sim: Simulator;
const probes: Probe[] = [];

function probe(name: string, config: ConnectionConfig, id: (login: string) => string): void {
  const lease = acquireConnection(config);
  const p: Probe = { name, lease, events: [], id };
  lease.connection.onEvent((e) => p.events.push(e), { includeRaw: true });
  probes.push(p);
}

beforeAll(async () => {
  sim = await startSimulator({ web: { port: 0 }, ringTimeoutMs: 60_000, voicenter: { socketVersion: '2' }, asterisk: { authFailDelayMs: 10 } });
  sim.pbx.addGroup(GROUP);
  const admin = sim.credentials.find((c) => c.admin)!;
  for (const platform of ['opentouch', 'o2g'] as const) {
    probe(platform, { platform, url: sim.url(platform), login: admin.login, password: admin.password, sessionKind: 'admin', users: [...MEMBERS], requestTimeoutMs: 2000, extra: scaled }, (l) => l);
  }
  probe('telservices', {
    platform: 'telservices', url: sim.telservices.url, login: '', password: '', users: MEMBERS.map((m) => EXT[m]), requestTimeoutMs: 2000,
    extra: { udpHost: '127.0.0.1', ...scaled },
  }, (l) => EXT[l]);
  if (sim.voicenter) {
    const vc = sim.voicenter;
    probe('voicenter', {
      platform: 'voicenter', url: vc.loginUrl, login: vc.credentials.account.username, password: vc.credentials.account.password, requestTimeoutMs: 2000,
      extra: { loginType: 'account', serverUrl: vc.socketUrls[0], socketVersion: '2', ...scaled },
    }, (l) => EXT[l]);
  }
  probe('asterisk', {
    platform: 'asterisk', url: sim.asterisk!.url, login: 'pbxflow', password: 'ami-secret', users: MEMBERS.map((m) => EXT[m]),
    extra: { ...scaled, keepaliveMs: 5000, requestTimeoutMs: 2000 },
  }, (l) => EXT[l]);
  await Promise.all(probes.map((p) => p.lease.connection.ready(8000)));
}, 20_000);

afterAll(async () => {
  await Promise.all(probes.map((p) => p.lease.release()));
  await sim?.close();
});

afterEach(() => {
  for (const p of probes) p.events.length = 0;
});

async function waitFor(ok: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One press of a phones page button: POST /api/<action>, as the page does. */
function press(action: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(`/api/${action}`, sim.webUrl), { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** The page's log lines, as its event stream's `hello` frame gives them. */
function pageLog(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const req = request(new URL('/events', sim.webUrl), (res) => {
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        const m = /event: hello\ndata: (.*)\n\n/.exec(buf);
        if (!m) return;
        req.destroy();
        resolve((JSON.parse(m[1]) as { log: Array<{ text: string }> }).log.map((l) => l.text));
      });
    });
    req.on('error', (e) => (buf.includes('hello') ? undefined : reject(e)));
    req.end();
  });
}

/** Every probe's call events of one user, as `type:endReason`. */
function seen(p: Probe, login: string): string[] {
  return p.events.filter((e) => e.user === p.id(login) && e.type.startsWith('call.')).map((e) => `${e.type}${e.call?.endReason ? `:${e.call.endReason}` : ''}`);
}
const has = (p: Probe, login: string, type: string) => p.events.some((e) => e.user === p.id(login) && e.type === type);
const everyone = (logins: readonly string[], type: string) => () => probes.every((p) => logins.every((l) => has(p, l, type)));
const rawText = (p: Probe, login: string, type: string) => JSON.stringify(p.events.find((e) => e.user === p.id(login) && e.type === type)?.raw ?? []);
const by = (name: string) => probes.find((p) => p.name === name)!;

/** Why the callee's view ends, as each platform's wire can say it. */
const CALLEE: Record<string, string> = { opentouch: 'busy', o2g: 'busy', telservices: 'busy', voicenter: 'rejected', asterisk: 'rejected' };
/** Why the caller's view ends: the busy tone where the wire has it; Voicenter's caller only gets "Normal hangup". */
const CALLER: Record<string, string> = { opentouch: 'busy', o2g: 'busy', telservices: 'busy', voicenter: 'abandoned', asterisk: 'busy' };

it('a direct call the callee rejects on the phones page: rejected for the callee where the wire can say it, on every front-end', async () => {
  const ref = sim.pbx.makeCall('alice', EXT.carol);
  await waitFor(everyone(['carol'], 'call.incoming'), 'carol ringing on every front-end');
  await waitFor(everyone(['alice'], 'call.outgoing'), 'alice calling on every front-end');
  const r = await press('reject', { user: 'carol', ref });
  expect(r.status).toBe(200);
  await waitFor(everyone(['alice', 'carol'], 'call.ended'), 'both views to end');
  await new Promise((res) => setTimeout(res, 100)); // a late event would show now
  for (const p of probes) {
    const callee = CALLEE[p.name];
    expect({ platform: p.name, carol: seen(p, 'carol') }).toEqual({ platform: p.name, carol: ['call.incoming', `call.ended:${callee}`, `call.missed:${callee}`] });
    expect({ platform: p.name, alice: seen(p, 'alice') }).toEqual({ platform: p.name, alice: ['call.outgoing', `call.ended:${CALLER[p.name]}`] });
  }
  expect(sim.pbx.calls()).toEqual([]);
  // The wire forms.
  expect(rawText(by('opentouch'), 'carol', 'call.ended')).toMatch(/"eventName":"OnCallRemoved".*"cause":"BUSY"/);
  expect(rawText(by('o2g'), 'carol', 'call.ended')).toMatch(/"cause":"BUSY"/);
  expect(rawText(by('telservices'), 'carol', 'call.ended')).toMatch(/cleared.*busy|busy.*cleared/);
  expect(rawText(by('telservices'), 'alice', 'call.ended')).toMatch(/failed/);
  if (sim.voicenter) {
    expect(rawText(by('voicenter'), 'carol', 'call.ended')).toContain('"cause":"Call Rejected"');
    expect(rawText(by('voicenter'), 'alice', 'call.ended')).toContain('"cause":"Normal hangup"');
  }
  expect(rawText(by('asterisk'), 'carol', 'call.ended')).toMatch(/"Event":"Hangup".*"Channel":"PJSIP\/203-[0-9a-f]{8}".*"Cause":"17","Cause-txt":"User busy"/);
  // The page's log says who rejected it, not that the caller hung up.
  const log = await pageLog();
  expect(log).toEqual(expect.arrayContaining(['page: carol rejects the call', 'carol: call with Alice Martin ended (rejected)', 'alice: call with Carol Petit ended (busy)']));
  expect(log.filter((l) => /caller hung up/.test(l))).toEqual([]);
});

it('a ring-group member rejects: only that member\'s leg ends, the others keep ringing and one answers', async () => {
  const ref = sim.pbx.callFromOutside('0611223344', GROUP.number);
  await waitFor(everyone(['bob', 'carol'], 'call.incoming'), 'both members ringing on every front-end');
  expect((await press('reject', { user: 'carol', ref })).status).toBe(200);
  await waitFor(everyone(['carol'], 'call.ended'), 'carol\'s leg to end');
  await new Promise((res) => setTimeout(res, 100));
  for (const p of probes) {
    const callee = CALLEE[p.name];
    expect({ platform: p.name, carol: seen(p, 'carol') }).toEqual({ platform: p.name, carol: ['call.incoming', `call.ended:${callee}`, `call.missed:${callee}`] });
    expect({ platform: p.name, bob: seen(p, 'bob') }).toEqual({ platform: p.name, bob: ['call.incoming'] });
  }
  if (sim.voicenter) expect(rawText(by('voicenter'), 'carol', 'call.ended')).toContain('"cause":"Call Rejected"');
  expect(rawText(by('asterisk'), 'carol', 'call.ended')).toMatch(/"Cause":"17"/);
  sim.pbx.answer(ref, 'bob');
  await waitFor(everyone(['bob'], 'call.answered'), 'bob answered');
  sim.pbx.hangUp(ref, 'bob');
  await waitFor(everyone(['bob'], 'call.ended'), 'bob\'s call to end');
  for (const p of probes) expect({ platform: p.name, bob: seen(p, 'bob') }).toEqual({ platform: p.name, bob: ['call.incoming', 'call.answered', 'call.ended:completed'] });
  const log = await pageLog();
  expect(log).toEqual(expect.arrayContaining(['carol: call with 0611223344 ended (rejected)']));
});

it('Reject is refused for a call that is not ringing for that user', async () => {
  const ref = sim.pbx.makeCall('alice', EXT.bob);
  await waitFor(everyone(['bob'], 'call.incoming'), 'bob ringing');
  const r = await press('reject', { user: 'alice', ref });
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(sim.pbx.calls()).toHaveLength(1);
  sim.pbx.callerHangsUp(ref);
  await waitFor(everyone(['bob'], 'call.ended'), 'bob\'s call to end');
});
