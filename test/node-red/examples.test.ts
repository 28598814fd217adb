/** The importable example flows: core nodes + ours only, a comment each, every node shown, and they run. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../../simulator';
import type { NodeMessage } from '../../node-red/lib/red';
import { configureFollowUp } from '../../shared/followup/hub';
import { connected, creds, helper, NODES, useRuntime, waitFor } from './harness';

const dir = join(__dirname, '..', '..', 'examples');
type FlowNode = { id: string; type: string; [k: string]: unknown };
const examples = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({ file: f, flow: JSON.parse(readFileSync(join(dir, f), 'utf8')) as FlowNode[] }));
const CORE = new Set(['comment', 'inject', 'debug', 'change', 'split', 'http request', 'http in', 'http response', 'catch']);

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
    // A call is unanswered once all its views have ended and stayed so this long (3 s in the product).
    beforeAll(() => configureFollowUp({ settleMs: 200 }));
    afterAll(() => configureFollowUp());

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
      await helper.load([...NODES, require('@node-red/nodes/core/function/15-change.js'), require('@node-red/nodes/core/common/90-comment.js'), require('@node-red/nodes/core/sequence/17-split.js')], flow, { [conn.id]: creds('alice', 'alice-pw').conn });
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

    /**
     * An example as imported into a tab, pointed at the simulator. Nodes jest cannot run stand in as helpers: the
     * core `http request` node (ES modules) by a helper that records what it was sent; a debug node by a change
     * node that computes what the debug pane would show (its own expression) and hands it to `<debug id>-out`.
     */
    function runnable(file: string, platform: 'opentouch' | 'o2g' = 'opentouch'): FlowNode[] {
      const flow = examples.find((e) => e.file === file)!.flow;
      const out: FlowNode[] = [{ id: 'tab', type: 'tab' }];
      for (const n of flow) {
        if (n.type === 'pbxflow-connection') out.push({ ...n, url: sim.url(platform) });
        else if (n.type === 'http request') out.push({ id: n.id, type: 'helper', z: 'tab', wires: [] });
        else if (n.type === 'debug') {
          const rule = n.targetType === 'jsonata' ? { t: 'set', p: 'payload', pt: 'msg', to: n.complete, tot: 'jsonata' }
            : n.targetType === 'full' ? { t: 'set', p: 'payload', pt: 'msg', to: '$$', tot: 'jsonata' }
              : { t: 'set', p: 'payload', pt: 'msg', to: String(n.complete), tot: 'msg' };
          out.push({ id: n.id, type: 'change', z: 'tab', rules: [rule], wires: [[`${n.id}-out`]] }, { id: `${n.id}-out`, type: 'helper', z: 'tab', wires: [] });
        } else out.push({ ...n, z: 'tab' });
      }
      return out;
    }
    const CORE_NODES = [
      require('@node-red/nodes/core/function/15-change.js'),
      require('@node-red/nodes/core/common/90-comment.js'),
      require('@node-red/nodes/core/common/20-inject.js'),
      require('@node-red/nodes/core/network/21-httpin.js'),
      require('@node-red/nodes/core/sequence/17-split.js'),
    ];
    const conn = (flow: FlowNode[]) => flow.find((n) => n.type === 'pbxflow-connection')!;
    /** A node's id in the example as shipped (before `runnable` stood helpers in). */
    const idOf = (file: string, type: string, name?: string) => examples.find((e) => e.file === file)!.flow.find((n) => n.type === type && (name === undefined || n.name === name))!.id;
    const collect = (id: string): NodeMessage[] => {
      const got: NodeMessage[] = [];
      helper.getNode(id).on('input', (m) => got.push(m));
      return got;
    };
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it('"Missed call to ticket": an incoming unanswered call opens one ticket; an outgoing unanswered one opens none', async () => {
      const FILE = 'Missed call to ticket.json';
      const flow = runnable('Missed call to ticket.json').map((n) => (n.type === 'pbxflow-event' ? { ...n, minRingSeconds: 0 } : n));
      await helper.load([...NODES, ...CORE_NODES], flow, { [conn(flow).id]: creds('alice', 'alice-pw').conn });
      const tickets = collect(idOf(FILE, 'http request'));
      await waitFor('connected', () => helper.getNode(idOf(FILE, 'pbxflow-event')).status.args.some((a) => a[0]?.text === 'status.connected'), 8000);
      // Alice calls Carol, who does not answer; Alice gives up: her own outgoing call is not a missed call.
      const out = sim.pbx.makeCall('alice', '203');
      await pause(150);
      sim.pbx.callerHangsUp(out);
      // Bob calls Alice, who does not answer; Bob gives up: Alice missed it.
      const inc = sim.pbx.makeCall('bob', '201');
      await pause(150);
      sim.pbx.callerHangsUp(inc);
      await waitFor('the ticket', () => tickets.length > 0, 8000);
      await pause(300);
      expect(tickets.map((t) => t.payload)).toEqual([expect.objectContaining({ caller: '202', for: 'alice', reason: 'abandoned', title: 'Missed call from Bob Durand 202' })]);
    });

    /** The example's follow-up time (30 min) shortened for the tests: 0.02 min = 1.2 s. */
    const FOLLOW_UP_MINUTES = 0.02;

    it('"Missed call to ticket": one ticket per call nobody answered (a group, a forward), closed by the call back, escalated when nobody calls back; none for an outgoing or an answered call', async () => {
      const FILE = 'Missed call to ticket.json';
      const flow = runnable(FILE).map((n) => {
        if (n.type === 'pbxflow-connection') return { ...n, sessionKind: 'admin', monitoredUsers: 'alice, bob, carol' };
        if (n.type === 'pbxflow-event' && (n.eventTypes as string[]).includes('call.unreturned')) {
          expect(n.followUpMinutes).toBe(30);
          return { ...n, followUpMinutes: FOLLOW_UP_MINUTES };
        }
        return n;
      });
      await helper.load([...NODES, ...CORE_NODES], flow, { [conn(flow).id]: creds('admin', 'admin-pw').conn });
      const [opened, closed, escalated] = ['open ticket', 'close ticket', 'escalate ticket'].map((name) => collect(idOf(FILE, 'http request', name)));
      for (const name of ['unanswered calls', 'called back', 'not called back']) await connected(helper.getNode(idOf(FILE, 'pbxflow-event', name)));
      /** The URL the http request node would call: its own, with `{{{ticket}}}` filled from the message. */
      const urlOf = (name: string, m: NodeMessage): string => {
        const url = String(examples.find((e) => e.file === FILE)!.flow.find((n) => n.type === 'http request' && n.name === name)!.url);
        expect(url).toMatch(/^https:\/\/.*\{\{\{ticket\}\}\}$/);
        return url.replace('{{{ticket}}}', String((m as { ticket?: unknown }).ticket));
      };
      const ringTimeoutMs = sim.pbx.ringTimeoutMs;
      try {
        sim.pbx.addGroup({ number: '600', name: 'Sales', members: ['alice', 'bob', 'carol'], strategy: 'ringall', ringMs: 300 });
        sim.pbx.ringTimeoutMs = 300;
        // No ticket: Alice calls a customer who does not answer; a customer calls Sales and Bob answers.
        const out = sim.pbx.makeCall('alice', '0622222222');
        await pause(50);
        sim.pbx.callerHangsUp(out);
        const answered = sim.pbx.callFromOutside('0611111111', '600');
        await pause(50);
        sim.pbx.answer(answered, 'bob');
        sim.pbx.hangUp(answered, 'bob');
        // One ticket: a customer calls Sales (Alice, Bob and Carol ring) and nobody answers.
        sim.pbx.callFromOutside('0612345678', '600', { name: 'ACME Support' });
        await waitFor('the ticket', () => opened.length > 0, 5000);
        const ticket = opened[0]!.payload as Record<string, unknown>;
        expect(ticket).toEqual({
          id: expect.stringMatching(/^[0-9a-f]+$/), title: 'Missed call from ACME Support 0612345678', caller: '0612345678', callerName: 'ACME Support',
          for: 'alice, bob, carol', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), rang: expect.any(Number), reason: 'no_answer',
        });
        expect(opened[0]!.headers).toEqual({ 'content-type': 'application/json' });

        // Bob calls the customer back (international form): that ticket is closed.
        const back = sim.pbx.makeCall('bob', '+33612345678');
        await pause(50);
        sim.pbx.answer(back);
        await waitFor('the close', () => closed.length > 0, 5000);
        sim.pbx.hangUp(back, 'bob');
        expect(closed.map((m) => ({ url: urlOf('close ticket', m), payload: m.payload }))).toEqual([
          { url: `https://tickets.example.com/api/tickets/${String(ticket.id)}`, payload: { status: 'closed', note: 'bob called back after 0 min' } },
        ]);

        // A second customer calls Alice, forwarded to Bob when she does not answer; nobody answers, nobody calls back.
        sim.pbx.setForward('alice', { destination: '202', condition: 'no_answer' });
        sim.pbx.callFromOutside('0698765432', '201');
        await waitFor('the second ticket', () => opened.length > 1, 5000);
        const second = opened[1]!.payload as Record<string, unknown>;
        expect(second).toMatchObject({ caller: '0698765432', for: 'alice, bob', reason: 'no_answer' });
        await waitFor('the escalation', () => escalated.length > 0, 5000);
        // The closed ticket's follow-up time was up before this one's: had it been escalated, it would be here by now.
        await pause(200);
        expect(escalated.map((m) => ({ url: urlOf('escalate ticket', m), payload: m.payload }))).toEqual([
          { url: `https://tickets.example.com/api/tickets/${String(second.id)}`, payload: { priority: 'high', note: 'Not called back within 0 min' } },
        ]);
        expect([opened.length, closed.length]).toEqual([2, 1]);
      } finally {
        sim.pbx.ringTimeoutMs = ringTimeoutMs;
        sim.pbx.setForward('alice', null);
      }
    });

    it('"Live call log": one line per call event, both directions, the outgoing call never called missed', async () => {
      const FILE = 'Live call log.json';
      const flow = runnable('Live call log.json');
      await helper.load([...NODES, ...CORE_NODES], flow, { [conn(flow).id]: creds('alice', 'alice-pw').conn });
      const lines = collect(`${idOf(FILE, 'debug', 'call log')}-out`);
      const full = collect(`${idOf(FILE, 'debug', 'full event')}-out`);
      await waitFor('connected', () => helper.getNode(idOf(FILE, 'pbxflow-event')).status.args.some((a) => a[0]?.text === 'status.connected'), 8000);
      const inc = sim.pbx.makeCall('bob', '201');
      await pause(100);
      sim.pbx.answer(inc, 'alice');
      await pause(100);
      sim.pbx.hangUp(inc, 'bob');
      const out = sim.pbx.makeCall('alice', '203');
      await pause(100);
      sim.pbx.callerHangsUp(out);
      await waitFor('both calls', () => lines.filter((l) => String(l.payload).includes('call.ended')).length === 2, 8000);
      await pause(300);
      const text = lines.map((l) => String(l.payload).replace(/^\d\d:\d\d:\d\d {2}/, ''));
      expect(text).toEqual([
        'alice  call.incoming  202 -> 201',
        'alice  call.answered  202 -> 201',
        'alice  call.ended  202 -> 201 (completed)',
        'alice  call.outgoing  201 -> 203',
        'alice  call.ended  201 -> 203 (abandoned)',
      ]);
      expect(full.map((m) => (m.payload as { topic: string }).topic)).toEqual(['call.incoming', 'call.answered', 'call.ended', 'call.outgoing', 'call.ended']);
    });

    /**
     * "Click to call from HTTP" with its `http in` / `http response` nodes as helpers (the test runtime serves no
     * node routes): a request's message goes in as `http in` would send it, the answers are what reached each
     * `http response` node (the call, or the catch's 502).
     */
    async function clickToCall(connectionOverride: Record<string, unknown>, login: string) {
      const FILE = 'Click to call from HTTP.json';
      const flow = runnable(FILE).map((n) => {
        if (n.type === 'pbxflow-connection') return { ...n, ...connectionOverride };
        if (n.type === 'http in' || n.type === 'http response') return { id: n.id, type: 'helper', z: 'tab', wires: n.wires ?? [] };
        return n;
      });
      await helper.load([...NODES, ...CORE_NODES], flow, { [conn(flow).id]: creds(login, `${login}-pw`).conn });
      const ok = collect(idOf(FILE, 'http response', '200'));
      const failed = collect(idOf(FILE, 'http response', 'error'));
      const request = async (query: Record<string, string>) => {
        const [a, b] = [ok.length, failed.length];
        helper.getNode(idOf(FILE, 'pbxflow-call')).receive({ payload: {}, req: { query } } as unknown as NodeMessage);
        await waitFor('an answer', () => ok.length > a || failed.length > b, 8000);
        return ok.length > a ? { status: 200, body: ok[a]!.payload as Record<string, unknown> } : { status: Number(failed[b]!.statusCode), body: failed[b]!.payload as Record<string, unknown> };
      };
      return request;
    }

    it('"Click to call from HTTP": ?to= rings the user\'s phone and answers the outgoing call; a bad request answers 502', async () => {
      const request = await clickToCall({}, 'alice');
      const ok = await request({ to: '203' });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ ok: true, operation: 'makeCall', call: { direction: 'outgoing', from: { number: '201' }, to: { number: '203' } } });
      expect(sim.pbx.viewsOf('alice').map((v) => v.direction)).toEqual(['outgoing']);
      const bad = await request({ to: '' });
      expect(bad.status).toBe(502);
      expect(String(bad.body.error)).not.toBe('');
    });

    it('"Click to call from HTTP" with an administrator connection: &user= picks the phone; without it, the error lists the users', async () => {
      const request = await clickToCall({ sessionKind: 'admin', monitoredUsers: 'alice, bob' }, 'admin');
      const forBob = await request({ to: '203', user: 'bob' });
      expect(forBob.status).toBe(200);
      expect(sim.pbx.viewsOf('bob').map((v) => v.direction)).toEqual(['outgoing']);
      expect(sim.pbx.viewsOf('alice')).toEqual([]);
      const nobody = await request({ to: '203' });
      expect(nobody.status).toBe(502);
      expect(String(nobody.body.error)).toMatch(/alice[\s\S]*bob/);
      expect(sim.pbx.viewsOf('alice')).toEqual([]);
    });

    it('"Calendar forward sync": a meeting on now forwards the user\'s calls; an incoming call then goes to the number', async () => {
      const FILE = 'Calendar forward sync.json';
      const flow = runnable('Calendar forward sync.json');
      await helper.load([...NODES, ...CORE_NODES], flow, { [conn(flow).id]: creds('alice', 'alice-pw').conn });
      const plans = collect(`${idOf(FILE, 'debug')}-out`);
      const now = Date.now();
      const ics = (t: number) => new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      const calendar = ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'SUMMARY:Team meeting', `DTSTART:${ics(now - 60_000)}`, `DTEND:${ics(now + 3_600_000)}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
      // What the example's `get calendar` (http request) node would hand on.
      helper.getNode(idOf(FILE, 'pbxflow-routing')).receive({ payload: calendar });
      await waitFor('the plan', () => plans.length > 0, 8000);
      expect(sim.pbx.routing('alice').forward).toEqual({ destination: '+33612345678', condition: 'immediate' });
      const inc = sim.pbx.makeCall('bob', '201');
      expect(sim.pbx.viewsOf('alice')).toEqual([]);
      sim.pbx.hangUp(inc, 'bob');
      sim.pbx.setForward('alice', null);
    });

    it('"Voicemail, directory and agent": each button answers (on O2G, where the agent state exists)', async () => {
      const FILE = 'Voicemail, directory and agent.json';
      const flow = runnable('Voicemail, directory and agent.json', 'o2g');
      expect(conn(flow).platform).toBe('o2g');
      await helper.load([...NODES, ...CORE_NODES], flow, { [conn(flow).id]: creds('bob', 'bob-pw').conn });
      const results = collect(`${idOf(FILE, 'debug')}-out`);
      // Alice calls Bob, who sends her to his voicemail: one unread message for the first button.
      const call = sim.pbx.makeCall('alice', '202');
      sim.pbx.redirect(call, 'bob', 'voicemail');
      sim.pbx.hangUp(call, 'alice');
      for (const name of ['unread voicemails', 'who is 201?', 'agent state']) {
        const before = results.length;
        helper.getNode(idOf(FILE, 'inject', name)).receive({});
        await waitFor(name, () => results.length > before, 8000);
      }
      const [voicemails, directory, agent] = results.map((r) => r.payload as Record<string, unknown>);
      expect(voicemails).toMatchObject({ voicemails: [expect.objectContaining({ unread: true, from: expect.objectContaining({ displayName: 'Alice Martin' }) })] });
      expect(directory).toMatchObject({ contacts: [expect.objectContaining({ number: '201', name: 'Alice Martin' })] });
      expect(agent).toMatchObject({ state: expect.any(String) });
    });

    it('serves the operation catalogue to the editor', async () => {
      await helper.load(NODES, []);
      const res = await (helper as unknown as { request(): { get(p: string): Promise<{ status: number; body: { operations: Array<{ name: string }> } }> } }).request().get('/pbxflow/operations');
      expect(res.status).toBe(200);
      expect(res.body.operations.map((o) => o.name)).toEqual(expect.arrayContaining(['makeCall', 'syncCalendar', 'getAgentState']));
    });
  });
});
