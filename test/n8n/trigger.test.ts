/** PBX Trigger activated through n8n-core's TriggersAndPollers + TriggerContext, against the simulator. */
import './helpers/env';
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { INodeExecutionData } from 'n8n-workflow';
import { openConnectionCount } from '../../shared/connection/registry';
import type { PbxEvent } from '../../shared/model/events';
import type { Simulator } from '../../simulator';
import { simFeatures } from '../../simulator/frontends/ale/operation-routes';
import { Pbx } from '../../nodes/Pbx/Pbx.node';
import { activateTrigger, makeWorkflow } from './helpers/engine';
import { credentialsFor, pbxTriggerNode, simulatorForFile, waitFor } from './helpers/sim';

let sim: Simulator;
simulatorForFile((s) => (sim = s), { reset: true });

const events = (emitted: INodeExecutionData[][][]): PbxEvent[] => emitted.map((e) => e[0]![0]!.json as unknown as PbxEvent);

describe('PBX Trigger (n8n-core TriggersAndPollers, simulator)', () => {
  it('emits one Missed call item when the caller hangs up, and closes cleanly', async () => {
    const tw = makeWorkflow([pbxTriggerNode('PBX Trigger', 'opentouch', { events: ['call.missed'] })], {});
    const t = await activateTrigger(tw, 'PBX Trigger', credentialsFor(sim, 'opentouch', 'alice'));
    expect(t.response?.closeFunction).toEqual(expect.any(Function));
    expect(openConnectionCount()).toBe(1);

    const ref = sim.pbx.makeCall('bob', '201');
    await new Promise((r) => setTimeout(r, 150)); // let it ring
    sim.pbx.callerHangsUp(ref);
    await waitFor('a missed call item', () => t.emitted.length > 0);
    await new Promise((r) => setTimeout(r, 200)); // nothing else may follow

    const [missed, ...rest] = events(t.emitted);
    expect(rest).toEqual([]);
    expect(missed).toMatchObject({
      type: 'call.missed',
      platform: 'opentouch',
      user: 'alice',
      call: { direction: 'incoming', answered: false, from: { number: '202' } },
    });
    expect(missed!.raw).toBeUndefined();
    expect(t.errors).toEqual([]);
    expect(t.failures).toEqual([]);

    await t.response!.closeFunction!();
    expect(openConnectionCount()).toBe(0);
    // Closed means deaf: a second missed call produces nothing.
    const again = sim.pbx.makeCall('bob', '201');
    sim.pbx.callerHangsUp(again);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.emitted).toHaveLength(1);
  });

  it('rides out a dropped event channel: no error to n8n, no event twice', async () => {
    const tw = makeWorkflow([pbxTriggerNode('PBX Trigger', 'opentouch', { events: ['call.incoming', 'call.missed'] })], {});
    const t = await activateTrigger(tw, 'PBX Trigger', credentialsFor(sim, 'opentouch', 'alice'));
    try {
      const ref = sim.pbx.makeCall('bob', '201');
      await waitFor('the incoming call', () => t.emitted.length === 1);
      sim.faults.dropChannel('opentouch');
      await new Promise((r) => setTimeout(r, 300));
      sim.pbx.callerHangsUp(ref);
      await waitFor('the missed call', () => events(t.emitted).some((e) => e.type === 'call.missed'), 8000);
      await new Promise((r) => setTimeout(r, 300));
      expect(events(t.emitted).map((e) => e.type)).toEqual(['call.incoming', 'call.missed']);
      expect(t.errors).toEqual([]);
    } finally {
      await t.response?.closeFunction?.();
    }
  });

  it('logs a malformed line from the PBX as a warning through the n8n logger, and loses no event', async () => {
    // The trigger's `this.logger` is n8n's Logger from the container: record what reaches it, and pass it on.
    const logger = Container.get(Logger);
    const warn = logger.warn.bind(logger);
    const warnings: Array<{ message: string; meta?: unknown }> = [];
    logger.warn = (message: string, meta?: Parameters<Logger['warn']>[1]) => {
      warnings.push({ message, meta });
      warn(message, meta);
    };
    const tw = makeWorkflow([pbxTriggerNode('PBX Trigger', 'opentouch', { events: ['call.incoming', 'call.missed'] })], {});
    const t = await activateTrigger(tw, 'PBX Trigger', credentialsFor(sim, 'opentouch', 'alice'));
    try {
      const ref = sim.pbx.makeCall('bob', '201');
      await waitFor('the incoming call', () => t.emitted.length === 1);
      sim.faults.sendMalformedLine('opentouch');
      await waitFor('a warning', () => warnings.some((w) => w.message.includes('not an ALE event')));
      const w = warnings.find((x) => x.message.includes('not an ALE event'))!;
      expect(w.message).toMatch(/^PBX Trigger "PBX Trigger": skipped a line/);
      expect(w.meta).toEqual({ kind: 'decode', platform: 'opentouch' });
      sim.pbx.callerHangsUp(ref);
      await waitFor('the missed call', () => events(t.emitted).some((e) => e.type === 'call.missed'));
      expect(events(t.emitted).map((e) => e.type)).toEqual(['call.incoming', 'call.missed']);
      expect(t.errors).toEqual([]);
      expect(JSON.stringify(warnings)).not.toContain('alice-pw');
    } finally {
      logger.warn = warn;
      await t.response?.closeFunction?.();
    }
  });

  it('applies the filters (direction, number pattern) and includes raw events on request', async () => {
    const tw = makeWorkflow(
      [pbxTriggerNode('PBX Trigger', 'opentouch', {
        events: ['call.incoming', 'call.outgoing'],
        filters: { direction: 'incoming', numberPattern: '203' },
        options: { includeRaw: true },
      })],
      {},
    );
    const t = await activateTrigger(tw, 'PBX Trigger', credentialsFor(sim, 'opentouch', 'alice'));
    try {
      sim.pbx.makeCall('bob', '201'); // incoming, but from 202: filtered out
      sim.pbx.makeCall('alice', '203'); // outgoing: filtered out
      sim.pbx.makeCall('carol', '201'); // passes
      await waitFor('the incoming call from 203', () => t.emitted.length > 0);
      await new Promise((r) => setTimeout(r, 200));
      const got = events(t.emitted);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ type: 'call.incoming', call: { from: { number: '203' } } });
      expect(Array.isArray(got[0]!.raw) && got[0]!.raw.length > 0).toBe(true);
    } finally {
      await t.response?.closeFunction?.();
    }
  });

  it('triggers on the same credential share one connection', async () => {
    const creds = credentialsFor(sim, 'opentouch', 'alice');
    const a = await activateTrigger(makeWorkflow([pbxTriggerNode('A', 'opentouch', { events: ['call.incoming'] })], {}), 'A', creds);
    const b = await activateTrigger(makeWorkflow([pbxTriggerNode('B', 'opentouch', { events: ['call.incoming'] })], {}), 'B', creds);
    try {
      expect(openConnectionCount()).toBe(1);
      sim.pbx.makeCall('bob', '201');
      await waitFor('both triggers', () => a.emitted.length > 0 && b.emitted.length > 0);
    } finally {
      await a.response?.closeFunction?.();
      expect(openConnectionCount()).toBe(1);
      await b.response?.closeFunction?.();
    }
    expect(openConnectionCount()).toBe(0);
  });

  it('manual mode ("listen for test event") resolves on the first matching event', async () => {
    const tw = makeWorkflow([pbxTriggerNode('PBX Trigger', 'opentouch', { events: ['call.incoming'] })], {});
    const t = await activateTrigger(tw, 'PBX Trigger', credentialsFor(sim, 'opentouch', 'alice'), 'manual');
    try {
      sim.pbx.makeCall('bob', '201');
      const data = await t.response!.manualTriggerResponse!;
      expect((data[0]![0]!.json as unknown as PbxEvent).type).toBe('call.incoming');
    } finally {
      await t.response?.closeFunction?.();
    }
    expect(openConnectionCount()).toBe(0);
  });

  it('bad credentials fail the activation with a clear error and leave nothing open', async () => {
    const tw = makeWorkflow([pbxTriggerNode('PBX Trigger', 'opentouch', { events: ['call.missed'] })], {});
    const activation = activateTrigger(tw, 'PBX Trigger', credentialsFor(sim, 'opentouch', 'alice', 'Not-The-Password'));
    await expect(activation).rejects.toThrow(/wrong login or password/);
    await activation.catch((e: Error & { description?: string }) => {
      expect(e.name).toBe('NodeApiError');
      expect(`${e.message} ${e.description}`).not.toContain('Not-The-Password');
    });
    expect(openConnectionCount()).toBe(0);
  });
});

describe('credential test (methods.credentialTest)', () => {
  const test = new Pbx().methods.credentialTest.pbxConnectionTest;

  it('logs in with a good credential', async () => {
    const data = credentialsFor(sim, 'o2g', 'alice').pbxO2gApi!;
    await expect(test.call({} as never, { id: '1', name: 'sim', type: 'pbxO2gApi', data })).resolves.toEqual({
      status: 'OK',
      message: 'Logged in to Alcatel-Lucent OXE via O2G',
    });
    expect(openConnectionCount()).toBe(0);
  });

  it('reports a wrong password without echoing it', async () => {
    const data = credentialsFor(sim, 'opentouch', 'alice', 'Wrong-Pw-123').pbxOpenTouchApi!;
    const res = await test.call({} as never, { id: '1', name: 'sim', type: 'pbxOpenTouchApi', data });
    expect(res.status).toBe('Error');
    expect(res.message).toMatch(/wrong login or password/);
    expect(res.message).not.toContain('Wrong-Pw-123');
    expect(openConnectionCount()).toBe(0);
  });
  it('emits queue events for the call-center pilots named in the O2G credential', async () => {
    const creds = credentialsFor(sim, 'o2g', 'admin');
    Object.assign(creds.pbxO2gApi!, { users: 'alice, carol', pilots: '5000=Support' });
    const tw = makeWorkflow([pbxTriggerNode('PBX Trigger', 'o2g', { events: ['queue.joined', 'queue.abandoned'] })], {});
    const t = await activateTrigger(tw, 'PBX Trigger', creds);
    try {
      simFeatures(sim.pbx).agents.logon('alice', '201', '5000');
      simFeatures(sim.pbx).agents.setActivity('alice', 'paused'); // no ready agent: the call waits
      const ref = sim.pbx.makeCall('carol', '5000');
      await waitFor('queue.joined', () => t.emitted.length === 1);
      sim.pbx.callerHangsUp(ref);
      await waitFor('queue.abandoned', () => t.emitted.length === 2);
      expect(events(t.emitted).map((e) => [e.type, e.queue?.id, e.queue?.name, e.queue?.callId])).toEqual([
        ['queue.joined', '5000', 'Support', ref],
        ['queue.abandoned', '5000', 'Support', ref],
      ]);
    } finally {
      await t.response?.closeFunction?.();
      simFeatures(sim.pbx).agents.logoff('alice');
    }
  });
});
