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

describe('saved-flow migrations (node-red/lib/migrations.ts)', () => {
  // Required here so the runtime suite above stays as it was.
  const { CONNECTION_MIGRATIONS, migrateConnection } = require('../../node-red/lib/migrations') as typeof import('../../node-red/lib/migrations');

  it('0.2: `users` becomes `monitoredUsers`; a current value wins; the saved node is not modified', () => {
    const saved = { id: 'c', platform: 'opentouch', sessionKind: 'admin', users: 'alice, bob' };
    expect(migrateConnection(saved)).toMatchObject({ monitoredUsers: 'alice, bob' });
    expect(saved).not.toHaveProperty('monitoredUsers');
    expect(migrateConnection({ monitoredUsers: 'carol', users: 'alice' })).toMatchObject({ monitoredUsers: 'carol' });
    expect(migrateConnection({ users: ['not', 'text'] })).not.toHaveProperty('monitoredUsers');
    expect(CONNECTION_MIGRATIONS.map((m) => m.since)).toEqual(['0.2']);
  });
});

describe('the connection form comes from the settings schemas (node-red/tools/gen-connection.ts)', () => {
  // Required here so the runtime suite above stays as it was.
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const gen = require('../../node-red/tools/gen-connection') as typeof import('../../node-red/tools/gen-connection');
  const { PLATFORM_SETTINGS } = require('../../shared/platforms/settings') as typeof import('../../shared/platforms/settings');
  const root = join(__dirname, '../..');
  const html = readFileSync(join(root, 'node-red/connection.html'), 'utf8');
  const localeText = readFileSync(join(root, 'node-red/locales/en-US/connection.json'), 'utf8');
  const locale = JSON.parse(localeText) as { settings: Record<string, Record<string, string>> };

  it('connection.html and its locale are what the generator writes', () => {
    const stale = 'is stale: run npx tsc -p tsconfig.json --outDir .tmp/gen-help && node .tmp/gen-help/node-red/tools/gen-connection.js';
    if (html !== gen.connectionHtml()) throw new Error(`node-red/connection.html ${stale}`);
    if (localeText !== gen.connectionLocale(localeText)) throw new Error(`node-red/locales/en-US/connection.json ${stale}`);
  });

  it('every field shows, on each platform, the schema\'s Node-RED label (the one its errors use) and the schema default', () => {
    for (const f of gen.FORM) {
      for (const p of gen.platformsOf(f)) {
        const spec = PLATFORM_SETTINGS[p]!.specs.find((s) => s.key === f.key)!;
        expect([p, f.id, locale.settings[p][f.id]]).toEqual([p, f.id, spec.label.nodeRed]);
        expect(html).toContain(`<span class="pbxflow-only" data-platforms="${p}" data-i18n="settings.${p}.${f.id}"></span>`);
      }
      const d = gen.defaultOf(f);
      if (f.credential) continue;
      expect(html).toContain(`      ${f.id}: { value: ${typeof d === 'boolean' ? d : `'${d}'`}`);
      if (f.input === 'select') for (const p of gen.platformsOf(f)) expect([p, f.id, d]).toEqual([p, f.id, PLATFORM_SETTINGS[p]!.specs.find((s) => s.key === f.key)!.default]);
    }
    // Every setting of every platform is in the help: by its label when it has a field, else by its key (JSON).
    for (const p of gen.PLATFORMS) {
      for (const s of PLATFORM_SETTINGS[p]!.specs) expect(html).toContain(s.description.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;'));
    }
  });

  it('every Node-RED node property the form saves is one the config reads (a setting, or a field of this form only)', () => {
    const saved = [...html.matchAll(/^ {6}(\w+): \{ value:/gm)].map((m) => m[1]).filter((k) => k !== 'name' && k !== 'platform');
    const fieldNames = new Set(gen.PLATFORMS.flatMap((p) => PLATFORM_SETTINGS[p]!.specs.map((s) => s.name?.nodeRed ?? s.key)));
    for (const k of saved) expect([k, fieldNames.has(k) || k in gen.FORM_ONLY || k === 'devices']).toEqual([k, true]);
  });
});
