/**
 * Follow-up end to end on every simulator front-end other than O2G (covered in simulator.test.ts): OpenTouch,
 * TelServices, Voicenter and Asterisk, each through the platform's own connection over real sockets, monitoring the
 * members of a ring group. Each test uses its own caller number, so the one follow-up state per connection starts
 * clean for it.
 */
import type { PbxConnection } from '../../shared/connection/types';
import { followUpOf } from '../../shared/followup/hub';
import type { PbxEvent } from '../../shared/model/events';
import { connectionFor, EXT, MEMBERS, ringAll, startFollowUpSimulator, stopFollowUpSimulator, type Front } from './connections';
import type { Simulator } from '../../simulator';
import { waitFor } from '../ale/helpers';

/** Rings every member at once for long enough to answer. */
const RINGALL = ringAll('600', 5000);
/** The same group, giving up quickly (nobody answers). */
const RINGALL_SHORT = ringAll('602', 150, 'Sales (short)');
const SETTLE_MS = 150;
const FOLLOW_UP_MS = 300;

let sim: Simulator;

beforeAll(async () => {
  sim = await startFollowUpSimulator(SETTLE_MS, [RINGALL, RINGALL_SHORT]);
});
afterAll(() => stopFollowUpSimulator(sim));


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
    conn = connectionFor(sim, front);
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
