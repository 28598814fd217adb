/**
 * 100 executions of a workflow with the PBX action node on the real n8n engine (n8n-core WorkflowExecute), with
 * no trigger on the credential (as on an n8n queue-mode worker): one login and one PBX session for all of them,
 * no subscription and no event channel, thanks to the warm linger of the released connection.
 */
import '../n8n/helpers/env';
import { configureRegistry, openConnectionCount, releaseAll } from '../../shared/connection/registry';
import { startSimulator, type Simulator } from '../../simulator';
import { chain, makeWorkflow, output, runManual } from '../n8n/helpers/engine';
import { credentialsFor, manualTrigger, pbxNode } from '../n8n/helpers/sim';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
  configureRegistry({ lingerMs: 60_000 }); // the product's default (tests otherwise run with 0, see jest.config.js)
});
afterAll(async () => {
  configureRegistry({ lingerMs: undefined });
  await releaseAll();
  await sim.close();
});

it('100 PBX action executions in a row: 1 login, 1 session, 0 subscriptions, 0 event channels', async () => {
  const fe = sim.frontEnds.opentouch;
  const tw = makeWorkflow([manualTrigger(), pbxNode('List', 'opentouch', { resource: 'call', operation: 'listCalls' })], chain('Manual', 'List'));
  const creds = credentialsFor(sim, 'opentouch', 'alice');
  const requests0 = fe.stats.requests;
  const t0 = Date.now();
  for (let i = 0; i < 100; i++) {
    const run = await runManual(tw, 'Manual', creds);
    expect(run.data.resultData.error).toBeUndefined();
    expect(output(run, 'List')).toHaveLength(1);
  }
  const ms = Date.now() - t0;
  const posts = (suffix: string) => fe.requests.filter((r) => r.method === 'POST' && r.path.endsWith(suffix)).length;
  const requests = fe.stats.requests - requests0;
  console.log(`100 n8n executions: ${fe.stats.logins} login(s), ${posts('/sessions')} session(s), ${posts('/subscriptions')} subscription(s), ${fe.stats.channelsOpened} channel(s), ${requests} requests, ${ms} ms`);
  expect(fe.stats.logins).toBe(1);
  expect(posts('/sessions')).toBe(1);
  expect(posts('/subscriptions')).toBe(0);
  expect(fe.stats.channelsOpened).toBe(0);
  // The action itself per execution, plus the login once (discovery, two authentication steps, session).
  expect(requests).toBeLessThanOrEqual(100 + 5);
  expect(openConnectionCount()).toBe(1); // lingering warm, nobody holds it
  expect(fe.state.sessions.size).toBe(1);
  await releaseAll();
  expect(fe.state.sessions.size).toBe(0);
});
