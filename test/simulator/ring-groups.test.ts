/**
 * Ring groups and hunt groups of the virtual PBX, seen through every front-end by the platform's own client (our
 * connection for that platform, over real sockets), with the wire form checked in the raw events:
 * - OpenTouch / O2G: parallel calls sharing one `callUUID`; a leg another member took ends with no cause (neither
 *   documents a hunting group's wire form);
 * - TelServices: parallel alerting calls that end `cleared` with no cause (TelServer has none for it);
 * - Voicenter: one NEWCALL per extension, HANGUP `cause: "Answered elsewhere"` (the Real Time API doc);
 * - Asterisk: a Local channel pair per member (`Local/<ext>@from-internal-…;1/;2`, LocalBridge), the other legs
 *   ending with Cause 26 (Answered elsewhere), as in a real call-group capture.
 * A group call one member answers: the others' views end answered elsewhere, never `call.missed`. Nobody answers:
 * one `call.missed` per member that rang.
 */
import type { ConnectionConfig, PbxConnection } from '../../shared/connection/types';
import type { PbxEvent } from '../../shared/model/events';
import { AleConnection } from '../../shared/platforms/ale/connection';
import { TelServicesConnection } from '../../shared/platforms/telservices/module';
import { VoicenterConnection } from '../../shared/platforms/voicenter/module';
import { create as createAsterisk } from '../../shared/platforms/asterisk/module';
import { startSimulator, type Simulator } from '../../simulator';
import { connect, type Socket } from 'node:net';

const CALLER = '0611223344';
const RINGALL = { number: '600', name: 'Sales', members: ['alice', 'bob', 'carol'], strategy: 'ringall' as const };
const HUNT = { number: '601', name: 'Hotline', members: ['alice', 'carol'], strategy: 'hunt' as const, ringMs: 400 };
/** The same group, made to give up quickly (nobody answers). */
const RINGALL_SHORT = { number: '602', name: 'Sales (short)', members: ['alice', 'bob', 'carol'], strategy: 'ringall' as const, ringMs: 400 };
const MEMBERS = ['alice', 'bob', 'carol'] as const;
const EXT: Record<string, string> = { alice: '201', bob: '202', carol: '203' };

interface Probe {
  name: string;
  conn: PbxConnection;
  events: PbxEvent[];
  /** The member's user id as this platform names it (a login or an extension). */
  id(login: string): string;
}

let sim: Simulator;
const probes: Probe[] = [];
/** Everything the AMI front-end sent a plain logged-in socket (the wire itself). */
let amiText = '';
let ami: Socket | undefined;

const scaled = { backoffInitialMs: 50, backoffMaxMs: 400 };

function probe(name: string, conn: PbxConnection, id: (login: string) => string): Probe {
  const p: Probe = { name, conn, events: [], id };
  conn.onEvent((e) => p.events.push(e), { includeRaw: true });
  probes.push(p);
  return p;
}

beforeAll(async () => {
  sim = await startSimulator({ ringTimeoutMs: 60_000, voicenter: { socketVersion: '2' }, asterisk: { authFailDelayMs: 10 } });
  for (const g of [RINGALL, HUNT, RINGALL_SHORT]) sim.pbx.addGroup(g);
  const admin = sim.credentials.find((c) => c.admin)!;
  const ale = (platform: 'opentouch' | 'o2g'): ConnectionConfig => ({
    platform, url: sim.url(platform), login: admin.login, password: admin.password, sessionKind: 'admin', users: [...MEMBERS], requestTimeoutMs: 2000, extra: scaled,
  });
  probe('opentouch', new AleConnection(ale('opentouch')), (l) => l);
  probe('o2g', new AleConnection(ale('o2g')), (l) => l);
  probe('telservices', new TelServicesConnection({
    platform: 'telservices', url: sim.telservices.url, login: '', password: '', users: MEMBERS.map((m) => EXT[m]), requestTimeoutMs: 2000,
    extra: { udpHost: '127.0.0.1', ...scaled },
  }), (l) => EXT[l]);
  if (sim.voicenter) {
    const vc = sim.voicenter;
    probe('voicenter', new VoicenterConnection({
      platform: 'voicenter', url: vc.loginUrl, login: vc.credentials.account.username, password: vc.credentials.account.password, requestTimeoutMs: 2000,
      extra: { loginType: 'account', serverUrl: vc.socketUrls[0], socketVersion: '2', ...scaled },
    }), (l) => EXT[l]);
  }
  probe('asterisk', createAsterisk({
    platform: 'asterisk', url: sim.asterisk!.url, login: 'pbxflow', password: 'ami-secret', users: MEMBERS.map((m) => EXT[m]),
    extra: { ...scaled, keepaliveMs: 5000, requestTimeoutMs: 2000 },
  }), (l) => EXT[l]);
  await Promise.all(probes.map((p) => p.conn.ready(8000)));
  const url = new URL(sim.asterisk!.url);
  ami = connect(Number(url.port), url.hostname);
  ami.on('data', (d: Buffer) => (amiText += d.toString()));
  ami.write('Action: Login\r\nUsername: pbxflow\r\nSecret: ami-secret\r\n\r\n');
  await waitFor(() => amiText.includes('Authentication accepted'), 'the raw AMI login');
}, 20_000);

afterAll(async () => {
  ami?.destroy();
  await Promise.all(probes.map((p) => p.conn.close()));
  await sim?.close();
});

afterEach(() => {
  for (const p of probes) p.events.length = 0;
  amiText = '';
});

async function waitFor(ok: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every probe's call events of one member, as `type:endReason`. */
function seen(p: Probe, login: string): string[] {
  return p.events.filter((e) => e.user === p.id(login) && e.type.startsWith('call.')).map((e) => `${e.type}${e.call?.endReason ? `:${e.call.endReason}` : ''}`);
}
const has = (p: Probe, login: string, type: string) => p.events.some((e) => e.user === p.id(login) && e.type === type);
const everyone = (logins: readonly string[], type: string) => () => probes.every((p) => logins.every((l) => has(p, l, type)));
/**
 * Why an unanswered leg ended, as the platform can tell: TelServices and Voicenter have no cause for "not answered"
 * (a call that rang out is `cleared` / "Normal hangup" like one the caller gave up), so their reason is `abandoned`.
 */
const noAnswer = (p: Probe) => (p.name === 'telservices' || p.name === 'voicenter' ? 'abandoned' : 'no_answer');
const rawText = (p: Probe, login: string, type: string) => JSON.stringify(p.events.find((e) => e.user === p.id(login) && e.type === type)?.raw ?? []);

it('knows its front-ends: ALE (OpenTouch, O2G), TelServices, Voicenter and Asterisk all watch the group members', () => {
  expect(probes.map((p) => p.name)).toEqual(['opentouch', 'o2g', 'telservices', ...(sim.voicenter ? ['voicenter'] : []), 'asterisk']);
});

it('ring all, one member answers: the others\' views end answered elsewhere, no call.missed, on every front-end', async () => {
  const ref = sim.pbx.callFromOutside(CALLER, RINGALL.number);
  await waitFor(everyone(MEMBERS, 'call.incoming'), 'every member ringing on every front-end');
  // Each member's view shows the outside caller, and the group as the number called.
  for (const p of probes) for (const m of MEMBERS) {
    const inc = p.events.find((e) => e.user === p.id(m) && e.type === 'call.incoming')!;
    expect({ platform: p.name, user: m, from: inc.call?.from.number }).toEqual({ platform: p.name, user: m, from: CALLER });
  }
  sim.pbx.answer(ref, 'carol');
  await waitFor(everyone(['alice', 'bob'], 'call.ended'), 'the other members\' views to end');
  await waitFor(everyone(['carol'], 'call.answered'), 'carol answered');
  sim.pbx.hangUp(ref, 'carol');
  await waitFor(everyone(['carol'], 'call.ended'), 'carol\'s call to end');
  await new Promise((r) => setTimeout(r, 100)); // a late call.missed would show now
  for (const p of probes) {
    expect({ platform: p.name, carol: seen(p, 'carol') }).toEqual({ platform: p.name, carol: ['call.incoming', 'call.answered', 'call.ended:completed'] });
    for (const m of ['alice', 'bob']) {
      expect({ platform: p.name, user: m, events: seen(p, m) }).toEqual({ platform: p.name, user: m, events: ['call.incoming', 'call.ended:answered_elsewhere'] });
    }
  }
  // The wire forms.
  const by = (name: string) => probes.find((p) => p.name === name);
  expect(rawText(by('opentouch')!, 'alice', 'call.ended')).toMatch(/"eventName":"OnCallRemoved"/);
  expect(rawText(by('opentouch')!, 'alice', 'call.ended')).not.toMatch(/"cause"/);
  expect(rawText(by('telservices')!, 'alice', 'call.ended')).toMatch(/cleared/);
  if (sim.voicenter) expect(rawText(by('voicenter')!, 'alice', 'call.ended')).toContain('"cause":"Answered elsewhere"');
  expect(rawText(by('asterisk')!, 'alice', 'call.ended')).toMatch(/"Event":"Hangup".*"Channel":"PJSIP\/201-[0-9a-f]{8}".*"Cause":"26","Cause-txt":"Answered elsewhere"/);
  // On the AMI wire: each member through its own Local pair, dialled from the trunk channel; the pairs of the members
  // who did not answer end Cause 26 (before the caller's Dial reports ANSWER); Carol's pair is optimised away.
  const ami = amiText.split(/\r\n\r\n/).map((m) => Object.fromEntries(m.split('\r\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)])) as Record<string, string>);
  const pairs = ami.filter((m) => m.Event === 'LocalBridge').map((m) => m.LocalOneChannel.replace(/-[0-9a-f]{8};1$/, ''));
  expect(pairs).toEqual(['Local/201@from-internal', 'Local/202@from-internal', 'Local/203@from-internal']);
  const begins = ami.filter((m) => m.Event === 'DialBegin');
  expect(begins.filter((m) => /^Local\//.test(m.DestChannel)).map((m) => m.Channel.replace(/-[0-9a-f]{8}$/, ''))).toEqual(['PJSIP/trunk', 'PJSIP/trunk', 'PJSIP/trunk']);
  expect(begins.filter((m) => /^PJSIP\/20\d/.test(m.DestChannel)).every((m) => /^Local\/.*;2$/.test(m.Channel))).toBe(true);
  const cancelled = ami.filter((m) => m.Event === 'Hangup' && m.Cause === '26').map((m) => m.Channel.replace(/-[0-9a-f]{8}/, ''));
  expect(cancelled).toEqual(expect.arrayContaining(['Local/201@from-internal;1', 'PJSIP/201', 'Local/202@from-internal;1', 'PJSIP/202', 'PJSIP/202']));
  const callerAnswer = ami.findIndex((m) => m.Event === 'DialEnd' && m.DialStatus === 'ANSWER' && /^Local\/203@.*;1$/.test(m.DestChannel));
  const lastCancel = ami.map((m) => m.Event === 'Hangup' && m.Cause === '26').lastIndexOf(true);
  expect(callerAnswer).toBeGreaterThan(lastCancel);
  expect(ami.some((m) => m.Event === 'BridgeEnter' && /^PJSIP\/203-/.test(m.Channel) && m.SwapUniqueid)).toBe(true);
});

it('ring all, nobody answers: every member gets one call.missed (no answer), on every front-end', async () => {
  sim.pbx.callFromOutside(CALLER, RINGALL_SHORT.number);
  await waitFor(everyone(MEMBERS, 'call.missed'), 'every member\'s call.missed');
  await new Promise((r) => setTimeout(r, 100));
  for (const p of probes) for (const m of MEMBERS) {
    expect({ platform: p.name, user: m, events: seen(p, m) }).toEqual({ platform: p.name, user: m, events: ['call.incoming', `call.ended:${noAnswer(p)}`, `call.missed:${noAnswer(p)}`] });
  }
});

it('hunt, nobody answers: the members ring one after the other, each missing the call once', async () => {
  sim.pbx.callFromOutside(CALLER, HUNT.number);
  await waitFor(everyone(['alice', 'carol'], 'call.missed'), 'both members\' call.missed');
  await new Promise((r) => setTimeout(r, 100));
  for (const p of probes) {
    for (const m of ['alice', 'carol']) {
      expect({ platform: p.name, user: m, events: seen(p, m) }).toEqual({ platform: p.name, user: m, events: ['call.incoming', `call.ended:${noAnswer(p)}`, `call.missed:${noAnswer(p)}`] });
    }
    expect({ platform: p.name, bob: seen(p, 'bob') }).toEqual({ platform: p.name, bob: [] }); // not a member
    // In turn: Carol's phone rang only after Alice's stopped.
    const at = (m: string, type: string) => p.events.findIndex((e) => e.user === p.id(m) && e.type === type);
    expect({ platform: p.name, inOrder: at('alice', 'call.ended') < at('carol', 'call.incoming') }).toEqual({ platform: p.name, inOrder: true });
  }
});
