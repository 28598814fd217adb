/**
 * The user's own side of a call: number and name learned once per session from `GET /users/{loginName}`,
 * the login until then.
 */
import type { Party, PbxEvent } from '../../shared/model/events';
import { AlePipeline } from '../../shared/platforms/ale/pipeline';
import { partyOf } from '../../shared/platforms/ale/self-party';
import { startSimulator, type Simulator } from '../../simulator';
import { connect, waitFor } from './helpers';

const ofType = (events: PbxEvent[], type: string) => events.filter((e) => e.type === type);

describe.each(['opentouch', 'o2g'] as const)('%s own party', (platform) => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it("an outgoing call shows the caller's number and name, an incoming one the callee's", async () => {
    const alice = connect(sim, platform, { login: 'alice', password: 'alice-pw' });
    const bob = connect(sim, platform);
    try {
      await Promise.all([alice.conn.ready(), bob.conn.ready()]);
      await waitFor(() => alice.conn.selfParty('alice') !== undefined && bob.conn.selfParty('bob') !== undefined, 3000, 'profiles');
      await alice.conn.execute('makeCall', { destination: '202' });
      await waitFor(() => ofType(bob.events, 'call.incoming').length > 0, 3000, 'bob rings');
      const out = ofType(alice.events, 'call.outgoing')[0].call!;
      expect(out.from).toEqual({ number: '201', name: 'Alice Martin', login: 'alice' });
      expect(out.to).toMatchObject({ number: '202', login: 'bob' });
      const inc = ofType(bob.events, 'call.incoming')[0].call!;
      expect(inc.to).toEqual({ number: '202', name: 'Bob Durand', login: 'bob' });
      expect(inc.from).toMatchObject({ number: '201', login: 'alice' });
    } finally {
      await Promise.all([alice.conn.close(), bob.conn.close()]);
    }
  });

  it('an administrator session learns every monitored user', async () => {
    const admin = connect(sim, platform, { login: 'admin', password: 'admin-pw', sessionKind: 'admin', users: ['alice', 'carol'] });
    try {
      await admin.conn.ready();
      await waitFor(() => admin.conn.selfParty('alice') !== undefined && admin.conn.selfParty('carol') !== undefined, 3000, 'profiles');
      expect(admin.conn.selfParty('carol')).toEqual({ number: '203', name: 'Carol Petit' });
      sim.pbx.makeCall('alice', '203');
      await waitFor(() => ofType(admin.events, 'call.incoming').length > 0, 3000, 'carol rings');
      expect(ofType(admin.events, 'call.outgoing')[0].call!.from).toEqual({ number: '201', name: 'Alice Martin', login: 'alice' });
      expect(ofType(admin.events, 'call.incoming')[0].call!.to).toEqual({ number: '203', name: 'Carol Petit', login: 'carol' });
    } finally {
      await admin.conn.close();
    }
  });
});

describe('own party from the user resource', () => {
  it('number: company phone, else the main device; name: first and last, else the display name', () => {
    expect(partyOf({ companyPhone: '201', firstName: 'Alice', lastName: 'Martin', devices: [{ id: '2011', type: 'SOFTPHONE' }] })).toEqual({ number: '201', name: 'Alice Martin' });
    expect(partyOf({ displayName: 'Desk 7', devices: [{ id: '7001', type: 'SOFTPHONE' }, { id: '7000', type: 'DESKPHONE' }] })).toEqual({ number: '7000', name: 'Desk 7' });
    expect(partyOf({ firstName: 'No', lastName: 'Phone' })).toBeUndefined();
    expect(partyOf(undefined)).toBeUndefined();
  });

  it('until the party is known, events are not held back and show the login', () => {
    const self: { party?: Party } = {};
    const p = new AlePipeline({ platform: 'o2g', defaultUser: 'alice', selfParty: () => self.party });
    const created = (ref: string) => ({ eventName: 'OnCallCreated', loginName: 'alice', callRef: ref, callData: { state: 'RINGING_OUTGOING' }, legs: [{ deviceId: '201', state: 'RINGING_OUTGOING' }], participants: [{ participantId: '202', identity: { id: { phoneNumber: '202', loginName: 'bob' } } }] });
    const before = p.pushEvent(created('c1'));
    expect(before.map((e) => e.type)).toEqual(['call.outgoing']);
    expect(before[0].call!.from).toEqual({ number: 'alice', login: 'alice' });
    self.party = { number: '201', name: 'Alice Martin' };
    const after = p.pushEvent(created('c2'));
    expect(after[0].call!.from).toEqual({ number: '201', name: 'Alice Martin', login: 'alice' });
  });
});
