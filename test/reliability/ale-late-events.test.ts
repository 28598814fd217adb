/**
 * Issue 19.9, live: the channel drops mid-call, the resync no longer lists the call (it ends once), and then the
 * call's own late events arrive on the new channel (`OnCallModified` RELEASING, `OnCallRemoved`, a stale ACTIVE).
 * They must produce nothing: no call brought back as incoming, no second `call.ended`, no `call.missed`.
 */
import type { PbxEvent } from '../../shared/model/events';
import { AleConnection } from '../../shared/platforms/ale/connection';
import { waitFor } from '../ale/helpers';
import { PASSWORD, startFakeAle, type FakeAle } from './fake-ale';

const SCALED = { backoffInitialMs: 50, backoffMaxMs: 400, healthyAfterMs: 1000 };
const alice = { participantId: 'p-alice', identity: { id: { phoneNumber: '201', loginName: 'alice' }, displayName: 'Alice' } };
const callData = (state: string) => ({ state, callUUID: 'uuid-c1', initialCalledIdentity: { id: { phoneNumber: '202', loginName: 'bob' } } });

async function dropAndResyncEmpty(fake: FakeAle, conn: AleConnection, events: PbxEvent[]): Promise<void> {
  fake.calls.length = 0; // the PBX no longer lists the call
  const channels = fake.counts.channels;
  fake.dropChannels();
  await waitFor(() => fake.counts.channels > channels && conn.state === 'connected' && events.some((e) => e.type === 'call.ended'), 5000, 'reconnected and resynced');
}

describe('ALE: late events of a call the resync ended', () => {
  let fake: FakeAle;
  let conn: AleConnection;
  let events: PbxEvent[];
  beforeEach(async () => {
    fake = await startFakeAle();
    conn = new AleConnection({ platform: 'o2g', url: fake.url, login: 'bob', password: PASSWORD, requestTimeoutMs: 2000, extra: SCALED });
    events = [];
    conn.onEvent((e) => events.push(e));
    await conn.ready(3000);
  });
  afterEach(async () => {
    await conn.close();
    await fake.close();
  });

  const calls = () => events.filter((e) => e.type.startsWith('call.')).map((e) => `${e.type}${e.call?.endReason ? `:${e.call.endReason}` : ''}`);

  it('an answered call: ended once (during the outage); RELEASING, OnCallRemoved and a stale ACTIVE after it: nothing', async () => {
    fake.send(
      { eventName: 'OnCallCreated', loginName: 'bob', callRef: 'c1', callData: callData('RINGING_INCOMING'), legs: [{ deviceId: '202', state: 'RINGING_INCOMING' }], participants: [alice] },
      { eventName: 'OnCallModified', loginName: 'bob', callRef: 'c1', callData: callData('ACTIVE'), modifiedLegs: [{ deviceId: '202', state: 'ACTIVE' }] },
    );
    await waitFor(() => calls().includes('call.answered'), 3000, 'answered');
    await dropAndResyncEmpty(fake, conn, events);
    expect(calls()).toEqual(['call.incoming', 'call.answered', 'call.ended:unknown']);
    expect(events.find((e) => e.type === 'call.ended')!.call).toMatchObject({ id: 'c1', endedDuringOutage: true });

    // What the server had queued for the call arrives late, on the new channel.
    fake.send(
      { eventName: 'OnCallModified', loginName: 'bob', callRef: 'c1', cause: 'NORMAL', callData: callData('RELEASING'), modifiedLegs: [{ deviceId: '202', state: 'RELEASING' }] },
      { eventName: 'OnCallRemoved', loginName: 'bob', callRef: 'c1', cause: 'NORMAL' },
      { eventName: 'OnCallModified', loginName: 'bob', callRef: 'c1', callData: callData('ACTIVE'), modifiedLegs: [{ deviceId: '202', state: 'ACTIVE' }], addedParticipants: [alice] },
    );
    // A marker event after them: once it is in, the late ones have been read.
    fake.send({ eventName: 'OnUserStateModified', loginName: 'bob', state: 'FREE' });
    await waitFor(() => events.some((e) => e.type === 'user.state'), 3000, 'marker');
    expect(calls()).toEqual(['call.incoming', 'call.answered', 'call.ended:unknown']);
    expect(events.filter((e) => e.type === 'call.missed')).toEqual([]);
  });

  it('the caller\'s view, ringing when the channel dropped: the late removal gives no missed call and no second end', async () => {
    fake.send({ eventName: 'OnCallCreated', loginName: 'bob', callRef: 'c2', callData: { state: 'RINGING_OUTGOING', initialCalledIdentity: { id: { phoneNumber: '203' } } }, legs: [{ deviceId: '202', state: 'RINGING_OUTGOING' }], participants: [{ participantId: 'p3', identity: { id: { phoneNumber: '203' } } }] });
    await waitFor(() => calls().includes('call.outgoing'), 3000, 'outgoing');
    await dropAndResyncEmpty(fake, conn, events);
    fake.send(
      { eventName: 'OnCallModified', loginName: 'bob', callRef: 'c2', callData: { state: 'RELEASING' } },
      { eventName: 'OnCallRemoved', loginName: 'bob', callRef: 'c2', cause: 'ABANDONED' },
      { eventName: 'OnUserStateModified', loginName: 'bob', state: 'FREE' },
    );
    await waitFor(() => events.some((e) => e.type === 'user.state'), 3000, 'marker');
    expect(calls()).toEqual(['call.outgoing', 'call.ended:unknown']);
  });
});
