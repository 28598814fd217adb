/**
 * The editor's pickers over the Node-RED admin route (issue 22 item 10), in a real Node-RED runtime against the
 * simulator: GET pbxflow/lookup/<connection id> lists the monitored users and the directory (also for a new
 * administrator connection that monitors nobody yet, as its hint promises), a user's devices, the queues set on the
 * connection, and says why when a list is short; typing does not log in once per key; no secret in any answer.
 */
import type { Simulator } from '../../simulator';
import { DEMO_USERS } from '../../simulator/pbx/cast';
import type { PickerAnswer } from '../../node-red/lib/picker';
import { connected, connectionNode, creds, helper, NODES, useRuntime } from './harness';

let sim: Simulator;
useRuntime({ users: DEMO_USERS, ringTimeoutMs: 60_000 }, (s) => (sim = s));

interface AdminRequest {
  get(path: string): { query(q: Record<string, string>): Promise<{ status: number; body: PickerAnswer }> } & Promise<{ status: number; body: PickerAnswer }>;
}
const admin = () => (helper as unknown as { request(): AdminRequest }).request();
const lookup = async (id: string, q: Record<string, string>): Promise<PickerAnswer> => {
  const res = await admin().get(`/pbxflow/lookup/${id}`).query(q);
  expect(res.status).toBe(200);
  return res.body;
};

describe('pbxflow pickers (admin route)', () => {
  it('a new administrator connection that monitors nobody yet lists the directory as one types (the Users hint)', async () => {
    const flow = [
      connectionNode(sim.url('opentouch'), { sessionKind: 'admin', monitoredUsers: '' }),
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.incoming'], wires: [[]] },
    ];
    await helper.load(NODES, flow, creds('admin', 'admin-pw'));
    const empty = await lookup('conn', { kind: 'users', q: '' });
    expect(empty).toMatchObject({ available: true, items: [], note: expect.stringMatching(/Type part of a name or a number/) });
    const found = await lookup('conn', { kind: 'users', q: 'car' });
    expect(found.items).toEqual([{ value: 'carol', label: 'Carol Petit' }]);
    expect(found.note).toBeUndefined();
    const byNumber = await lookup('conn', { kind: 'users', q: '204' });
    expect(byNumber.items).toEqual([{ value: 'dave', label: 'Dave Leroy' }]);
  });

  it('lists the monitored users first, then the directory; a user connection offers its own login', async () => {
    const flow = [
      connectionNode(sim.url('o2g'), { platform: 'o2g', sessionKind: 'admin', monitoredUsers: 'alice, bob, carol, dave' }),
      { id: 'conn2', type: 'pbxflow-connection', name: 'own', platform: 'opentouch', url: sim.url('opentouch'), sessionKind: 'user', requestTimeout: 5 },
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.incoming'], wires: [[]] },
    ];
    await helper.load(NODES, flow, { conn: { login: 'admin', password: 'admin-pw' }, conn2: { login: 'bob', password: 'bob-pw' } });
    await connected(helper.getNode('ev'));
    expect((await lookup('conn', { kind: 'users', q: '' })).items.map((i) => i.value)).toEqual(['alice', 'bob', 'carol', 'dave']);
    // "a" is in alice's and carol's logins (monitored), and starts Alice Martin's name (the directory: no duplicate).
    expect((await lookup('conn', { kind: 'users', q: 'a' })).items.map((i) => i.value)).toEqual(['alice', 'carol', 'dave']);
    expect((await lookup('conn2', { kind: 'users', q: '' })).items).toEqual([{ value: 'bob' }]);
  });

  it("lists a user's devices (the Device field), for the User picked or a user connection's own login", async () => {
    const flow = [
      connectionNode(sim.url('opentouch'), { sessionKind: 'admin', monitoredUsers: 'alice, bob' }),
      { id: 'conn2', type: 'pbxflow-connection', name: 'own', platform: 'opentouch', url: sim.url('opentouch'), sessionKind: 'user', requestTimeout: 5 },
      { id: 'call', type: 'pbxflow-call', connection: 'conn', operation: 'listCalls', user: 'bob', wires: [[]] },
    ];
    await helper.load(NODES, flow, { conn: { login: 'admin', password: 'admin-pw' }, conn2: { login: 'bob', password: 'bob-pw' } });
    expect(await lookup('conn', { kind: 'devices', q: '', user: 'bob' })).toEqual({ available: true, items: [{ value: '202', label: 'deskphone' }, { value: '2021', label: 'softphone' }] });
    expect(await lookup('conn', { kind: 'devices', q: '' })).toMatchObject({ items: [], note: expect.stringMatching(/Pick the User first/) });
    expect((await lookup('conn2', { kind: 'devices', q: '' })).items.map((i) => i.value)).toEqual(['202', '2021']);
  });

  it('queues: only the pilots set on the connection (no operation lists them), said in the note', async () => {
    const flow = [connectionNode(sim.url('o2g'), { platform: 'o2g', sessionKind: 'admin', monitoredUsers: 'alice', pilots: '5000=Support, 5001' })];
    await helper.load(NODES, flow, creds('admin', 'admin-pw'));
    expect(await lookup('conn', { kind: 'pilots', q: '' })).toMatchObject({ items: [{ value: '5000', label: 'Support' }, { value: '5001' }], note: expect.stringMatching(/no list of them/) });
  });

  it('typing a name logs in once, not once per key; a refused login is said without the password; unknown ids list nothing', async () => {
    const flow = [connectionNode(sim.url('opentouch'), { sessionKind: 'admin', monitoredUsers: '' }), { ...connectionNode(sim.url('opentouch')), id: 'bad', name: 'wrong password' }];
    await helper.load(NODES, flow, { conn: { login: 'admin', password: 'admin-pw' }, bad: { login: 'alice', password: 'Wrong-Secret-9' } });
    const before = sim.frontEnds.opentouch.stats.logins;
    for (const q of ['c', 'ca', 'car', 'caro', 'carol']) expect((await lookup('conn', { kind: 'users', q })).items.map((i) => i.value)).toContain('carol');
    expect(sim.frontEnds.opentouch.stats.logins - before).toBe(1);

    const refused = await lookup('bad', { kind: 'users', q: 'car' });
    expect(refused).toMatchObject({ available: true, items: [], note: expect.stringMatching(/^The PBX did not give the list \(.+\): type the value\.$/) });
    expect(JSON.stringify(refused)).not.toContain('Wrong-Secret-9');

    expect(await lookup('nope', { kind: 'users', q: 'car' })).toMatchObject({ available: false, items: [], note: expect.stringMatching(/^Deploy the connection first/) });
  });
});
