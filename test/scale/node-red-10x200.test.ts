/**
 * Node-RED at scale, in one real runtime (node-red-node-test-helper): ten flows, each with its own connection
 * node (an O2G administrator session monitoring 200 users) and an event node. Events flow on all ten; redeploying
 * one flow (deploy type "flows") replaces that flow's session only, the other nine stay as they are.
 */
import { configureRegistry, openConnectionCount, releaseAll } from '../../shared/connection/registry';
import { startSimulator, type Simulator } from '../../simulator';
import { scaleUsers } from '../../bench/scale-sim';
import { helper, NODES, waitFor, type TestNode } from '../node-red/harness';
import type { NodeMessage } from '../../node-red/lib/red';

const FLOWS = 10;
const PER_FLOW = 200;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ users: scaleUsers(FLOWS * PER_FLOW), ringTimeoutMs: 600_000 });
  await helper.startServer();
});
afterAll(async () => {
  configureRegistry({ lingerMs: undefined });
  await helper.unload();
  await releaseAll();
  await helper.stopServer();
  await waitFor('connections to close', () => openConnectionCount() === 0, 10_000);
  await sim.close();
});

function flows(eventTypesOf: (k: number) => string[]) {
  const nodes: unknown[] = [];
  const credentials: Record<string, unknown> = {};
  for (let k = 0; k < FLOWS; k++) {
    const users = Array.from({ length: PER_FLOW }, (_, i) => `u${k * PER_FLOW + i}`).join(', ');
    nodes.push(
      { id: `tab${k}`, type: 'tab', label: `Flow ${k}` },
      { id: `conn${k}`, type: 'pbxflow-connection', z: `tab${k}`, name: `pbx ${k}`, platform: 'o2g', url: sim.url('o2g'), sessionKind: 'admin', monitoredUsers: users, verifyCertificate: true, requestTimeout: 10 },
      { id: `ev${k}`, type: 'pbxflow-event', z: `tab${k}`, connection: `conn${k}`, eventTypes: eventTypesOf(k), wires: [[`out${k}`]] },
      { id: `out${k}`, type: 'helper', z: `tab${k}` },
    );
    credentials[`conn${k}`] = { login: 'admin', password: 'admin-pw' };
  }
  return { nodes, credentials };
}

/** The status texts one node showed (the helper's status spy is shared by every node, like its warn spy). */
const statusTexts = (node: TestNode): string[] => {
  const spy = node.status as unknown as { args: Array<[{ text?: string }]>; thisValues: Array<{ id?: string }> };
  return spy.args.filter((_a, i) => spy.thisValues[i]?.id === node.id).map((a) => String(a[0]?.text ?? ''));
};
const lastStatus = (node: TestNode): string => statusTexts(node).at(-1) ?? '';
const lastFill = (node: TestNode): string => {
  const spy = node.status as unknown as { args: Array<[{ fill?: string }]>; thisValues: Array<{ id?: string }> };
  return String(spy.args.filter((_a, i) => spy.thisValues[i]?.id === node.id).at(-1)?.[0]?.fill ?? '');
};

const collect = (node: TestNode, into: NodeMessage[]) => node.on('input', (m) => into.push(m));
const ringing = (msgs: NodeMessage[]) => msgs.filter((m) => m.topic === 'call.incoming').length;

it('10 connections x 200 users: all connected, events on all, a redeploy of one flow replaces only its session', async () => {
  const fe = sim.frontEnds.o2g;
  const t0 = Date.now();
  const initial = flows(() => ['call.incoming', 'call.outgoing']);
  await helper.load(NODES, initial.nodes, initial.credentials);
  const evs = Array.from({ length: FLOWS }, (_, k) => helper.getNode(`ev${k}`));
  await waitFor('all ten connected', () => evs.every((n) => lastStatus(n) === 'status.connected') && fe.openChannels === FLOWS, 20_000);
  const connectMs = Date.now() - t0;
  expect(openConnectionCount()).toBe(FLOWS);
  expect(fe.state.sessions.size).toBe(FLOWS);

  // One call inside each flow's slice: user k*200 calls user k*200+100.
  const got: NodeMessage[][] = Array.from({ length: FLOWS }, () => []);
  for (let k = 0; k < FLOWS; k++) collect(helper.getNode(`out${k}`), got[k]!);
  const t1 = Date.now();
  for (let k = 0; k < FLOWS; k++) sim.pbx.makeCall(`u${k * PER_FLOW}`, String(100000 + k * PER_FLOW + 100));
  await waitFor('an incoming call on every flow', () => got.every((m) => ringing(m) >= 1), 10_000);
  const eventMs = Date.now() - t1;
  // Each flow sees its own users' calls only.
  for (let k = 0; k < FLOWS; k++) {
    for (const m of got[k]!) expect(Number((m.payload as { user: string }).user.slice(1)) / PER_FLOW | 0).toBe(k);
  }

  // Redeploy flow 3 only (its event node now also wants answered calls).
  const before = new Set(fe.state.sessions.keys());
  const t2 = Date.now();
  const changed = flows((k) => (k === 3 ? ['call.incoming', 'call.outgoing', 'call.answered'] : ['call.incoming', 'call.outgoing']));
  await helper.setFlows(changed.nodes, 'flows', changed.credentials);
  // Connected means subscribed and resynced; the resync's events may come first, and an event node then shows its
  // last event (green) rather than "connected".
  const conn3 = () => (helper.getNode('conn3') as unknown as { uiState?: string }).uiState;
  await waitFor('flow 3 connected again', () => conn3() === 'connected' && lastFill(helper.getNode('ev3')) === 'green' && fe.openChannels === FLOWS, 20_000);
  const redeployMs = Date.now() - t2;
  const after = new Set(fe.state.sessions.keys());
  const gone = [...before].filter((s) => !after.has(s));
  const added = [...after].filter((s) => !before.has(s));
  expect(gone).toHaveLength(1);
  expect(added).toHaveLength(1);
  expect(openConnectionCount()).toBe(FLOWS);

  // Events still flow on all ten, the redeployed one included.
  const again: NodeMessage[][] = Array.from({ length: FLOWS }, () => []);
  for (let k = 0; k < FLOWS; k++) collect(helper.getNode(`out${k}`), again[k]!);
  for (let k = 0; k < FLOWS; k++) sim.pbx.makeCall(`u${k * PER_FLOW + 1}`, String(100000 + k * PER_FLOW + 101));
  await waitFor('an incoming call on every flow after the redeploy', () => again.every((m) => ringing(m) >= 1), 10_000);

  // With the product's linger (60 s; tests default to 0), a redeployed flow whose connection settings did not
  // change takes its warm connection back: no new login, no new session, events on.
  configureRegistry({ lingerMs: 60_000 });
  const kept = new Set(fe.state.sessions.keys());
  const logins = fe.stats.logins;
  const t3 = Date.now();
  const again5 = flows((k) => (k === 5 ? ['call.incoming', 'call.outgoing', 'call.ended'] : ['call.incoming', 'call.outgoing']));
  await helper.setFlows(again5.nodes, 'flows', again5.credentials);
  await waitFor('flow 5 connected again', () => lastStatus(helper.getNode('ev5')) === 'status.connected', 20_000);
  const warmRedeployMs = Date.now() - t3;
  expect(new Set(fe.state.sessions.keys())).toEqual(kept);
  expect(fe.stats.logins).toBe(logins);
  const five: NodeMessage[] = [];
  collect(helper.getNode('out5'), five);
  sim.pbx.makeCall(`u${5 * PER_FLOW + 2}`, String(100000 + 5 * PER_FLOW + 102));
  await waitFor('an incoming call on flow 5 after the warm redeploy', () => ringing(five) >= 1, 10_000);

  console.log(`Node-RED ${FLOWS} x ${PER_FLOW}: all connected in ${connectMs} ms, first event on all ten in ${eventMs} ms, redeploy of one flow ${redeployMs} ms with linger 0 (1 session replaced, ${FLOWS - 1} kept), ${warmRedeployMs} ms with the 60 s linger (0 sessions replaced, 0 logins)`);
}, 60_000);
