/**
 * The Node-RED nodes in a real Node-RED runtime (node-red-node-test-helper) against the PBX simulator. No mocks.
 */
import { openConnectionCount } from '../../shared/connection/registry';
import type { Simulator } from '../../simulator';
import { simFeatures } from '../../simulator/frontends/ale/operation-routes';
import { connected, connectionNode, creds, helper, NODES, nextMessage, statusTexts, useRuntime, waitFor, warningsOf } from './harness';

let sim: Simulator;
useRuntime({ ringTimeoutMs: 60_000 }, (s) => (sim = s));

describe('pbxflow-event', () => {
  it('sends a missed call when the caller hangs up before anyone answers, and shows it in its status', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.missed'], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    const ev = helper.getNode('ev');
    await connected(ev);
    const got = nextMessage(helper.getNode('out'), 8000);
    const ref = sim.pbx.makeCall('bob', '201');
    await new Promise((r) => setTimeout(r, 200));
    sim.pbx.callerHangsUp(ref);
    const msg = await got;
    expect(msg.topic).toBe('call.missed');
    const payload = msg.payload as { type: string; user: string; call: { direction: string; from: { number: string }; answered: boolean } };
    expect(payload.type).toBe('call.missed');
    expect(payload.user).toBe('alice');
    expect(payload.call.direction).toBe('incoming');
    expect(payload.call.from.number).toBe('202');
    expect(payload.call.answered).toBe(false);
    await waitFor('last event in status', () => statusTexts(ev).some((t) => t.startsWith('missed alice')));
  });

  it('sends queue events for the O2G pilots named in the connection', async () => {
    const flow = [
      connectionNode(sim.url('o2g'), { platform: 'o2g', sessionKind: 'admin', users: 'alice, carol', pilots: '5000=Support' }),
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['queue.joined', 'queue.abandoned'], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await helper.load(NODES, flow, creds('admin', 'admin-pw'));
    await connected(helper.getNode('ev'));
    const agents = simFeatures(sim.pbx).agents;
    agents.logon('alice', '201', '5000');
    agents.setActivity('alice', 'paused'); // no ready agent: the call waits in the queue
    try {
      const joined = nextMessage(helper.getNode('out'), 8000);
      const ref = sim.pbx.makeCall('carol', '5000');
      expect(await joined).toMatchObject({ topic: 'queue.joined', payload: { queue: { id: '5000', name: 'Support', callId: ref } } });
      const abandoned = nextMessage(helper.getNode('out'), 8000);
      sim.pbx.callerHangsUp(ref);
      expect(await abandoned).toMatchObject({ topic: 'queue.abandoned', payload: { queue: { id: '5000', callId: ref } } });
    } finally {
      agents.logoff('alice');
    }
  });

  it('filters: an incoming-only, external-callers node ignores an internal missed call', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.missed'], callers: 'external', wires: [['out']] },
      { id: 'all', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.missed'], wires: [['out2']] },
      { id: 'out', type: 'helper' },
      { id: 'out2', type: 'helper' },
    ];
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    await connected(helper.getNode('ev'));
    let filtered = 0;
    helper.getNode('out').on('input', () => filtered++);
    const unfiltered = nextMessage(helper.getNode('out2'), 8000);
    const ref = sim.pbx.makeCall('bob', '201');
    await new Promise((r) => setTimeout(r, 200));
    sim.pbx.callerHangsUp(ref);
    await unfiltered;
    await new Promise((r) => setTimeout(r, 200));
    expect(filtered).toBe(0);
    expect(openConnectionCount()).toBe(1); // two event nodes, one shared connection
  });
});

describe('warnings', () => {
  it('a malformed line from the PBX reaches the event node as a warning, and no event is lost', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.incoming', 'call.missed'], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    const ev = helper.getNode('ev');
    await connected(ev);
    const types: string[] = [];
    helper.getNode('out').on('input', (m) => types.push(String(m.topic)));
    const ref = sim.pbx.makeCall('bob', '201');
    await waitFor('the incoming call', () => types.length === 1);
    sim.faults.sendMalformedLine('opentouch');
    await waitFor('a warning on the event node', () => warningsOf(ev).length > 0);
    // The catalogue key (the test runtime loads no message catalogue) or its text.
    expect(warningsOf(ev)[0]).toMatch(/errors\.skippedLine|PBX event stream/);
    sim.pbx.callerHangsUp(ref);
    await waitFor('the missed call after the bad line', () => types.includes('call.missed'));
    expect(types).toEqual(['call.incoming', 'call.missed']);
    expect(warningsOf(ev)).toHaveLength(1);
    // The config node leaves skipped lines to the event nodes: one warning, not two.
    expect(warningsOf(helper.getNode('conn'))).toEqual([]);
  });

  it('connection-level warnings (a dropped channel) go to the config node', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: ['call.incoming'], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    const ev = helper.getNode('ev');
    await connected(ev);
    sim.faults.dropChannel('opentouch');
    const conn = helper.getNode('conn');
    await waitFor('a warning on the config node', () => warningsOf(conn).length > 0, 8000);
    expect(warningsOf(conn)[0]).toMatch(/errors\.warning|PBX connection/);
    expect(warningsOf(ev)).toEqual([]);
    const got = nextMessage(helper.getNode('out'), 8000);
    sim.pbx.makeCall('bob', '201');
    expect((await got).topic).toBe('call.incoming');
  });
});

describe('pbxflow-call', () => {
  it('makes a call that the simulator sees, with the destination from the node and the result in msg.payload', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'call', type: 'pbxflow-call', connection: 'conn', operation: 'makeCall', params: { destination: { v: '203', t: 'str' } }, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    const call = helper.getNode('call');
    await connected(call);
    const got = nextMessage(helper.getNode('out'));
    call.receive({ payload: 'go', topic: 'keep-me' });
    const msg = await got;
    expect(msg.topic).toBe('keep-me');
    expect(msg.payload).toBeTruthy();
    await waitFor('the simulator to see the call', () => sim.pbx.viewsOf('alice').length > 0 && sim.pbx.viewsOf('carol').length > 0);
    expect(sim.pbx.viewsOf('carol')[0].direction).toBe('incoming');
  });

  it('takes the destination from msg when the node leaves it empty', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'call', type: 'pbxflow-call', connection: 'conn', operation: 'makeCall', params: { destination: { v: '', t: 'str' } }, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    const call = helper.getNode('call');
    await connected(call);
    const got = nextMessage(helper.getNode('out'));
    call.receive({ destination: '202' });
    await got;
    await waitFor('bob to ring', () => sim.pbx.viewsOf('bob').length > 0);
  });

  it('a PBX error reaches a Catch node (done(err)) and turns the status red', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'call', type: 'pbxflow-call', z: 'tab', connection: 'conn', operation: 'hangUp', params: { callId: { v: 'no-such-call', t: 'str' } }, wires: [['out']] },
      { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper', z: 'tab' },
      { id: 'caught', type: 'helper', z: 'tab' },
      { id: 'tab', type: 'tab' },
    ];
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    const call = helper.getNode('call');
    await connected(call);
    let passed = 0;
    helper.getNode('out').on('input', () => passed++);
    const caught = nextMessage(helper.getNode('caught'));
    call.receive({ payload: 'x' });
    const msg = await caught;
    const error = msg.error as { message: string; source: { id: string } };
    expect(error.source.id).toBe('call');
    expect(error.message).toBeTruthy();
    expect(JSON.stringify(msg)).not.toContain('alice-pw');
    expect(passed).toBe(0);
    expect(statusTexts(call).some((t) => t.startsWith('error'))).toBe(true);
  });

  it('refuses an operation of another node (msg.operation) through done(err)', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'call', type: 'pbxflow-call', z: 'tab', connection: 'conn', operation: 'listCalls', wires: [[]] },
      { id: 'catcher', type: 'catch', z: 'tab', scope: null, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'tab' },
      { id: 'tab', type: 'tab' },
    ];
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('call').receive({ operation: 'setDnd' });
    expect((await caught).error).toMatchObject({ message: expect.stringContaining('"setDnd" is not one of this node') });
  });
});

describe('pbxflow-routing', () => {
  it('sets a forward from msg.payload, then cancels it with msg.operation; the simulator shows both', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'r', type: 'pbxflow-routing', z: 'tab', connection: 'conn', operation: 'setForward', params: { target: { v: '', t: 'auto' }, number: { v: '', t: 'str' }, condition: { v: '', t: 'auto' } }, wires: [['out']] },
      { id: 'out', type: 'helper', z: 'tab' },
      { id: 'catcher', type: 'catch', z: 'tab', scope: null, wires: [['out']] },
      { id: 'tab', type: 'tab' },
    ];
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    const r = helper.getNode('r');
    await connected(r);
    let got = nextMessage(helper.getNode('out'));
    r.receive({ payload: { target: 'number', number: '203' } });
    expect((await got).error).toBeUndefined();
    expect(sim.pbx.routing('alice').forward).toEqual({ destination: '203', condition: 'immediate' });
    got = nextMessage(helper.getNode('out'));
    r.receive({ operation: 'cancelForward' });
    expect((await got).error).toBeUndefined();
    expect(sim.pbx.routing('alice').forward).toBeNull();
  });

  it('calendar sync forwards while a matching event is on and restores afterwards', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'r', type: 'pbxflow-routing', connection: 'conn', operation: 'syncCalendar', params: {
        titlePattern: { v: 'meeting', t: 'str' }, action: { v: 'forward', t: 'option' }, number: { v: '203', t: 'str' }, condition: { v: 'immediate', t: 'option' },
      }, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    const r = helper.getNode('r');
    await connected(r);
    const ics = ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'SUMMARY:Team meeting', 'DTSTART:20260301T090000Z', 'DTEND:20260301T100000Z', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
    let got = nextMessage(helper.getNode('out'));
    r.receive({ payload: ics, now: '2026-03-01T09:30:00Z' });
    expect(((await got).payload as { changes: unknown[] }).changes).toHaveLength(1);
    expect(sim.pbx.routing('alice').forward).toEqual({ destination: '203', condition: 'immediate' });
    got = nextMessage(helper.getNode('out'));
    r.receive({ payload: ics, now: '2026-03-01T10:05:00Z' });
    await got;
    expect(sim.pbx.routing('alice').forward).toBeNull();
  });
});

describe('pbxflow-connection', () => {
  it('redeploy closes the shared connection and its PBX session (no open handles)', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: [], wires: [[]] },
      { id: 'call', type: 'pbxflow-call', connection: 'conn', operation: 'listCalls', wires: [[]] },
    ];
    const sessionsBefore = sim.frontEnds.opentouch.state.sessions.size;
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    await connected(helper.getNode('ev'));
    expect(openConnectionCount()).toBe(1);
    expect(sim.frontEnds.opentouch.state.sessions.size).toBe(sessionsBefore + 1);
    const started = Date.now();
    await helper.setFlows([{ id: 'x', type: 'helper' }], 'full');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(openConnectionCount()).toBe(0);
    await waitFor('the PBX session to end', () => sim.frontEnds.opentouch.state.sessions.size === sessionsBefore);
  });

  it('a PBX that cannot be reached never crashes the runtime: the nodes show it and close cleanly', async () => {
    const flow = [
      connectionNode('http://127.0.0.1:1'),
      { id: 'call', type: 'pbxflow-call', z: 'tab', connection: 'conn', operation: 'listCalls', wires: [[]] },
      { id: 'catcher', type: 'catch', z: 'tab', scope: null, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'tab' },
      { id: 'tab', type: 'tab' },
    ];
    await helper.load(NODES, flow, creds('alice', 'alice-pw'));
    const call = helper.getNode('call');
    await waitFor('a not-connected status', () => statusTexts(call).some((t) => /reconnecting|error|connecting/.test(t)));
    const caught = nextMessage(helper.getNode('caught'), 15_000);
    call.receive({});
    expect((await caught).error).toBeTruthy();
    expect(statusTexts(call)).not.toContain('status.connected');
  });

  it('a wrong password shows an error status and keeps the password out of the logs', async () => {
    const flow = [
      connectionNode(sim.url('opentouch')),
      { id: 'ev', type: 'pbxflow-event', connection: 'conn', wires: [[]] },
    ];
    await helper.load(NODES, flow, creds('alice', 'secret-wrong-pw'));
    const ev = helper.getNode('ev');
    await waitFor('error status', () => statusTexts(ev).some((t) => t === 'status.error' || t === 'status.failed'), 8000);
    const conn = helper.getNode('conn');
    expect(JSON.stringify(conn.warn.args)).not.toContain('secret-wrong-pw');
  });
});
