/** Voicemail, counters, call log, directory and instant messages over the simulator. */
import type { PbxEvent } from '../../shared/model/events';
import { startSimulator, type Simulator } from '../../simulator';
import { simFeatures } from '../../simulator/frontends/ale/operation-routes';
import { connect, waitFor, type Probe } from '../ale/helpers';

const of = (p: Probe, type: string): PbxEvent[] => p.events.filter((e) => e.type === type);

describe.each(['opentouch', 'o2g'] as const)('%s messaging, call log and directory', (platform) => {
  let sim: Simulator;
  let alice: Probe;
  let bob: Probe;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
    alice = connect(sim, platform, { login: 'alice', password: 'alice-pw' });
    bob = connect(sim, platform);
    await Promise.all([alice.conn.ready(), bob.conn.ready()]);
  });
  afterEach(async () => {
    await Promise.all([alice.conn.close(), bob.conn.close()]);
    await sim.close();
  });

  /** alice calls bob, who sends her to his voicemail: a message for bob, a missed call in his log. */
  async function leaveVoicemail(): Promise<void> {
    await alice.conn.execute('makeCall', { destination: '202' });
    await waitFor(() => of(bob, 'call.incoming').length > 0, 3000, 'bob rings');
    await bob.conn.execute('sendToVoicemail', { callId: of(bob, 'call.incoming')[0].call!.id });
    await waitFor(() => of(bob, 'call.missed').length > 0, 3000, 'missed');
  }

  it('voicemail: listed unread, counted, marked read, deleted', async () => {
    await leaveVoicemail();
    await waitFor(() => of(bob, 'messages.changed').some((e) => e.messages?.voicemailsUnread === 1), 3000, 'messages.changed');

    const list = (await bob.conn.execute('listVoicemails', { unreadOnly: true })) as { mailboxId: string; voicemails: Array<{ voicemailId: string; unread: boolean; from: { id: { phoneNumber: string } } }> };
    expect(list.voicemails).toHaveLength(1);
    expect(list.voicemails[0]).toMatchObject({ unread: true, from: { id: { phoneNumber: '201' } } });
    const id = list.voicemails[0].voicemailId;
    expect(id).toContain('+'); // travels percent-encoded in the path

    expect(await bob.conn.execute('getCounters', {})).toMatchObject({ voicemailsUnread: 1, missedCalls: 1 });
    await bob.conn.execute('markVoicemailRead', { voicemailId: id });
    expect(simFeatures(sim.pbx).messaging.unread('bob')).toBe(0);
    expect((await bob.conn.execute('listVoicemails', { unreadOnly: true })) as object).toMatchObject({ voicemails: [] });
    await bob.conn.execute('deleteVoicemail', { voicemailId: id });
    expect(simFeatures(sim.pbx).messaging.list('bob')).toEqual([]);
  });

  it('call log: the missed call is listed, acknowledged, and the counter drops', async () => {
    await leaveVoicemail();
    const since = new Date(Date.now() - 60_000).toISOString();
    const log = (await bob.conn.execute('listCallLog', { unansweredOnly: true, unacknowledgedOnly: true, since })) as { records: Array<{ recordId: number; acknowledged: boolean }>; totalCount: number };
    expect(log.records).toHaveLength(1);
    expect(log.records[0].acknowledged).toBe(false);
    const future = (await bob.conn.execute('listCallLog', { since: new Date(Date.now() + 60_000).toISOString() })) as { records: unknown[] };
    expect(future.records).toEqual([]);

    await bob.conn.execute('acknowledgeCallLog', { recordIds: String(log.records[0].recordId) });
    expect(await bob.conn.execute('getCounters', {})).toMatchObject({ missedCalls: 0 });
    const left = (await bob.conn.execute('listCallLog', { unacknowledgedOnly: true })) as { records: unknown[] };
    expect(left.records).toEqual([]);
    await waitFor(() => of(bob, 'messages.changed').some((e) => e.messages?.missedCalls === 0), 3000, 'counter event');
    await expect(bob.conn.execute('listCallLog', { since: 'yesterday-ish' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('directory: by name, by number, and a user by login', async () => {
    const byName = (await alice.conn.execute('searchDirectory', { query: 'dur' })) as { contacts: Array<{ login?: string; number?: string; name?: string }> };
    expect(byName.contacts).toEqual([expect.objectContaining({ login: 'bob', number: '202', name: 'Bob Durand' })]);
    const byNumber = (await alice.conn.execute('searchDirectory', { query: '+3314000000' })) as { contacts: Array<{ lastName?: string }> };
    expect(byNumber.contacts.map((c) => c.lastName).sort()).toEqual(['Lambert', 'Marchand']);
    const none = (await alice.conn.execute('searchDirectory', { query: 'zzz' })) as { contacts: unknown[] };
    expect(none.contacts).toEqual([]);
    expect(await alice.conn.execute('getUser', { login: 'carol' })).toMatchObject({ loginName: 'carol', companyPhone: '203' });
    await expect(alice.conn.execute('getUser', { login: 'nobody' })).rejects.toMatchObject({ code: 'PBX', status: 404 });
  });

  if (platform === 'opentouch') {
    it('instant message reaches the recipient', async () => {
      const res = await alice.conn.execute('sendInstantMessage', { to: 'bob', message: 'call me' });
      expect(res).toMatchObject({ ok: true, to: 'bob' });
      expect(simFeatures(sim.pbx).messaging.sentMessages).toEqual([expect.objectContaining({ from: 'alice', to: 'bob', message: 'call me' })]);
    });
  }
});
