/**
 * Pickers (issue 22, item 10): the users filter of the trigger, "Act for User" and the Device field list what the
 * PBX has (monitored users, then the directory; the user's devices), through n8n-core's LoadOptionsContext (what
 * the editor's list-search request runs) against the simulator; the picked value drives the node on the real
 * engine, and a typed value (or the plain text older workflows saved) still works.
 */
import './helpers/env';
import { LoadOptionsContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, INode, INodeListSearchResult, INodeProperties, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { Pbx } from '../../nodes/Pbx/Pbx.node';
import { PbxTrigger } from '../../nodes/PbxTrigger/PbxTrigger.node';
import type { Simulator } from '../../simulator';
import { activateTrigger, additionalData, chain, makeWorkflow, output, runManual } from './helpers/engine';
import { credentialsFor, manualTrigger, pbxNode, pbxTriggerNode, simulatorForFile, waitFor } from './helpers/sim';

let sim: Simulator;
simulatorForFile((s) => (sim = s), { reset: true, connectionsReturned: true });

const admin = (): Record<string, ICredentialDataDecryptedObject> => {
  const c = credentialsFor(sim, 'opentouch', 'admin');
  return { pbxOpenTouchApi: { ...c.pbxOpenTouchApi, users: 'alice, bob' } };
};

type Method = (this: LoadOptionsContext, filter?: string) => Promise<INodeListSearchResult>;

/** Runs a node's list-search method the way n8n's editor request does. */
async function listSearch(node: INode, method: Method, credentials: Record<string, ICredentialDataDecryptedObject>, filter?: string): Promise<Array<{ name: string; value: string }>> {
  const tw = makeWorkflow([node], {});
  const ad = additionalData(credentials, tw.data, 'internal') as IWorkflowExecuteAdditionalData & { currentNodeParameters?: unknown };
  ad.currentNodeParameters = node.parameters;
  const ctx = new LoadOptionsContext(tw.workflow, node, ad, 'parameters.options.user');
  const res = await method.call(ctx, filter);
  return res.results.map((r) => ({ name: r.name, value: String(r.value) }));
}

const pbxMethods = new Pbx().methods.listSearch;

describe('pickers: lists from the PBX', () => {
  it('Act for User lists the monitored users of an administrator credential, then directory matches', async () => {
    const node = pbxNode('PBX', 'opentouch', { resource: 'call', operation: 'makeCall' });
    expect((await listSearch(node, pbxMethods.searchUsers, admin())).map((r) => r.value)).toEqual(['alice', 'bob']);
    const found = await listSearch(node, pbxMethods.searchUsers, admin(), 'Carol');
    expect(found).toEqual([expect.objectContaining({ value: 'carol', name: expect.stringContaining('Carol Petit') })]);
  });

  it('a user credential offers its own login', async () => {
    const node = pbxNode('PBX', 'opentouch', { resource: 'call', operation: 'makeCall' });
    expect(await listSearch(node, pbxMethods.searchUsers, credentialsFor(sim, 'opentouch', 'alice'))).toEqual([{ name: 'alice (monitored)', value: 'alice' }]);
  });

  it("Device lists the devices of the user the node acts for", async () => {
    const node = pbxNode('PBX', 'opentouch', { resource: 'call', operation: 'makeCall', options: { user: { __rl: true, mode: 'list', value: 'bob' } } });
    expect((await listSearch(node, pbxMethods.searchDevices, admin())).map((r) => r.value)).toEqual(['202', '2021']);
  });

  it('the trigger offers the same user list', async () => {
    const node = pbxTriggerNode('Trigger', 'opentouch', { events: ['call.incoming'] });
    expect((await listSearch(node, new PbxTrigger().methods.listSearch.searchUsers, admin())).map((r) => r.value)).toEqual(['alice', 'bob']);
  });

  it('Act for User, Device and the users filter are pickers with a typed fallback; the help says an administrator credential needs a user', () => {
    const pbx = new Pbx().description;
    const actFor = (pbx.properties.find((p) => p.name === 'options')!.options as INodeProperties[]).find((p) => p.name === 'user')!;
    expect(actFor.type).toBe('resourceLocator');
    expect(actFor.modes?.map((m) => m.type)).toEqual(['list', 'string']);
    expect(actFor.description).toMatch(/^Required with an administrator credential/);
    expect(pbx.properties.filter((p) => p.name === 'deviceId').every((p) => p.type === 'resourceLocator')).toBe(true);
    const filters = new PbxTrigger().description.properties.find((p) => p.name === 'filters')!.options as INodeProperties[];
    expect(filters.find((p) => p.name === 'users')!.type).toBe('resourceLocator');
  });
});

describe('pickers: the picked values on the real engine', () => {
  it('Make Call acts for the picked user from the picked device', async () => {
    const node = pbxNode('PBX', 'opentouch', {
      resource: 'call', operation: 'makeCall', destination: '203',
      deviceId: { __rl: true, mode: 'list', value: '2021' },
      options: { user: { __rl: true, mode: 'list', value: 'bob' } },
    });
    const run = await runManual(makeWorkflow([manualTrigger(), node], chain('Manual', 'PBX')), 'Manual', admin());
    expect(run.data.resultData.error?.message).toBeUndefined();
    expect(output(run, 'PBX')).toHaveLength(1);
    const calls = sim.pbx.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.parties.map((p) => p.login)).toEqual(['bob', 'carol']);
    expect(sim.pbx.viewsOf('bob')[0]!.legs.map((l) => l.device)).toEqual(['2021']);
  });

  it('a typed user (older workflows saved plain text) still works', async () => {
    const node = pbxNode('PBX', 'opentouch', { resource: 'call', operation: 'makeCall', destination: '203', options: { user: 'alice' } });
    const run = await runManual(makeWorkflow([manualTrigger(), node], chain('Manual', 'PBX')), 'Manual', admin());
    expect(run.data.resultData.error?.message).toBeUndefined();
    expect(sim.pbx.calls()[0]!.parties.map((p) => p.login)).toEqual(['alice', 'carol']);
  });

  it("the trigger's picked user filters the events", async () => {
    const tw = makeWorkflow([pbxTriggerNode('Trigger', 'opentouch', { events: ['call.incoming'], filters: { users: { __rl: true, mode: 'list', value: 'bob' } } })], {});
    const t = await activateTrigger(tw, 'Trigger', admin());
    try {
      sim.pbx.makeCall('carol', '201');
      sim.pbx.makeCall('carol', '202');
      await waitFor('the incoming call', () => t.emitted.length > 0);
      await new Promise((r) => setTimeout(r, 200));
      expect(t.emitted.map((e) => (e[0]![0]!.json as { user?: string }).user)).toEqual(['bob']);
    } finally {
      await t.response?.closeFunction?.();
    }
  });
});
