/**
 * Follow-up end to end on the simulator (O2G front-end over real sockets, one admin session monitoring alice, bob
 * and carol, shared through the registry by two consumers as an n8n trigger and a Node-RED node would).
 *
 * "Several users rung by one call": a forward on no answer (alice -> bob) in most tests; the ring-group test runs
 * once the virtual PBX has ring groups (another change adds them; until then it returns at once, and the
 * simultaneous case is covered on event sequences in correlator.test.ts).
 */
import { acquireConnection, configureRegistry, releaseAll, type Lease } from '../../shared/connection/registry';
import type { ConnectionConfig } from '../../shared/connection/types';
import { followUpOf } from '../../shared/followup/hub';
import type { PbxEvent } from '../../shared/model/events';
import '../../shared/platforms';
import { startSimulator, type Simulator } from '../../simulator';
import { waitFor } from '../ale/helpers';

const CUSTOMER = '0612345678';
const FOLLOW_UP_MS = 600;
/** The Node-RED consumer sets its own follow-up time. */
const NODE_RED_FOLLOW_UP_MS = 900;

interface Consumer {
  lease: Lease;
  perUser: PbxEvent[];
  followUps: PbxEvent[];
  stop(): void;
}

describe('follow-up on the simulator (O2G)', () => {
  let sim: Simulator;
  let n8n: Consumer;
  let nodeRed: Consumer;
  const config = (): ConnectionConfig => ({
    platform: 'o2g', url: sim.url('o2g'), login: 'admin', password: 'admin-pw', sessionKind: 'admin', users: ['alice', 'bob', 'carol'],
    requestTimeoutMs: 2000, extra: { backoffInitialMs: 50, backoffMaxMs: 400 },
  });
  const consume = (followUpMs: number): Consumer => {
    const lease = acquireConnection(config());
    const perUser: PbxEvent[] = [];
    const followUps: PbxEvent[] = [];
    const offEvents = lease.connection.onEvent((e) => perUser.push(e));
    // The first consumer's options apply to the connection's one follow-up state (a short settle for the test).
    const offFollowUp = followUpOf(lease.connection, { settleMs: 300 }).subscribe((e) => followUps.push(e), { followUpMs });
    return { lease, perUser, followUps, stop: () => { offEvents(); offFollowUp(); } };
  };
  const of = (c: Consumer, type: string): PbxEvent[] => c.followUps.filter((e) => e.type === type);
  const settle = (ms = 450) => new Promise((r) => setTimeout(r, ms));

  beforeEach(async () => {
    configureRegistry({ lingerMs: 0 });
    sim = await startSimulator({ ringTimeoutMs: 150 });
    sim.pbx.setForward('alice', { destination: '202', condition: 'no_answer' });
    n8n = consume(FOLLOW_UP_MS);
    nodeRed = consume(NODE_RED_FOLLOW_UP_MS);
    expect(nodeRed.lease.connection).toBe(n8n.lease.connection);
    await n8n.lease.connection.ready(5000);
  });
  afterEach(async () => {
    n8n.stop();
    nodeRed.stop();
    await releaseAll();
    configureRegistry({ lingerMs: undefined });
    await sim.close();
  });

  /** The customer calls alice; it rings alice, then bob, and nobody answers. */
  const missedCall = async (to = '201'): Promise<PbxEvent> => {
    const before = of(n8n, 'call.unanswered').length;
    sim.pbx.callFromOutside(CUSTOMER, to);
    await waitFor(() => of(n8n, 'call.unanswered').length > before, 5000, 'call.unanswered');
    return of(n8n, 'call.unanswered').at(-1)!;
  };

  it('a call that rang two users and nobody answered: one call.unanswered, the same for every consumer', async () => {
    const u = await missedCall();
    await settle();
    const missed = n8n.perUser.filter((e) => e.type === 'call.missed');
    expect(missed.map((e) => e.user)).toEqual(['alice', 'bob']);
    expect(of(n8n, 'call.unanswered')).toHaveLength(1);
    expect(u.followUp).toMatchObject({ caller: { number: CUSTOMER }, users: ['alice', 'bob'], endReason: 'no_answer', missedEventIds: missed.map((e) => e.id) });
    expect(nodeRed.followUps.filter((e) => e.type === 'call.unanswered').map((e) => e.id)).toEqual([u.id]);
  });

  it('a call one of them answered: no call.unanswered, and the one who answered has no missed call', async () => {
    const ref = sim.pbx.callFromOutside(CUSTOMER, '201');
    // Alice's ring timer is running (150 ms): bob, rung by her forward, rings long enough to answer.
    sim.pbx.ringTimeoutMs = 5000;
    await waitFor(() => n8n.perUser.some((e) => e.type === 'call.incoming' && e.user === 'bob'), 3000, 'bob rings');
    sim.pbx.answer(ref, 'bob');
    await settle();
    sim.pbx.hangUp(ref, 'bob');
    await waitFor(() => n8n.perUser.some((e) => e.type === 'call.ended' && e.user === 'bob'), 3000, 'bob ends');
    await settle();
    expect(n8n.perUser.filter((e) => e.type === 'call.missed' && e.user === 'bob')).toEqual([]);
    expect(n8n.followUps).toEqual([]);
    // Alice's phone rang first; her forward took the call to bob, who answered: she did not miss it.
    expect(n8n.perUser.filter((e) => e.type === 'call.missed')).toEqual([]);
    const aliceEnd = n8n.perUser.filter((e) => e.type === 'call.ended' && e.user === 'alice');
    expect(aliceEnd.map((e) => [e.call!.endReason, e.call!.redirectedTo?.number])).toEqual([['answered_elsewhere', '202']]);
    // Said after bob's answer (when it was known), once.
    const order = n8n.perUser.filter((e) => e.type.startsWith('call.')).map((e) => `${e.user}:${e.type}`);
    expect(order.indexOf('alice:call.ended')).toBeGreaterThan(order.indexOf('bob:call.answered'));
  }, 15_000);

  /** Ring groups on the virtual PBX (being added by another change): the simultaneous case, once they exist. */
  const ringAll = (): boolean => {
    const pbx = sim.pbx as unknown as { addGroup?: (g: { number: string; name: string; members: string[]; strategy: 'ringall' | 'hunt' }) => void };
    if (!pbx.addGroup) return false;
    pbx.addGroup({ number: '600', name: 'Sales', members: ['alice', 'bob', 'carol'], strategy: 'ringall' });
    return true;
  };

  it('a ring group (all at once) one member answers: the others end answered_elsewhere, no missed, no unanswered; nobody answers: one unanswered', async () => {
    if (!ringAll()) return; // the virtual PBX has no ring groups yet
    const ref = sim.pbx.callFromOutside(CUSTOMER, '600');
    await waitFor(() => n8n.perUser.filter((e) => e.type === 'call.incoming').length === 3, 3000, 'three members ring');
    sim.pbx.answer(ref, 'bob');
    await waitFor(() => n8n.perUser.filter((e) => e.type === 'call.ended').length === 2, 3000, 'the others end');
    sim.pbx.hangUp(ref, 'bob');
    expect(n8n.perUser.filter((e) => e.type === 'call.ended').map((e) => [e.user, e.call!.endReason])).toEqual([['alice', 'answered_elsewhere'], ['carol', 'answered_elsewhere']]);
    const u = await missedCall('600');
    await settle();
    expect(n8n.perUser.filter((e) => e.type === 'call.missed').map((e) => e.user)).toEqual(['alice', 'bob', 'carol']);
    expect(of(n8n, 'call.unanswered')).toHaveLength(1);
    expect(u.followUp!.users).toEqual(['alice', 'bob', 'carol']);
  });

  it('bob calls the customer back within the window: call.returned naming the unanswered call, and no call.unreturned', async () => {
    const u = await missedCall();
    const ref = sim.pbx.makeCall('bob', `+33${CUSTOMER.slice(1)}`);
    sim.pbx.answer(ref);
    await waitFor(() => of(n8n, 'call.returned').length === 1, 3000, 'call.returned');
    const r = of(n8n, 'call.returned')[0];
    expect(r.followUp).toMatchObject({ closes: [u.id], returnedBy: 'bob', returnDirection: 'outgoing' });
    await settle(NODE_RED_FOLLOW_UP_MS + 200);
    expect(of(n8n, 'call.unreturned')).toEqual([]);
    expect(of(nodeRed, 'call.unreturned')).toEqual([]);
    expect(of(nodeRed, 'call.returned').map((e) => e.id)).toEqual([r.id]);
  });

  it('no callback: one call.unreturned after each consumer\'s own follow-up time', async () => {
    const u = await missedCall();
    await waitFor(() => of(n8n, 'call.unreturned').length === 1, 3000, 'call.unreturned');
    expect(of(nodeRed, 'call.unreturned')).toEqual([]); // its follow-up time is longer
    await waitFor(() => of(nodeRed, 'call.unreturned').length === 1, 3000, 'the second call.unreturned');
    await settle(FOLLOW_UP_MS);
    expect(of(n8n, 'call.unreturned').map((e) => e.followUp!.unansweredEventId)).toEqual([u.id]);
    expect(of(nodeRed, 'call.unreturned').map((e) => e.followUp!.unansweredEventId)).toEqual([u.id]);
    expect(of(nodeRed, 'call.unreturned')[0].id).not.toBe(of(n8n, 'call.unreturned')[0].id);
  });

  it('the event channel drops while it rings: after the reconnect, one call.unanswered, nothing repeated', async () => {
    sim.pbx.ringTimeoutMs = 400;
    sim.pbx.callFromOutside(CUSTOMER, '201');
    await waitFor(() => n8n.perUser.some((e) => e.type === 'call.incoming' && e.user === 'alice'), 3000, 'alice rings');
    sim.faults.dropChannel('o2g');
    await waitFor(() => of(n8n, 'call.unanswered').length === 1, 8000, 'call.unanswered after the reconnect');
    const states = n8n.perUser.filter((e) => e.type === 'connection.state').map((e) => e.connection!.state);
    expect(states).toContain('reconnecting');
    await settle(FOLLOW_UP_MS + 300);
    expect(of(n8n, 'call.unanswered')[0].followUp).toMatchObject({ users: ['alice', 'bob'] });
    expect(of(n8n, 'call.unanswered')).toHaveLength(1);
    expect(of(n8n, 'call.unreturned')).toHaveLength(1);
    const ids = n8n.followUps.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  }, 15_000);

  it('the session expires between the missed call and the callback: the callback still returns it', async () => {
    const u = await missedCall();
    sim.faults.expireSessions('o2g');
    await waitFor(() => n8n.perUser.filter((e) => e.type === 'connection.state' && e.connection!.state === 'connected').length >= 2, 8000, 'reconnected');
    const ref = sim.pbx.makeCall('alice', CUSTOMER);
    sim.pbx.answer(ref);
    await waitFor(() => of(n8n, 'call.returned').length === 1, 3000, 'call.returned');
    expect(of(n8n, 'call.returned')[0].followUp!.closes).toEqual([u.id]);
    expect(of(n8n, 'call.unanswered')).toHaveLength(1);
  }, 15_000);
});
