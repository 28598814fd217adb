/**
 * The credential test (methods.credentialTest) says what the nodes say (issue 12, n8n item 19): friendly words and
 * the same hint for a refused connection, a URL without a scheme and an administrator without users, checked
 * against the node's own error on the real n8n-core engine.
 */
import './helpers/env';
import { createServer, type Server } from 'node:net';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { openConnectionCount } from '../../shared/connection/registry';
import { Pbx } from '../../nodes/Pbx/Pbx.node';
import { PbxOpenTouchApi } from '../../credentials/PbxOpenTouchApi.credentials';
import { toNodeError } from '../../nodes/shared/errors';
import { PbxError } from '../../shared/errors';
import { chain, makeWorkflow, runManual } from './helpers/engine';
import { manualTrigger, pbxNode } from './helpers/sim';

const credentialTest = new Pbx().methods.credentialTest.pbxConnectionTest;

const cred = (data: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject => ({
  url: '', secondaryUrl: '', login: 'alice', password: 'Pw-Not-Shown-1', sessionKind: 'user', users: '', urlKind: 'public',
  allowUnauthorizedCerts: false, caCertificate: '', ...data,
});

/** A port that refuses connections: bound, then closed. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function both(data: ICredentialDataDecryptedObject): Promise<{ test: string; node: string }> {
  const res = await credentialTest.call({} as never, { id: '1', name: 'pbx', type: 'pbxOpenTouchApi', data });
  expect(res.status).toBe('Error');
  const tw = makeWorkflow([manualTrigger(), pbxNode('PBX', 'opentouch', { resource: 'call', operation: 'listCalls' })], chain('Manual', 'PBX'));
  const run = await runManual(tw, 'Manual', { pbxOpenTouchApi: data });
  const err = run.data.resultData.error as (Error & { description?: string }) | undefined;
  expect(err).toBeDefined();
  const node = `${err!.message}${err!.description ? `. ${err!.description}` : ''}`;
  expect(res.message).not.toContain('Pw-Not-Shown-1');
  expect(node).not.toContain('Pw-Not-Shown-1');
  return { test: res.message, node };
}

describe('credential test and node errors', () => {
  afterEach(() => expect(openConnectionCount()).toBe(0));

  it('a refused connection names the server, in words, with the same hint', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { test, node } = await both(cred({ url }));
    expect(test).toMatch(new RegExp(`^Cannot reach the PBX at ${url.replace(/\./g, '\\.')}: the server refused the connection`));
    expect(test).toMatch(/Check the server URL in the PBX credential/);
    expect(node).toBe(test);
  });

  it('a URL without a scheme is said before any request, the same way in both', async () => {
    const { test, node } = await both(cred({ url: 'pbx.example.com' }));
    expect(test).toMatch(/^The server URL "pbx\.example\.com" has no scheme: write it as https:\/\/pbx\.example\.com or http:\/\/pbx\.example\.com/);
    expect(test).not.toMatch(/Invalid URL/);
    expect(node).toBe(test);
  });

  it('an administrator session without users says what to fill in', async () => {
    const { test, node } = await both(cred({ url: 'http://127.0.0.1:9', sessionKind: 'admin', users: '' }));
    expect(test).toMatch(/^An administrator session needs the users to monitor/);
    expect(node).toBe(test);
  });

  it('names credential fields as the n8n form labels them and says where to fix them (issue 22.8)', async () => {
    const admin = await both(cred({ url: 'http://127.0.0.1:9', sessionKind: 'admin', users: '' }));
    const label = new PbxOpenTouchApi().properties.find((p) => p.name === 'users')!.displayName;
    expect(label).toBe('Monitored Users');
    expect(admin.test).toContain(`"${label}" is empty`);
    expect(admin.test).toMatch(/Open the Alcatel-Lucent OpenTouch \(OTBE \/ OTMS\) credential and fill in "Monitored Users"/);
    const noScheme = await both(cred({ url: 'pbx.example.com' }));
    expect(noScheme.test).toMatch(/Open the .* credential and correct "Server URL"$/);
    for (const m of [admin.test, noScheme.test]) expect(m).not.toMatch(/Fix the parameter named in the message/);
  });

  it("passes the core's own input errors on unchanged, without a generic hint", () => {
    const node = pbxNode('PBX', 'opentouch', { resource: 'call', operation: 'listCalls' });
    const message = 'Make Call acts for one user, and this administrator connection was not told which: set the user to act for ("Act for User"): one of alice, bob';
    const err = toNodeError(node, new PbxError('INVALID_INPUT', message));
    expect(err.message).toBe(message);
    expect(err.description ?? '').not.toMatch(/Fix the parameter/);
  });
});

describe('credential forms are built from the settings schemas (issue 20)', () => {
  // Required here so the engine suite above stays as it was.
  const { PbxO2gApi } = require('../../credentials/PbxO2gApi.credentials') as typeof import('../../credentials/PbxO2gApi.credentials');
  const { PbxTelServicesApi } = require('../../credentials/PbxTelServicesApi.credentials') as typeof import('../../credentials/PbxTelServicesApi.credentials');
  const { PbxVoicenterApi } = require('../../credentials/PbxVoicenterApi.credentials') as typeof import('../../credentials/PbxVoicenterApi.credentials');
  const { PbxAsteriskApi } = require('../../credentials/PbxAsteriskApi.credentials') as typeof import('../../credentials/PbxAsteriskApi.credentials');
  const { PLATFORM_SETTINGS } = require('../../shared/platforms/settings') as typeof import('../../shared/platforms/settings');
  const { credentialFieldLabel } = require('../../nodes/shared/credential-labels') as typeof import('../../nodes/shared/credential-labels');
  const FORMS = [
    ['opentouch', new PbxOpenTouchApi()], ['o2g', new PbxO2gApi()], ['telservices', new PbxTelServicesApi()],
    ['voicenter', new PbxVoicenterApi()], ['asterisk', new PbxAsteriskApi()],
  ] as const;
  /** The stored field names saved credentials hold (pinned: renaming one would lose a saved value). */
  const SAVED = {
    opentouch: ['url', 'secondaryUrl', 'login', 'password', 'sessionKind', 'users', 'urlKind', 'allowUnauthorizedCerts', 'caCertificate'],
    o2g: ['url', 'secondaryUrl', 'login', 'password', 'sessionKind', 'users', 'urlKind', 'pilots', 'allowUnauthorizedCerts', 'caCertificate'],
    telservices: ['url', 'login', 'password', 'users', 'eventSource', 'udpPort', 'udpHost'],
    voicenter: ['loginType', 'login', 'login', 'password', 'password', 'url', 'serverUrl', 'socketVersion'],
    asterisk: ['url', 'login', 'password', 'authType', 'users', 'insecure', 'ca'],
  };
  /** A second wording of a stored field, shown for another login type. */
  const VARIANTS: Record<string, string[]> = { 'voicenter.login': ['Username'], 'voicenter.password': ['API Token'] };

  it.each(FORMS.map(([p, c]) => [p, c] as const))('%s: every field is a schema setting with its label, type, default and secrecy; the rest can stay unset', (platform, cred) => {
    const specs = PLATFORM_SETTINGS[platform]!.specs;
    expect(cred.properties.map((p) => p.name)).toEqual(SAVED[platform]);
    for (const p of cred.properties) {
      const s = specs.find((x) => (x.name?.n8n ?? x.key) === p.name)!;
      expect(s).toBeDefined();
      expect([p.name, [s.label.n8n, ...(VARIANTS[`${platform}.${p.name}`] ?? [])]]).toEqual([p.name, expect.arrayContaining([p.displayName])]);
      expect([p.name, p.type]).toEqual([p.name, { number: 'number', boolean: 'boolean', enum: 'options' }[s.type as string] ?? 'string']);
      if (s.type === 'enum') expect((p.options as Array<{ value: string }>).map((o) => o.value)).toEqual(s.limits!.values);
      if (s.secret) expect([p.name, p.typeOptions?.password]).toEqual([p.name, true]);
      const dflt = Array.isArray(s.default) ? s.default.join(', ') : s.default;
      // An empty URL is a default too: the public service (Voicenter's login API).
      expect([p.name, p.default]).toEqual([p.name, s.type === 'url' && dflt ? '' : dflt ?? (s.type === 'boolean' ? false : '')]);
    }
    // The other way: a setting the form does not show is never required (its schema default, or unset, holds).
    const shown = new Set(cred.properties.map((p) => p.name));
    for (const s of specs) if (!shown.has(s.name?.n8n ?? s.key)) expect([s.key, s.required ?? false]).toEqual([s.key, false]);
  });

  it('credential labels come from the schemas, Asterisk included', () => {
    expect(credentialFieldLabel('pbxAsteriskApi', 'users')).toBe('Monitored Extensions');
    expect(credentialFieldLabel('pbxOpenTouchApi', 'users')).toBe('Monitored Users');
    expect(credentialFieldLabel('pbxO2gApi', 'caCertificate')).toBe('Custom CA Certificate');
    for (const [platform, cred] of FORMS) {
      for (const p of cred.properties) expect([platform, p.name, credentialFieldLabel(cred.name, p.name)]).toEqual([platform, p.name, PLATFORM_SETTINGS[platform]!.specs.find((s) => (s.name?.n8n ?? s.key) === p.name)!.label.n8n]);
    }
  });
});
