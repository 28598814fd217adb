/**
 * Follow-up across a reconnect on every simulator front-end other than O2G (covered in simulator.test.ts):
 * OpenTouch, TelServices, Voicenter and Asterisk, each through the platform's own connection over real sockets,
 * monitoring the members of a ring group. The stream is dropped by the front-end's own fault hook (ALE: the event
 * channel; TelServices: the administrator closes the sessions; Voicenter: the server drops its sockets; Asterisk:
 * TCP reset; TelServices also loses its PBX link once), the connection comes back and resyncs, and the follow-up
 * must lose nothing and repeat nothing.
 * Each test uses its own caller number, so the one follow-up state per connection starts clean for it.
 */
import type { PbxConnection } from '../../shared/connection/types';
import { followUpOf } from '../../shared/followup/hub';
import type { PbxEvent } from '../../shared/model/events';
import { connectionFor, EXT, MEMBERS, ringAll, startFollowUpSimulator, stopFollowUpSimulator, type Front } from './connections';
import type { Simulator } from '../../simulator';
import { waitFor } from '../ale/helpers';

/** Rings every member at once, long enough to drop the stream while it rings. */
const RINGALL = ringAll('610', 5000);
/** The same group, giving up quickly (nobody answers). */
const RINGALL_SHORT = ringAll('612', 150, 'Sales (short)');
const SETTLE_MS = 150;
/** Longer than a scaled reconnect, so the drop falls between the unanswered call and its follow-up time. */
const FOLLOW_UP_MS = 700;

let sim: Simulator;

beforeAll(async () => {
  sim = await startFollowUpSimulator(SETTLE_MS, [RINGALL, RINGALL_SHORT]);
});
afterAll(() => stopFollowUpSimulator(sim));


/** Each front-end's own way of losing the stream (the connection must reconnect and resync). */
function dropStream(front: Front): void {
  switch (front) {
    case 'opentouch': return sim.faults.dropChannel('opentouch');
    case 'telservices': return sim.telservices.closeByAdmin();
    case 'voicenter': return sim.voicenter!.restart();
    case 'asterisk': return sim.asterisk!.dropAll();
  }
}

describe.each<Front>(['opentouch', 'telservices', 'voicenter', 'asterisk'])('follow-up across a reconnect (%s)', (front) => {
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
  const customer = () => `07${front.length % 10}${String(++seq).padStart(7, '0')}`;
  /** `connected` states seen so far (a reconnect adds one). */
  let connects = 0;

  beforeAll(async () => {
    conn = connectionFor(sim, front);
    conn.onState((s) => {
      if (s.state === 'connected') connects++;
    });
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

  /** Drops the stream and waits until the connection is back (and has resynced: the snapshot comes with it). */
  const dropAndReconnect = async (): Promise<void> => {
    const before = connects;
    dropStream(front);
    await waitFor(() => connects > before, 5000, 'the reconnect');
  };
  /** Nothing announced twice: per-user call.missed once per user and call, follow-up ids unique. */
  const expectNothingRepeated = () => {
    const missed = perUser.filter((e) => e.type === 'call.missed').map((e) => `${e.user}|${e.call!.id}`);
    expect(new Set(missed).size).toBe(missed.length);
    const ids = followUps.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  };
  /** `caller` rings the short group; nobody answers. */
  const unanswered = async (caller: string): Promise<PbxEvent> => {
    sim.pbx.callFromOutside(caller, RINGALL_SHORT.number);
    await waitFor(() => of('call.unanswered').length > 0, 5000, 'call.unanswered');
    return of('call.unanswered')[0];
  };

  it('the stream drops while a group call rings and the caller gives up meanwhile: one call.unanswered after the resync, nothing repeated', async () => {
    listen(0);
    const caller = customer();
    const ref = sim.pbx.callFromOutside(caller, RINGALL.number);
    await waitFor(() => MEMBERS.every((m) => perUser.some((e) => e.type === 'call.incoming' && e.user === id(m))), 3000, 'every member rings');
    dropStream(front);
    // The call ends while the stream is down: only the resync (or the server's queued events) can tell.
    sim.pbx.callerHangsUp(ref);
    await waitFor(() => of('call.unanswered').length > 0, 6000, 'call.unanswered after the reconnect');
    await settle();
    expect(of('call.unanswered')).toHaveLength(1);
    const u = of('call.unanswered')[0];
    expect([...u.followUp!.users!].sort()).toEqual(MEMBERS.map(id).sort());
    expect(u.followUp).toMatchObject({ caller: { number: caller } });
    // Every member's view ended once; the per-user call.missed (when the platform could say it was missed) are the ones summarised.
    const ended = perUser.filter((e) => e.type === 'call.ended' && e.call!.direction === 'incoming').map((e) => e.user);
    expect(ended.sort()).toEqual(MEMBERS.map(id).sort());
    const missed = perUser.filter((e) => e.type === 'call.missed');
    expect([...u.followUp!.missedEventIds!].sort()).toEqual(missed.map((e) => e.id).sort());
    expectNothingRepeated();
  }, 10_000);

  it('the stream drops while a group call rings and it rings out after the reconnect: one call.unanswered, nothing repeated', async () => {
    listen(0);
    const caller = customer();
    const ref = sim.pbx.callFromOutside(caller, RINGALL.number);
    await waitFor(() => MEMBERS.every((m) => perUser.some((e) => e.type === 'call.incoming' && e.user === id(m))), 3000, 'every member rings');
    await dropAndReconnect();
    await settle();
    expect(followUps).toEqual([]); // still ringing: nothing to say yet
    sim.pbx.callerHangsUp(ref);
    await waitFor(() => of('call.unanswered').length > 0, 3000, 'call.unanswered');
    await settle();
    expect(of('call.unanswered')).toHaveLength(1);
    const u = of('call.unanswered')[0];
    expect([...u.followUp!.users!].sort()).toEqual(MEMBERS.map(id).sort());
    const missed = perUser.filter((e) => e.type === 'call.missed');
    expect(missed.map((e) => e.user).sort()).toEqual(MEMBERS.map(id).sort());
    expect([...u.followUp!.missedEventIds!].sort()).toEqual(missed.map((e) => e.id).sort());
    expectNothingRepeated();
  }, 10_000);

  it('the stream drops while a group call rings and a member answers meanwhile: no call.unanswered, no call.missed', async () => {
    listen(0);
    const ref = sim.pbx.callFromOutside(customer(), RINGALL.number);
    await waitFor(() => MEMBERS.every((m) => perUser.some((e) => e.type === 'call.incoming' && e.user === id(m))), 3000, 'every member rings');
    const before = connects;
    dropStream(front);
    sim.pbx.answer(ref, 'bob');
    await waitFor(() => connects > before, 5000, 'the reconnect');
    await waitFor(() => perUser.some((e) => e.type === 'call.answered' && e.user === id('bob')), 3000, 'bob answered, as the resync tells');
    sim.pbx.hangUp(ref, 'bob');
    await waitFor(() => perUser.some((e) => e.type === 'call.ended' && e.user === id('bob')), 3000, 'bob\'s call ends');
    await settle();
    expect(perUser.filter((e) => e.type === 'call.missed')).toEqual([]);
    expect(followUps).toEqual([]);
  }, 10_000);

  // TelServices' other outage: TelServer loses its PBX link (sessions kept, call events lost) and gets it back.
  if (front === 'telservices') it('the PBX link goes out of service while a group call rings and the caller gives up meanwhile: one call.unanswered once it is back', async () => {
    listen(0);
    const caller = customer();
    const ref = sim.pbx.callFromOutside(caller, RINGALL.number);
    await waitFor(() => MEMBERS.every((m) => perUser.some((e) => e.type === 'call.incoming' && e.user === id(m))), 3000, 'every member rings');
    const before = connects;
    sim.telservices.setLink(false);
    await waitFor(() => perUser.some((e) => e.type === 'connection.state' && e.connection!.state === 'reconnecting'), 3000, 'the link is down');
    sim.pbx.callerHangsUp(ref);
    sim.telservices.setLink(true);
    await waitFor(() => connects > before, 5000, 'the link is back');
    await waitFor(() => of('call.unanswered').length > 0, 3000, 'call.unanswered');
    await settle();
    expect(of('call.unanswered')).toHaveLength(1);
    expect([...of('call.unanswered')[0].followUp!.users!].sort()).toEqual(MEMBERS.map(id).sort());
    expectNothingRepeated();
  }, 10_000);

  it('a reconnect between the unanswered call and the callback: one call.returned naming it, no second call.unanswered', async () => {
    listen(0);
    const caller = customer();
    const u = await unanswered(caller);
    await dropAndReconnect();
    const ref = sim.pbx.makeCall('bob', caller);
    sim.pbx.answer(ref);
    await waitFor(() => of('call.returned').length === 1, 3000, 'call.returned');
    sim.pbx.hangUp(ref, 'bob');
    await settle();
    expect(of('call.returned')).toHaveLength(1);
    expect(of('call.returned')[0].followUp).toMatchObject({ closes: [u.id], returnedBy: id('bob'), returnDirection: 'outgoing' });
    expect(of('call.unanswered').map((e) => e.id)).toEqual([u.id]);
    expectNothingRepeated();
  }, 10_000);

  it('a reconnect between the unanswered call and its follow-up time: exactly one call.unreturned', async () => {
    listen(FOLLOW_UP_MS);
    const u = await unanswered(customer());
    await dropAndReconnect();
    expect(of('call.unreturned')).toEqual([]); // the drop and the reconnect fell before the follow-up time
    await waitFor(() => of('call.unreturned').length === 1, FOLLOW_UP_MS + 3000, 'call.unreturned');
    await settle();
    expect(of('call.unreturned').map((e) => e.followUp!.unansweredEventId)).toEqual([u.id]);
    expect(of('call.unanswered').map((e) => e.id)).toEqual([u.id]);
    expect(of('call.returned')).toEqual([]);
    expectNothingRepeated();
  }, 10_000);
});
