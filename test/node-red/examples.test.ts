/** The importable example flows: core nodes + ours only, a comment each, every node shown, and they run. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../../simulator';
import { creds, helper, NODES, useRuntime, waitFor } from './harness';

const dir = join(__dirname, '..', '..', 'examples');
type FlowNode = { id: string; type: string; [k: string]: unknown };
const examples = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({ file: f, flow: JSON.parse(readFileSync(join(dir, f), 'utf8')) as FlowNode[] }));
const CORE = new Set(['comment', 'inject', 'debug', 'change', 'http request', 'http in', 'http response', 'catch']);

describe('examples (Node-RED flows, Import > Examples)', () => {
  it('has the four requested flows, each with a comment and only core or pbxflow nodes, and covers every node', () => {
    expect(examples.map((e) => e.file)).toEqual(expect.arrayContaining([
      'Missed call to ticket.json', 'Calendar forward sync.json', 'Click to call from HTTP.json', 'Live call log.json',
    ]));
    const used = new Set<string>();
    for (const { flow } of examples) {
      expect(flow.some((n) => n.type === 'comment')).toBe(true);
      for (const n of flow) {
        expect([n.type, CORE.has(n.type) || n.type.startsWith('pbxflow-')]).toEqual([n.type, true]);
        used.add(n.type);
        expect(JSON.stringify(n)).not.toMatch(/"(password|credentials)"/i);
      }
    }
    for (const t of ['pbxflow-event', 'pbxflow-call', 'pbxflow-routing', 'pbxflow-messaging', 'pbxflow-directory', 'pbxflow-agent']) {
      expect([t, used.has(t)]).toEqual([t, true]);
    }
  });

  it('sit directly in examples/ (Import > Examples shows them under the package), with no empty folder beside them', () => {
    const entries = readdirSync(dir, { withFileTypes: true });
    // n8n workflows and the demo's code are not Node-RED flows: the package ships examples/*.json only.
    const pkg = JSON.parse(readFileSync(join(dir, '..', 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('examples/*.json');
    expect(pkg.files.filter((f) => f.startsWith('examples'))).toEqual(['examples/*.json']);
    expect(entries.filter((e) => e.isFile() && e.name.endsWith('.json')).length).toBe(examples.length);
  });

  it('can be imported side by side: each its own config node id, every node id unique across them', () => {
    const ids = examples.flatMap((e) => e.flow.map((n) => n.id));
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('use no property name the editor reserves (`users`)', () => {
    for (const { file, flow } of examples) {
      for (const n of flow.filter((x) => x.type.startsWith('pbxflow-'))) {
        expect([file, n.id, 'users' in n]).toEqual([file, n.id, false]);
      }
    }
  });

  describe('running against the simulator', () => {
    let sim: Simulator;
    const posted: Array<{ body: Record<string, unknown> }> = [];
    useRuntime({ ringTimeoutMs: 60_000 }, (s) => (sim = s));

    it('"Missed call to ticket" builds the ticket (caller, time) from a simulated missed call', async () => {
      const flow = examples.find((e) => e.file === 'Missed call to ticket.json')!.flow.map((n) => {
        if (n.type === 'pbxflow-connection') return { ...n, url: sim.url('opentouch') };
        n = { ...n, z: 'tab' }; // imported into a tab in the editor
        if (n.type === 'pbxflow-event') return { ...n, minRingSeconds: 0 };
        // The core http request node needs ES-module support jest lacks: a helper node stands in for it.
        if (n.type === 'http request' || n.type === 'debug') return { id: n.id, type: 'helper', wires: [] };
        return n;
      }).concat([{ id: 'tab', type: 'tab' }]);
      const conn = flow.find((n) => n.type === 'pbxflow-connection')!;
      const ev = flow.find((n) => n.type === 'pbxflow-event')!;
      const request = examples.find((e) => e.file === 'Missed call to ticket.json')!.flow.find((n) => n.type === 'http request')!;
      expect(request).toMatchObject({ method: 'POST', url: expect.stringMatching(/^https:\/\//) });
      await helper.load([...NODES, require('@node-red/nodes/core/function/15-change.js'), require('@node-red/nodes/core/common/90-comment.js')], flow, { [conn.id]: creds('alice', 'alice-pw').conn });
      helper.getNode(request.id).on('input', (msg) => posted.push({ body: msg.payload as Record<string, unknown> }));
      const evNode = helper.getNode(ev.id);
      await waitFor('connected', () => evNode.status.args.some((a) => a[0]?.text === 'status.connected'), 8000);
      const ref = sim.pbx.makeCall('bob', '201');
      await new Promise((r) => setTimeout(r, 200));
      sim.pbx.callerHangsUp(ref);
      await waitFor('the ticket', () => posted.length > 0, 8000);
      expect(posted[0].body).toMatchObject({ caller: '202', for: 'alice', title: expect.stringContaining('202') });
      expect(typeof posted[0].body.time).toBe('string');
    });

    it('serves the operation catalogue to the editor', async () => {
      await helper.load(NODES, []);
      const res = await (helper as unknown as { request(): { get(p: string): Promise<{ status: number; body: { operations: Array<{ name: string }> } }> } }).request().get('/pbxflow/operations');
      expect(res.status).toBe(200);
      expect(res.body.operations.map((o) => o.name)).toEqual(expect.arrayContaining(['makeCall', 'syncCalendar', 'getAgentState']));
    });
  });
});
