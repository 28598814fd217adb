/**
 * One output shape (issues 20 and 22.6): n8n's PBX Trigger, Node-RED's event node and `pbxflow listen` emit
 * byte-identical JSON for the same simulator calls (a missed one and an answered one), in both directions.
 */
import '../n8n/helpers/env';
import type { INodeExecutionData } from 'n8n-workflow';
import { openConnectionCount } from '../../shared/connection/registry';
import type { NodeMessage } from '../../node-red/lib/red';
import { startSimulator, type Simulator } from '../../simulator';
import { activateTrigger, makeWorkflow } from '../n8n/helpers/engine';
import { credentialsFor, pbxTriggerNode } from '../n8n/helpers/sim';
import { connectionNode, creds, helper, NODES, waitFor } from '../node-red/harness';
import { captureIo } from '../helpers/cli';
import { main } from '../../cli/pbxflow';

const TYPES = ['call.incoming', 'call.outgoing', 'call.answered', 'call.ended', 'call.missed'];

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ ringTimeoutMs: 60_000 });
  await helper.startServer();
});
afterAll(async () => {
  await helper.unload();
  await helper.stopServer();
  await sim.close();
});

it('gives the same event JSON in n8n, Node-RED and the CLI (no capabilities once a call is over, no raw unasked)', async () => {
  // n8n
  const tw = makeWorkflow([pbxTriggerNode('PBX Trigger', 'opentouch', { events: TYPES })], {});
  const n8n = await activateTrigger(tw, 'PBX Trigger', credentialsFor(sim, 'opentouch', 'alice'));
  // Node-RED
  await helper.load(NODES, [
    connectionNode(sim.url('opentouch')),
    { id: 'ev', type: 'pbxflow-event', connection: 'conn', eventTypes: TYPES, direction: 'any', callers: 'any', numberPattern: '', minRingSeconds: 0, wires: [['out']] },
    { id: 'out', type: 'helper' },
  ], creds('alice', 'alice-pw'));
  const red: string[] = [];
  helper.getNode('out').on('input', (m: NodeMessage) => red.push(JSON.stringify(m.payload)));
  // CLI (in-process: its JSON lines as printed)
  const cli = captureIo();
  const listening = main(['listen', '--platform', 'opentouch', '--url', sim.url('opentouch'), '--login', 'alice', '--password', 'alice-pw', '--public', '--duration', '3000'], cli.io);
  const n8nJson = (): string[] => n8n.emitted.map((e: INodeExecutionData[][]) => JSON.stringify(e[0]![0]!.json));
  // `listen` prints every event (user states too): the call events are compared.
  const cliJson = (): string[] => cli.out().split('\n').filter((l) => TYPES.includes(String((JSON.parse(l || '{}') as { type?: string }).type)));
  try {
    // n8n's trigger is active (it waited for its connection); Node-RED says when its node is connected; `listen`
    // says so on stderr unless it joined a connection that was already up (hosts with equal settings share one).
    await waitFor('connected', () => helper.getNode('ev').status.args.some((a) => a[0]?.text === 'status.connected'), 8000);
    await new Promise((r) => setTimeout(r, 300));
    // Equal settings mean one connection, whichever host asked.
    expect(openConnectionCount()).toBe(1);
    const missed = sim.pbx.makeCall('bob', '201'); // incoming for alice, missed
    await new Promise((r) => setTimeout(r, 150));
    sim.pbx.callerHangsUp(missed);
    const answered = sim.pbx.makeCall('alice', '203'); // outgoing for alice, answered, ended
    await new Promise((r) => setTimeout(r, 100));
    sim.pbx.answer(answered, 'carol');
    await new Promise((r) => setTimeout(r, 100));
    sim.pbx.hangUp(answered, 'carol');
    const done = (xs: string[]) => xs.some((x) => x.includes('"call.missed"')) && xs.filter((x) => x.includes('"call.ended"')).length === 2;
    await waitFor('the calls in every host', () => done(n8nJson()) && done(red) && done(cliJson()), 8000)
      .catch((e) => { throw new Error(`${e.message}: n8n ${n8nJson().length}, Node-RED ${red.length}, CLI ${cliJson().length} ${cli.err()}`); });
    await new Promise((r) => setTimeout(r, 200)); // nothing else may follow

    const events = n8nJson().map((j) => JSON.parse(j) as { type: string; call: { capabilities?: string[] }; raw?: unknown });
    expect(events.map((e) => e.type)).toEqual(['call.incoming', 'call.ended', 'call.missed', 'call.outgoing', 'call.answered', 'call.ended']);
    for (const e of events) {
      expect([e.type, e.raw]).toEqual([e.type, undefined]);
      if (e.type === 'call.ended' || e.type === 'call.missed') expect([e.type, e.call.capabilities]).toEqual([e.type, undefined]);
    }
    // Live calls still say what can be done on them.
    expect(events.find((e) => e.type === 'call.incoming')!.call.capabilities).toEqual(expect.arrayContaining(['answer']));
    expect(red).toEqual(n8nJson());
    expect(cliJson()).toEqual(n8nJson());
  } finally {
    await n8n.response?.closeFunction?.();
    await helper.unload();
    await listening;
  }
  await waitFor('connections to close', () => openConnectionCount() === 0);
}, 30_000);
