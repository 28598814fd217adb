/**
 * The connection node's settings as the editor now saves them (issue 12, Node-RED items 1, 2, 6), in a real Node-RED
 * runtime against the simulator: `monitoredUsers` / `userFilter` (not the reserved `users`), the old name still
 * read from earlier flows, an administrator session without users said in plain words, and the pickers' lookup.
 */
import { openConnectionCount } from '../../shared/connection/registry';
import type { Simulator } from '../../simulator';
import type { LookupItem } from '../../node-red/lib/config';
import { connected, connectionNode, creds, helper, NODES, nextMessage, statusTexts, useRuntime, waitFor, warningsOf } from './harness';

const connectionLocale = require('../../node-red/locales/en-US/connection.json') as { errors: Record<string, string>; status: Record<string, string> };

let sim: Simulator;
useRuntime({ ringTimeoutMs: 60_000, voicenter: { socketVersion: '2' } }, (s) => (sim = s));

describe('pbxflow-connection settings', () => {
  it('monitors the users in monitoredUsers and filters the event node by userFilter', async () => {
    const flow = [
      connectionNode(sim.url('opentouch'), { sessionKind: 'admin', monitoredUsers: 'alice, bob' }),
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.incoming'], userFilter: 'bob', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await helper.load(NODES, flow, creds('admin', 'admin-pw'));
    await connected(helper.getNode('ev'));
    const got = nextMessage(helper.getNode('out'), 8000);
    sim.pbx.makeCall('carol', '201'); // alice: filtered out
    sim.pbx.makeCall('carol', '202'); // bob
    const msg = await got;
    expect(msg.payload).toMatchObject({ type: 'call.incoming', user: 'bob' });
  });

  it('still reads `users` from flows saved by earlier versions', async () => {
    const flow = [
      connectionNode(sim.url('opentouch'), { sessionKind: 'admin', users: 'alice' }),
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.incoming'], users: 'alice', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await helper.load(NODES, flow, creds('admin', 'admin-pw'));
    await connected(helper.getNode('ev'));
    const got = nextMessage(helper.getNode('out'), 8000);
    sim.pbx.makeCall('carol', '201');
    expect((await got).payload).toMatchObject({ type: 'call.incoming', user: 'alice' });
  });

  it('an administrator session with no users says so once, in plain words, and sends nothing to the PBX', async () => {
    const before = { ...sim.frontEnds.opentouch.stats };
    const flow = [
      connectionNode(sim.url('opentouch'), { sessionKind: 'admin', monitoredUsers: '' }),
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.incoming'], wires: [[]] },
      { id: 'call', type: 'pbxflow-call', connection: 'conn', operation: 'listCalls', wires: [[]] },
    ];
    await helper.load(NODES, flow, creds('admin', 'admin-pw'));
    const ev = helper.getNode('ev');
    await waitFor('the no-users status', () => statusTexts(ev).includes('status.noUsers'));
    expect(statusTexts(helper.getNode('call'))).toContain('status.noUsers');
    const warnings = warningsOf(helper.getNode('conn'));
    expect(warnings).toHaveLength(1);
    // The test runtime does not translate: the key, and its English text in the catalogue.
    expect(warnings[0]).toBe('errors.noUsers');
    expect(connectionLocale.errors.noUsers).toMatch(/^Administrator session without users to monitor: list the logins or extensions/);
    expect(connectionLocale.status.noUsers).toBe('no users to monitor');
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.frontEnds.opentouch.stats.requests - before.requests).toBe(0);
    expect(openConnectionCount()).toBe(0);
  });

  it('pickers: the connection lists its users, pilots and what the PBX directory finds, never a secret', async () => {
    const flow = [
      connectionNode(sim.url('o2g'), { platform: 'o2g', sessionKind: 'admin', monitoredUsers: 'alice, bob', pilots: '5000=Support' }),
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.incoming'], wires: [[]] },
    ];
    await helper.load(NODES, flow, creds('admin', 'admin-pw'));
    await connected(helper.getNode('ev'));
    const conn = helper.getNode('conn') as unknown as { lookup(kind: string, q: string): Promise<LookupItem[]> };
    expect(await conn.lookup('users', '')).toEqual([{ value: 'alice' }, { value: 'bob' }]);
    expect(await conn.lookup('pilots', '')).toEqual([{ value: '5000', label: 'Support' }]);
    const found = await conn.lookup('users', 'carol');
    expect(found.map((i) => i.value)).toContain('carol');
    expect(JSON.stringify(found)).not.toContain('pw');
  });

  it('pickers search the PBX directory on a connection with action nodes only (a session, no event channel)', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'call', type: 'pbxflow-call', connection: 'conn', operation: 'makeCall', params: { destination: { v: '203', t: 'str' } }, wires: [[]] },
    ];
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    await connected(helper.getNode('call'));
    const conn = helper.getNode('conn') as unknown as { lookup(kind: string, q: string): Promise<LookupItem[]> };
    expect((await conn.lookup('users', 'carol')).map((i) => i.value)).toContain('carol');
  });

  it('TelServices: devices and UDP settings from their own fields; a missed call arrives', async () => {
    const flow = [
      { id: 'conn', type: 'pbxflow-connection', name: 'ts', platform: 'telservices', url: sim.telservices.url, devices: '201, 202', eventSource: 'udp', udpPort: '', udpHost: '127.0.0.1', requestTimeout: 5 },
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.missed'], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await helper.load(NODES, flow, { conn: { login: '', password: '' } });
    await connected(helper.getNode('ev'));
    const got = nextMessage(helper.getNode('out'), 8000);
    const ref = sim.pbx.makeCall('carol', '202');
    await new Promise((r) => setTimeout(r, 200));
    sim.pbx.callerHangsUp(ref);
    expect((await got).payload).toMatchObject({ type: 'call.missed', platform: 'telservices', call: { from: { number: '203' } } });
  });

  it('Voicenter: login type and login API URL from their own fields; a missed call arrives', async () => {
    const u = sim.voicenter!.credentials.user[0]!;
    const flow = [
      { id: 'conn', type: 'pbxflow-connection', name: 'vc', platform: 'voicenter', url: sim.voicenter!.loginUrl, loginType: 'user', socketVersion: 'auto', serverUrl: '', requestTimeout: 5 },
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.missed'], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await helper.load(NODES, flow, { conn: { login: u.email, password: u.password } });
    await connected(helper.getNode('ev'));
    const got = nextMessage(helper.getNode('out'), 8000);
    const caller = sim.users.find((x) => !x.admin && x.number !== u.extension)!;
    const ref = sim.pbx.makeCall(caller.login, u.extension);
    await new Promise((r) => setTimeout(r, 200));
    sim.pbx.callerHangsUp(ref);
    expect((await got).payload).toMatchObject({ type: 'call.missed', platform: 'voicenter' });
  });
});
