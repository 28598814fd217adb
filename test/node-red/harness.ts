/** Real Node-RED runtime (node-red-node-test-helper) + the PBX simulator: flow builders and waiting helpers. */
import type { NodeMessage, NodeStatus } from '../../node-red/lib/red';
import { openConnectionCount } from '../../shared/connection/registry';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator';

export interface TestNode {
  id: string;
  on(event: 'input', cb: (msg: NodeMessage) => void): void;
  receive(msg: NodeMessage): void;
  status: { args: Array<[NodeStatus]> };
  /** A spy on Node.prototype.warn: shared by every node (see `warningsOf`). */
  warn: { args: unknown[][]; thisValues: Array<{ id?: string }> };
  context(): { get(k: string): unknown };
}

export interface Helper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  load(nodes: unknown[], flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
  setFlows(flow: unknown[], type?: string, credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
}

export const helper: Helper = require('node-red-node-test-helper');
helper.init(require.resolve('node-red'));

export const NODES: unknown[] = [
  require('../../node-red/connection'),
  require('../../node-red/event'),
  require('../../node-red/call'),
  require('../../node-red/routing'),
  require('../../node-red/messaging'),
  require('../../node-red/directory'),
  require('../../node-red/agent'),
  require('@node-red/nodes/core/common/25-catch.js'),
];

export function connectionNode(url: string, extra: Record<string, unknown> = {}) {
  return { id: 'conn', type: 'pbxflow-connection', name: 'sim', platform: 'opentouch', url, sessionKind: 'user', verifyCertificate: true, requestTimeout: 5, ...extra };
}

export const creds = (login: string, password: string) => ({ conn: { login, password } });

export function nextMessage(node: TestNode, timeoutMs = 5000, accept: (m: NodeMessage) => boolean = () => true): Promise<NodeMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message on ${node.id} within ${timeoutMs} ms`)), timeoutMs);
    node.on('input', (msg) => {
      if (!accept(msg)) return;
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The warnings one node gave (the helper's warn spy records every node's calls). */
export const warningsOf = (node: TestNode): string[] =>
  node.warn.args.filter((_a, i) => node.warn.thisValues[i]?.id === node.id).map((a) => String(a[0]));

export const statusTexts = (node: TestNode): string[] => node.status.args.map((a) => String(a[0]?.text ?? ''));

/**
 * One simulator for the test file and a fresh Node-RED runtime for each test; after each test every PBX connection
 * must have closed. `use` gets the simulator once it is up.
 */
export function useRuntime(options: SimulatorOptions, use: (sim: Simulator) => void): void {
  let sim: Simulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator(options);
    use(sim);
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    sim!.pbx.reset();
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await waitFor('connections to close', () => openConnectionCount() === 0);
  });
}

/** Waits until the node's status has said "connected". */
export const connected = (n: TestNode): Promise<void> => waitFor(`${n.id} connected`, () => statusTexts(n).includes('status.connected'), 8000);
