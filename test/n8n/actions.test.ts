/** PBX action node on the real n8n engine (n8n-core WorkflowExecute) against the simulator on loopback. */
import './helpers/env';
import type { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Simulator } from '../../simulator';
import { chain, makeWorkflow, output, runManual } from './helpers/engine';
import { credentialsFor, manualTrigger, pbxNode, simulatorForFile } from './helpers/sim';

let sim: Simulator;
// After each test: the PBX reset, and every execution gave its connection back.
simulatorForFile((s) => (sim = s), { reset: true, connectionsReturned: true });

describe('PBX node (n8n-core WorkflowExecute, simulator)', () => {
  it('Manual Trigger -> PBX Make Call: the simulator sees the call', async () => {
    const tw = makeWorkflow(
      [manualTrigger(), pbxNode('Call Bob', 'opentouch', { resource: 'call', operation: 'makeCall', destination: '202' })],
      chain('Manual', 'Call Bob'),
    );
    const channelsBefore = sim.frontEnds.opentouch.stats.channelsOpened;
    const run = await runManual(tw, 'Manual', credentialsFor(sim, 'opentouch', 'alice'));
    expect(run.data.resultData.error).toBeUndefined();
    // An action needs a session only: building the answer opened no event channel.
    expect(sim.frontEnds.opentouch.stats.channelsOpened).toBe(channelsBefore);
    const items = output(run, 'Call Bob');
    expect(items).toHaveLength(1);
    expect(items[0]!.pairedItem).toEqual({ item: 0 });
    // The call in the normalized model, as events carry it (not only the PBX's ids).
    expect(items[0]!.json).toMatchObject({ ok: true, callId: expect.any(String), call: { direction: 'outgoing', from: { login: 'alice' }, to: { number: '202', login: 'bob' }, startedAt: expect.any(String) } });
    expect((items[0]!.json.call as { id: string }).id).toBe(items[0]!.json.callId);
    const calls = sim.pbx.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.parties.map((p) => p.login)).toEqual(expect.arrayContaining(['alice']));
    expect(JSON.stringify(calls[0]!.parties)).toContain('202');
  });

  it('works on O2G with the O2G credential too', async () => {
    const tw = makeWorkflow(
      [manualTrigger(), pbxNode('Call Carol', 'o2g', { resource: 'call', operation: 'makeCall', destination: '203' })],
      chain('Manual', 'Call Carol'),
    );
    const run = await runManual(tw, 'Manual', credentialsFor(sim, 'o2g', 'bob'));
    expect(run.data.resultData.error).toBeUndefined();
    expect(sim.pbx.calls().some((c) => c.parties.some((p) => p.login === 'bob') && c.parties.some((p) => p.login === 'carol'))).toBe(true);
  });

  it('refuses an operation the platform lacks, before logging in', async () => {
    // Instant messages exist on OpenTouch only; the UI hides them for O2G, but a copied workflow can still ask.
    const tw = makeWorkflow(
      [manualTrigger(), pbxNode('IM', 'o2g', { resource: 'messaging', operation: 'sendInstantMessage', to: 'bob', message: 'hi' })],
      chain('Manual', 'IM'),
    );
    const creds = credentialsFor(sim, 'o2g', 'alice', 'wrong-password');
    const run = await runManual(tw, 'Manual', creds);
    const error = run.data.resultData.error;
    // WorkflowExecute keeps a plain copy of the error (own properties, including `name`).
    expect(error?.name).toBe('NodeOperationError');
    expect(error!.message).toBe('Alcatel-Lucent OXE via O2G does not support "Send Instant Message"');
    expect(output(run, 'IM')).toEqual([]);
  });

  it('"continue (using error output)" routes a PBX refusal to the error output', async () => {
    const node = pbxNode('Hang Up', 'opentouch', { resource: 'call', operation: 'hangUp', callId: 'no-such-call' }, { onError: 'continueErrorOutput' });
    const run = await runManual(makeWorkflow([manualTrigger(), node], chain('Manual', 'Hang Up')), 'Manual', credentialsFor(sim, 'opentouch', 'alice'));
    expect(run.data.resultData.error).toBeUndefined();
    const main = run.data.resultData.runData['Hang Up']![0]!.data!.main;
    expect(main[0] ?? []).toEqual([]);
    expect(main[1]).toHaveLength(1);
    expect(main[1]![0]!.json.error).toMatch(/404|not found|no-such-call/i);
  });

  it('continueOnFail turns a PBX refusal into an error item paired with its input', async () => {
    const node = pbxNode('Hang Up', 'opentouch', { resource: 'call', operation: 'hangUp', callId: 'no-such-call' }, { onError: 'continueRegularOutput' });
    const run = await runManual(makeWorkflow([manualTrigger(), node], chain('Manual', 'Hang Up')), 'Manual', credentialsFor(sim, 'opentouch', 'alice'));
    expect(run.data.resultData.error).toBeUndefined();
    const items = output(run, 'Hang Up');
    expect(items).toHaveLength(1);
    expect(items[0]!.json.error).toEqual(expect.any(String));
    expect((items[0]!.json.details as { code?: unknown }).code).toEqual(expect.any(String));
    expect(Object.keys(items[0]!.json).every((k) => ['error', 'message', 'details'].includes(k))).toBe(true);
    expect(items[0]!.pairedItem).toEqual({ item: 0 });
  });

  it('without continueOnFail the same failure stops the workflow with an n8n error carrying the item index', async () => {
    const node = pbxNode('Hang Up', 'opentouch', { resource: 'call', operation: 'hangUp', callId: 'no-such-call' });
    const run = await runManual(makeWorkflow([manualTrigger(), node], chain('Manual', 'Hang Up')), 'Manual', credentialsFor(sim, 'opentouch', 'alice'));
    const error = run.data.resultData.error as NodeApiError | NodeOperationError | undefined;
    expect(error).toBeDefined();
    expect(['NodeApiError', 'NodeOperationError']).toContain(error!.name);
    expect(error!.context.itemIndex).toBe(0);
  });

  it('a wrong password is a clear login error that does not leak the password', async () => {
    const tw = makeWorkflow(
      [manualTrigger(), pbxNode('Get Routing', 'opentouch', { resource: 'routing', operation: 'getRouting' })],
      chain('Manual', 'Get Routing'),
    );
    const run = await runManual(tw, 'Manual', credentialsFor(sim, 'opentouch', 'alice', 'Secret-Hunter2'));
    const error = run.data.resultData.error as NodeApiError;
    expect(error.name).toBe('NodeApiError');
    expect(error.description).toMatch(/login, password/);
    expect(JSON.stringify({ m: error.message, d: error.description, c: error.context })).not.toContain('Secret-Hunter2');
  });

  it('returns routing state as an item', async () => {
    sim.pbx.setForward('alice', { destination: '203', condition: 'busy' });
    const tw = makeWorkflow(
      [manualTrigger(), pbxNode('Get Routing', 'opentouch', { resource: 'routing', operation: 'getRouting' })],
      chain('Manual', 'Get Routing'),
    );
    const run = await runManual(tw, 'Manual', credentialsFor(sim, 'opentouch', 'alice'));
    expect(run.data.resultData.error).toBeUndefined();
    expect(output(run, 'Get Routing')[0]!.json.forward).toMatchObject({ destination: '203', condition: 'busy' });
    sim.pbx.setForward('alice', null);
  });
});
