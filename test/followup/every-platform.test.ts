/**
 * Follow-up end to end on every simulator front-end other than O2G (covered in simulator.test.ts): OpenTouch,
 * TelServices, Voicenter and Asterisk, each through the platform's own connection over real sockets, monitoring the
 * members of a ring group. Each test uses its own caller number, so the one follow-up state per connection starts
 * clean for it.
 */
import type { ConnectionConfig, PbxConnection } from '../../shared/connection/types';
import { configureFollowUp, followUpOf } from '../../shared/followup/hub';
import type { PbxEvent } from '../../shared/model/events';
import { AleConnection } from '../../shared/platforms/ale/connection';
import { create as createAsterisk } from '../../shared/platforms/asterisk/module';
import { TelServicesConnection } from '../../shared/platforms/telservices/module';
import { VoicenterConnection } from '../../shared/platforms/voicenter/module';
import { startSimulator, type Simulator } from '../../simulator';
import { waitFor } from '../ale/helpers';

const MEMBERS = ['alice', 'bob', 'carol'] as const;
const EXT: Record<string, string> = { alice: '201', bob: '202', carol: '203' };
/** Rings every member at once for long enough to answer. */
const RINGALL = { number: '600', name: 'Sales', members: [...MEMBERS], strategy: 'ringall' as const, ringMs: 5000 };
/** The same group, giving up quickly (nobody answers). */
const RINGALL_SHORT = { number: '602', name: 'Sales (short)', members: [...MEMBERS], strategy: 'ringall' as const, ringMs: 150 };
const SETTLE_MS = 150;
const FOLLOW_UP_MS = 300;
const scaled = { backoffInitialMs: 50, backoffMaxMs: 400 };

type Front = 'opentouch' | 'telservices' | 'voicenter' | 'asterisk';

let sim: Simulator;

beforeAll(async () => {
  configureFollowUp({ settleMs: SETTLE_MS });
  sim = await startSimulator({ ringTimeoutMs: 60_000, voicenter: { socketVersion: '2' }, asterisk: { authFailDelayMs: 10 } });
  for (const g of [RINGALL, RINGALL_SHORT]) sim.pbx.addGroup(g);
});
afterAll(async () => {
  configureFollowUp();
  await sim?.close();
});

/** The platform's connection to the simulator, with the credentials and user ids the platform uses. */
function connectionFor(front: Front): PbxConnection {
  const users = MEMBERS.map((m) => EXT[m]);
  switch (front) {
    case 'opentouch': {
      const admin = sim.credentials.find((c) => c.admin)!;
      const config: ConnectionConfig = {
        platform: 'opentouch', url: sim.url('opentouch'), login: admin.login, password: admin.password, sessionKind: 'admin', users: [...MEMBERS], requestTimeoutMs: 2000, extra: scaled,
      };
      return new AleConnection(config);
    }
    case 'telservices':
      return new TelServicesConnection({ platform: 'telservices', url: sim.telservices.url, login: '', password: '', users, requestTimeoutMs: 2000, extra: { udpHost: '127.0.0.1', ...scaled } });
    case 'voicenter': {
      const vc = sim.voicenter!;
      return new VoicenterConnection({
        platform: 'voicenter', url: vc.loginUrl, login: vc.credentials.account.username, password: vc.credentials.account.password, requestTimeoutMs: 2000,
        extra: { loginType: 'account', serverUrl: vc.socketUrls[0], socketVersion: '2', ...scaled },
      });
    }
    case 'asterisk':
      return createAsterisk({ platform: 'asterisk', url: sim.asterisk!.url, login: 'pbxflow', password: 'ami-secret', users, extra: { ...scaled, keepaliveMs: 5000, requestTimeoutMs: 2000 } });
  }
}

describe.each<Front>(['opentouch', 'telservices', 'voicenter', 'asterisk'])('follow-up on the simulator (%s)', (front) => {
  let conn: PbxConnection;
  const perUser: PbxEvent[] = [];
  const followUps: PbxEvent[] = [];
  let stop: () => void = () => undefined;
  /** A member's user id as this platform names it (a login on OpenTouch, an extension elsewhere). */
  const id = (login: string) => (front === 'opentouch' ? login : EXT[login]);
  const of = (type: string) => followUps.filter((e) => e.type === type);
  const settle = (ms = SETTLE_MS + 150) => new Promise((r) => setTimeout(r, ms));
  let seq = 0;
  /** A caller number of its own for each test (the follow-up state is per caller number). */
  const customer = () => `06${front.length % 10}${String(++seq).padStart(7, '0')}`;

  beforeAll(async () => {
    conn = connectionFor(front);
    conn.onEvent((e) => perUser.push(e));
    await conn.ready(8000);
  }, 10_000);
  afterAll(async () => {
    await conn?.close();
  });
  const listen = (followUpMs: number) => {
    stop = followUpOf(conn).subscribe((e) => followUps.push(e), { followUpMs });
  };
  afterEach(() => {
    stop();
    perUser.length = 0;
    followUps.length = 0;
  });

  /** `caller` rings the short group; nobody answers. */
  const unanswered = async (caller: string): Promise<PbxEvent> => {
    sim.pbx.callFromOutside(caller, RINGALL_SHORT.number);
    await waitFor(() => of('call.unanswered').length > 0, 5000, 'call.unanswered');
    return of('call.unanswered')[0];
  };

  it('a group call nobody answers: exactly one call.unanswered naming the users rung', async () => {
    listen(0);
    const caller = customer();
    const u = await unanswered(caller);
    await settle();
    const missed = perUser.filter((e) => e.type === 'call.missed');
    expect(missed.map((e) => e.user).sort()).toEqual(MEMBERS.map(id).sort());
    expect(of('call.unanswered')).toHaveLength(1);
    expect([...u.followUp!.users!].sort()).toEqual(MEMBERS.map(id).sort());
    expect(u.followUp).toMatchObject({ caller: { number: caller } });
    expect([...u.followUp!.missedEventIds!].sort()).toEqual(missed.map((e) => e.id).sort());
  });

  it('a group call one member answers: no call.missed for the others, and no call.unanswered', async () => {
    listen(0);
    const ref = sim.pbx.callFromOutside(customer(), RINGALL.number);
    await waitFor(() => MEMBERS.every((m) => perUser.some((e) => e.type === 'call.incoming' && e.user === id(m))), 3000, 'every member rings');
    sim.pbx.answer(ref, 'bob');
    await waitFor(() => perUser.filter((e) => e.type === 'call.ended').length === 2, 3000, 'the others\' views end');
    sim.pbx.hangUp(ref, 'bob');
    await waitFor(() => perUser.some((e) => e.type === 'call.ended' && e.user === id('bob')), 3000, 'bob\'s call ends');
    await settle();
    expect(perUser.filter((e) => e.type === 'call.missed')).toEqual([]);
    expect(followUps).toEqual([]);
  });

  it('bob calls the customer back within the window: one call.returned naming the unanswered call', async () => {
    listen(0);
    const caller = customer();
    const u = await unanswered(caller);
    const ref = sim.pbx.makeCall('bob', caller);
    sim.pbx.answer(ref);
    await waitFor(() => of('call.returned').length === 1, 3000, 'call.returned');
    sim.pbx.hangUp(ref, 'bob');
    await settle();
    expect(of('call.returned')).toHaveLength(1);
    expect(of('call.returned')[0].followUp).toMatchObject({ closes: [u.id], returnedBy: id('bob'), returnDirection: 'outgoing' });
  });

  it('no callback within a short follow-up time: exactly one call.unreturned', async () => {
    listen(FOLLOW_UP_MS);
    const u = await unanswered(customer());
    await waitFor(() => of('call.unreturned').length === 1, 3000, 'call.unreturned');
    await settle(FOLLOW_UP_MS);
    expect(of('call.unreturned').map((e) => e.followUp!.unansweredEventId)).toEqual([u.id]);
    expect(of('call.returned')).toEqual([]);
  });
});
