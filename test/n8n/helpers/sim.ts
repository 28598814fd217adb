/** Simulator + credential data for the n8n tests. */
import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';
import { openConnectionCount } from '../../../shared/connection/registry';
import { startSimulator, type Simulator, type SimPlatform } from '../../../simulator';
import { PKG } from './engine';

/**
 * One simulator for the test file, handed to `use` once started: closed after all tests; after each, its PBX reset
 * (`reset`) and every connection given back (`connectionsReturned`: the executions and lists leased none for good).
 */
export function simulatorForFile(use: (sim: Simulator) => void, o: { reset?: boolean; connectionsReturned?: boolean } = {}): void {
  let sim: Simulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator();
    use(sim);
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(() => {
    if (o.reset) sim?.pbx.reset();
    if (o.connectionsReturned) expect(openConnectionCount()).toBe(0);
  });
}

export const CRED_TYPE: Record<SimPlatform, string> = { opentouch: 'pbxOpenTouchApi', o2g: 'pbxO2gApi' };

export function credentialsFor(sim: Simulator, platform: SimPlatform, login = 'alice', password?: string): Record<string, ICredentialDataDecryptedObject> {
  const user = sim.credentials.find((c) => c.login === login)!;
  return {
    [CRED_TYPE[platform]]: {
      url: sim.url(platform),
      secondaryUrl: '',
      login,
      password: password ?? user.password,
      sessionKind: user.admin ? 'admin' : 'user',
      users: '',
      urlKind: 'public',
      allowUnauthorizedCerts: false,
      caCertificate: '',
    },
  };
}

export const manualTrigger = (): INode => ({
  id: 'n-manual', name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {},
});

export function pbxNode(name: string, platform: SimPlatform, parameters: Record<string, unknown>, extra: Partial<INode> = {}): INode {
  return {
    id: `n-${name}`,
    name,
    type: `${PKG}.pbx`,
    typeVersion: 1,
    position: [200, 0],
    parameters: { platform, ...parameters } as INode['parameters'],
    credentials: { [CRED_TYPE[platform]]: { id: '1', name: 'sim' } },
    ...extra,
  };
}

export function pbxTriggerNode(name: string, platform: SimPlatform, parameters: Record<string, unknown>): INode {
  return {
    id: `n-${name}`,
    name,
    type: `${PKG}.pbxTrigger`,
    typeVersion: 1,
    position: [0, 0],
    parameters: { platform, ...parameters } as INode['parameters'],
    credentials: { [CRED_TYPE[platform]]: { id: '1', name: 'sim' } },
  };
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
