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
