/**
 * The Node-RED editor in a real browser (Debian's chromium, puppeteer-core), as a new user meets it (issue 12):
 * `editor-driver.mjs` runs the simulator, a real Node-RED with the built pack and the demo flows, and chromium, does
 * what a user does in the editor and reports what it saw; this test asserts:
 * 1. the demo flows are exactly what the editor saves (opening every pbxflow dialog and pressing Done changes
 *    nothing), and the dialogs have friendly titles;
 * 2. every field of every pbxflow node, set in its dialog, survives Done + Deploy (read back from the admin API);
 * 3. only the platforms the running build registered are offered;
 * 4. no console warning or error on the way (Node-RED warns there about reserved property names);
 * 5. the users fields offer a list from the PBX (the event node's Users, an action's User, the connection's Users):
 *    picked values are saved, and typed ones still are.
 * Skipped, saying so, only when chromium is not installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, root } from '../helpers/build';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/browser: ${CHROMIUM} not found: the Node-RED editor test is skipped (apt-get install chromium)`);
const maybe = haveChromium ? describe : describe.skip;

type FlowNode = Record<string, unknown> & { id: string; type: string };
interface DriverResult {
  error?: string;
  consoleProblems: string[];
  runtimeWarnings: string[];
  titles: Record<string, string>;
  dirtyAfterOpening: boolean;
  demo: Array<{ saved: FlowNode; editor: FlowNode }>;
  platformsOffered: string[];
  registered: string[];
  actions: Record<string, { operation: string; values: Record<string, [string, string]> }>;
  e2e: FlowNode[];
  tsHidden?: string[];
  examplesListing: Array<{ fn?: string; d?: string }>;
  pickerOffers: string[];
  dirtyAfterPicker: boolean;
  lists: Record<string, string[] | string>;
  layout: Array<{ id: string; type: string; name?: string; x: number; y: number; w: number; h: number; wires: string[][] }>;
  credentials: Record<string, unknown>;
  flowsText: string;
}

maybe('Node-RED editor in chromium', () => {
  let r: DriverResult;
  let userDir = '';

  beforeAll(async () => {
    ensureBuilt('browser test');
    userDir = mkdtempSync(join(tmpdir(), 'pbxflow-browser-'));
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [join(__dirname, 'editor-driver.mjs'), root, userDir, CHROMIUM], { timeout: 90_000, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
        if (err && !stdout.includes('RESULT ')) reject(new Error(`the editor driver failed: ${err.message}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      });
    });
    r = JSON.parse(out.slice(out.lastIndexOf('RESULT ') + 7)) as DriverResult;
  }, 120_000);

  afterAll(() => {
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  });

  it('drove the editor to the end', () => {
    expect(r.error).toBeUndefined();
  });

  it('has the demo flows exactly as the editor saves them: opening each pbxflow dialog and pressing Done changes nothing', () => {
    expect(r.demo.length).toBeGreaterThanOrEqual(6);
    for (const { saved, editor } of r.demo) expect([saved.id, editor]).toEqual([saved.id, saved]);
    expect(r.dirtyAfterOpening).toBe(false);
  });

  it('lists the example flows directly under the package in Import > Examples, nothing else', () => {
    expect(r.examplesListing.map((e) => e.fn ?? `${e.d}/`).sort()).toEqual([
      'Calendar forward sync', 'Click to call from HTTP', 'Live call log', 'Missed call to ticket', 'Voicemail, directory and agent',
    ]);
  });

  it('lays the demo out so nothing hides a status: no overlap, every wire runs left to right', () => {
    const nodes = r.layout.filter((n) => n.type !== 'comment');
    expect(nodes.length).toBeGreaterThan(10);
    // A node's box plus the status line Node-RED draws under it.
    const box = (n: (typeof nodes)[number]) => ({ l: n.x - n.w / 2, r: n.x + n.w / 2, t: n.y - n.h / 2, b: n.y + n.h / 2 + 22 });
    for (const a of nodes) {
      for (const b of nodes) {
        if (a.id >= b.id) continue;
        const p = box(a);
        const q = box(b);
        const overlap = p.l < q.r && q.l < p.r && p.t < q.b && q.t < p.b;
        expect([a.name ?? a.id, b.name ?? b.id, overlap]).toEqual([a.name ?? a.id, b.name ?? b.id, false]);
      }
    }
    const byId = Object.fromEntries(r.layout.map((n) => [n.id, n]));
    for (const n of nodes) {
      for (const to of n.wires.flat()) {
        const t = byId[to]!;
        expect([n.name, t.name, t.x - t.w / 2 > n.x + n.w / 2]).toEqual([n.name, t.name, true]);
      }
    }
  });

  it('completes a users field from the PBX of the deployed connection while the user types', () => {
    expect(r.pickerOffers.some((o) => /^bob\b/.test(o))).toBe(true);
    expect(r.pickerOffers.some((o) => /pw/.test(o))).toBe(false);
    expect(r.dirtyAfterPicker).toBe(false);
  });

  it('offers a list from the PBX beside the users fields: pick from it, add to it, or type anyway', () => {
    const l = r.lists;
    // The event node's Users, empty: the connection's monitored users (the simulator's ALE company), and a word
    // on searching the directory.
    expect(l.eventEmpty).toEqual(['alice', 'bob', 'carol', 'dave', expect.stringMatching(/Type part of a name or a number/)]);
    expect(l.eventFieldAfterPick).toBe('bob');
    expect(l.eventSavedAfterPick).toBe('bob');
    // "bob, ca": carol from the monitored users, and from the directory what starts with "ca"; picking adds her.
    expect(l.eventTyped).toContain('carol');
    expect(l.eventSavedAfterSecond).toBe('bob, carol');
    expect(l.eventSavedFree).toBe('zed, 3099');
    // Act for User on an action node, and the connection's Users: the directory even for a user not monitored.
    expect(l.actionUser).toEqual(expect.arrayContaining(['alice', 'dave']));
    expect(l.connectionUsers).toEqual(['erin \u2014 Erin Moreau']);
    expect(JSON.stringify(l)).not.toMatch(/-pw/);
  });

  it('titles every dialog with the friendly node name', () => {
    expect(r.titles['pbxflow-connection']).toMatch(/pbx connection/);
    for (const t of Object.values(r.titles)) expect(t).not.toMatch(/pbxflow-/);
  });

  it('offers only the platforms this build registered', () => {
    expect([...r.platformsOffered].sort()).toEqual([...r.registered].sort());
    expect(r.registered).toEqual(expect.arrayContaining(['opentouch', 'o2g']));
  });

  it('keeps every field set in every pbxflow dialog through Done and Deploy', () => {
    const flows = Object.fromEntries(r.e2e.map((n) => [n.id, n]));
    expect(flows['conn-e2e']).toMatchObject({
      name: 'E2E PBX', platform: 'o2g', url: 'https://pbx.example.test', secondaryUrl: 'https://standby.example.test', sessionKind: 'admin',
      monitoredUsers: 'alice, bob', urlKind: 'private', pilots: '5000=Support', verifyCertificate: false, ca: '-----BEGIN CERTIFICATE-----',
      requestTimeout: '7', extra: '{"x":1}',
    });
    expect(flows['ev-e2e']).toMatchObject({
      name: 'E2E events', connection: 'conn-e2e', eventTypes: ['call.ended', 'call.missed'], userFilter: 'alice', direction: 'incoming',
      callers: 'external', numberPattern: '+33*', minRingSeconds: '4', includeRaw: true,
    });
    for (const [id, a] of Object.entries(r.actions)) {
      const params = Object.fromEntries(Object.entries(a.values).map(([f, [t, v]]) => [f, { t, v }]));
      expect([id, flows[id]]).toMatchObject([id, { name: 'E2E action', operation: a.operation, user: 'bob', userType: 'str', params }]);
    }
    if (r.registered.includes('telservices')) {
      expect(flows['conn-ts-e2e']).toMatchObject({ name: 'E2E TS', platform: 'telservices', url: 'tcp://ts.example.test:7300', devices: '3102, 3103', eventSource: 'poll', udpPort: '40000', udpHost: '192.0.2.10' });
      expect(r.tsHidden).toEqual(['secondaryUrl', 'sessionKind', 'urlKind', 'pilots']); // ALE-only fields out of the way
    }
    if (r.registered.includes('voicenter')) {
      expect(flows['conn-vc-e2e']).toMatchObject({ name: 'E2E VC', platform: 'voicenter', loginType: 'account', serverUrl: 'https://rt.example.test', socketVersion: '4' });
    }
    // Credentials stay on the server: the login is kept, the password is never sent back.
    expect(r.credentials).toEqual({ login: 'admin', has_password: true });
    expect(r.flowsText).not.toContain('E2e-Secret-1');
  });

  it('showed no warning or error in the browser console, and the demo connections raised no warning', () => {
    expect(r.consoleProblems).toEqual([]);
    expect(r.runtimeWarnings).toEqual([]);
  });
});
