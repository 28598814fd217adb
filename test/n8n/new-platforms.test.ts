/**
 * The n8n hosts on the platforms added after the first one (issue 12, step 5): TelServices and Voicenter credentials
 * mapped through their settings schemas to the core's ConnectionConfig (shared/connection/types.ts), the credential
 * test, and a PBX Trigger activated on the real n8n-core engine against the simulator's front-ends, end to end to a
 * missed call item.
 */
import './helpers/env';
import type { ICredentialDataDecryptedObject, INode, INodeExecutionData } from 'n8n-workflow';
import { openConnectionCount } from '../../shared/connection/registry';
import type { PbxEvent } from '../../shared/model/events';
import { startSimulator, type Simulator } from '../../simulator';
import { Pbx } from '../../nodes/Pbx/Pbx.node';
import { toConnectionConfig } from '../../nodes/shared/connection-config';
import { PBX_PLATFORMS } from '../../nodes/shared/platforms';
import { activateTrigger, makeWorkflow, PKG } from './helpers/engine';
import { waitFor } from './helpers/sim';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ ringTimeoutMs: 60_000, voicenter: { socketVersion: '2' } });
});
afterAll(async () => {
  await sim?.close();
});
afterEach(() => {
  sim.pbx.reset();
  expect(openConnectionCount()).toBe(0);
});

const credentialTest = new Pbx().methods.credentialTest.pbxConnectionTest;
const events = (emitted: INodeExecutionData[][][]): PbxEvent[] => emitted.map((e) => e[0]![0]!.json as unknown as PbxEvent);

function trigger(platform: 'telservices' | 'voicenter', credentialType: string): INode {
  return {
    id: `n-${platform}`, name: 'PBX Trigger', type: `${PKG}.pbxTrigger`, typeVersion: 1, position: [0, 0],
    parameters: { platform, events: ['call.missed'] }, credentials: { [credentialType]: { id: '1', name: platform } },
  };
}

const telServices = (): ICredentialDataDecryptedObject => ({
  url: sim.telservices.url, login: '', password: '', users: '201, 202', eventSource: 'udp', udpPort: 0, udpHost: '127.0.0.1',
});
const voicenter = (): ICredentialDataDecryptedObject => {
  const u = sim.voicenter!.credentials.user[0]!;
  return { loginType: 'user', login: u.email, password: u.password, url: sim.voicenter!.loginUrl, serverUrl: '', socketVersion: 'auto' };
};

describe('TelServices and Voicenter in the n8n nodes', () => {
  it('offers both platforms, registered in this build, each with its own credential', () => {
    expect(PBX_PLATFORMS.map((p) => [p.platform, p.credentialType])).toEqual(expect.arrayContaining([
      ['telservices', 'pbxTelServicesApi'],
      ['voicenter', 'pbxVoicenterApi'],
    ]));
  });

  it('maps the credentials to the ConnectionConfig contract', () => {
    expect(toConnectionConfig('telservices', { ...telServices(), url: 'tcp://ts.example:7300', udpPort: 40000, login: 'sup' })).toEqual({
      platform: 'telservices', url: 'tcp://ts.example:7300', login: 'sup', password: '', users: ['201', '202'],
      extra: { eventSource: 'udp', udpPort: 40000, udpHost: '127.0.0.1' },
    });
    expect(toConnectionConfig('voicenter', { loginType: 'token', login: 'ignored', password: 'tok-1', url: '', serverUrl: 'https://rt.example', socketVersion: '4' })).toEqual({
      platform: 'voicenter', url: '', login: '', password: 'tok-1', extra: { loginType: 'token', serverUrl: 'https://rt.example', socketVersion: '4' },
    });
    expect(() => toConnectionConfig('telservices', { url: 'tcp://ts.example:7300', users: '' })).toThrow(/No device to monitor/);
    expect(() => toConnectionConfig('telservices', { url: 'ts.example:7300', users: '201' })).toThrow(/has no scheme: write it as tcp:\/\/ts\.example:7300/);
  });

  it('TelServices: the credential test opens the sessions; the trigger emits a missed call', async () => {
    await expect(credentialTest.call({} as never, { id: '1', name: 'ts', type: 'pbxTelServicesApi', data: telServices() })).resolves.toMatchObject({ status: 'OK' });
    const t = await activateTrigger(makeWorkflow([trigger('telservices', 'pbxTelServicesApi')], {}), 'PBX Trigger', { pbxTelServicesApi: telServices() });
    try {
      const ref = sim.pbx.makeCall('carol', '202');
      await new Promise((r) => setTimeout(r, 200));
      sim.pbx.callerHangsUp(ref);
      await waitFor('a missed call item', () => t.emitted.length > 0, 8000);
      expect(events(t.emitted)[0]).toMatchObject({ type: 'call.missed', platform: 'telservices', call: { answered: false, from: { number: '203' } } });
      expect(events(t.emitted)[0]!.call).not.toHaveProperty('capabilities');
      expect(t.errors).toEqual([]);
    } finally {
      await t.response?.closeFunction?.();
    }
  });

  it('Voicenter: the credential test logs in; the trigger emits a missed call; a wrong password fails once', async () => {
    await expect(credentialTest.call({} as never, { id: '1', name: 'vc', type: 'pbxVoicenterApi', data: voicenter() })).resolves.toMatchObject({ status: 'OK' });
    const t = await activateTrigger(makeWorkflow([trigger('voicenter', 'pbxVoicenterApi')], {}), 'PBX Trigger', { pbxVoicenterApi: voicenter() });
    try {
      const me = sim.voicenter!.credentials.user[0]!.extension;
      const caller = sim.users.find((u) => !u.admin && u.number !== me)!;
      const ref = sim.pbx.makeCall(caller.login, me);
      await new Promise((r) => setTimeout(r, 200));
      sim.pbx.callerHangsUp(ref);
      await waitFor('a missed call item', () => t.emitted.length > 0, 8000);
      expect(events(t.emitted)[0]).toMatchObject({ type: 'call.missed', platform: 'voicenter', call: { answered: false } });
      expect(t.errors).toEqual([]);
    } finally {
      await t.response?.closeFunction?.();
    }
    const wrong = { ...voicenter(), password: 'Not-It-42' };
    const bad = activateTrigger(makeWorkflow([trigger('voicenter', 'pbxVoicenterApi')], {}), 'PBX Trigger', { pbxVoicenterApi: wrong });
    await expect(bad).rejects.toThrow();
    await bad.catch((e: Error & { description?: string }) => expect(`${e.message} ${e.description ?? ''}`).not.toContain('Not-It-42'));
  });
});
