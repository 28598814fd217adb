/**
 * The release tarball installed in ~/.n8n/nodes (`npm install <tgz> --omit=dev`, test/package/tarball.ts), loaded the
 * way an n8n main process loads it: n8n-core's scanDirectoryForPackages finds it, its LazyPackageDirectoryLoader reads
 * package.json's `n8n` section, requires every listed file in a vm context, attaches codex files and resolves icons.
 * The loader runs in its own process (test/package/hosts/n8n-host.ts) whose only module folder besides the install is
 * the host's n8n-workflow, as n8n's NODE_PATH gives it: nothing of this repository's node_modules is on the package's
 * resolution path, so a file missing from `files` or a dependency needed at run time but not declared fails here.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { installedTarball, packageDir, pkg, runHost, startInstalledSimulator, type Installed, type InstalledSimulator } from '../package/tarball';

const ROOT = resolve(__dirname, '../..');
const p = pkg();

interface N8nReport {
  packages: string[];
  packageDir: string;
  loadErrors: string[];
  loadMs: number;
  nodes: Record<string, {
    sourcePath: string;
    inputs: unknown;
    usableAsTool?: boolean;
    credentials: Array<[string, string | undefined]>;
    credentialTestMethods: string[];
    codex?: { categories?: string[]; alias?: string[] };
    iconUrl?: { light: string; dark: string };
  }>;
  credentials: Record<string, { sourcePath: string; iconUrl?: { light: string; dark: string }; supportedNodes?: string[] }>;
  requireErrors: Array<{ file: string; error: string }>;
  resolved: Record<string, string>;
  hostModules: string;
  credentialTest?: { status: string; message: string; ms: number };
}

let inst: Installed;
let sim: InstalledSimulator | undefined;
let n8n: N8nReport;
let dir: string;

beforeAll(async () => {
  inst = await installedTarball();
  dir = packageDir(inst.n8nNodesDir);
  sim = await startInstalledSimulator(inst.n8nNodesDir);
  const credential = { id: '1', name: 'sim alice', type: 'pbxO2gApi', method: 'pbxConnectionTest', data: { url: sim.o2g, secondaryUrl: '', login: 'alice', password: 'alice-pw', sessionKind: 'user', users: '', urlKind: 'public', allowUnauthorizedCerts: false, caCertificate: '' } };
  n8n = await runHost<N8nReport>('n8n-host.ts', [ROOT, inst.n8nNodesDir, JSON.stringify(credential)]);
  console.log(`n8n: the installed package loaded in ${n8n.loadMs} ms; credential test ${n8n.credentialTest?.ms} ms`);
}, 240_000);

afterAll(async () => {
  await sim?.close();
});

describe('the installed tarball in n8n-core LazyPackageDirectoryLoader', () => {
  it('declares every node and credential, with paths that exist after the install', () => {
    expect(p.n8n.n8nNodesApiVersion).toBe(1);
    expect(n8n.packages).toEqual([p.name]);
    expect(n8n.loadErrors).toEqual([]);
    for (const f of [...p.n8n.nodes, ...p.n8n.credentials]) {
      expect(f.startsWith('dist/')).toBe(true);
      expect(readFileSync(join(dir, f), 'utf8').length).toBeGreaterThan(0);
    }
    expect(Object.values(n8n.nodes).map((n) => n.sourcePath).sort()).toEqual([...p.n8n.nodes].sort());
    expect(Object.values(n8n.credentials).map((c) => c.sourcePath).sort()).toEqual([...p.n8n.credentials].sort());
  });

  it('loads both nodes and the credentials of every platform under the package name', () => {
    expect(Object.keys(n8n.nodes).sort()).toEqual(['pbx', 'pbxTrigger']);
    expect(Object.keys(n8n.credentials).sort()).toEqual(['pbxAsteriskApi', 'pbxO2gApi', 'pbxOpenTouchApi', 'pbxTelServicesApi', 'pbxVoicenterApi']);
    expect(n8n.nodes.pbxTrigger!.inputs).toEqual([]);
    expect(n8n.nodes.pbxTrigger!.usableAsTool).toBeUndefined();
    expect(n8n.nodes.pbx!.usableAsTool).toBe(true);
    // The credential test method the credentials point at exists on the node.
    expect(n8n.nodes.pbx!.credentialTestMethods).toContain('pbxConnectionTest');
    // Every credential is tested by a login (testedBy -> methods.credentialTest) on every node that uses it.
    for (const name of ['pbx', 'pbxTrigger']) {
      expect(n8n.nodes[name]!.credentials).toEqual(['pbxOpenTouchApi', 'pbxO2gApi', 'pbxTelServicesApi', 'pbxVoicenterApi', 'pbxAsteriskApi'].map((c) => [c, 'pbxConnectionTest']));
    }
    expect(n8n.credentials.pbxOpenTouchApi!.supportedNodes).toEqual(expect.arrayContaining(['pbx', 'pbxTrigger']));
  });

  it('attaches the codex files with the aliases', () => {
    for (const name of ['pbx', 'pbxTrigger']) {
      const codex = n8n.nodes[name]!.codex!;
      expect(codex.categories).toContain('Communication');
      expect(codex.alias).toEqual(expect.arrayContaining(['OpenTouch', 'OXE', 'O2G', 'Alcatel-Lucent', 'Voicenter', 'TelServer', 'CTI', 'phone', 'call']));
    }
  });

  it('resolves light and dark icons to files inside the package, and they differ', () => {
    const prefix = `icons/${p.name}/`;
    for (const d of [...Object.values(n8n.nodes), ...Object.values(n8n.credentials)]) {
      const url = d.iconUrl!;
      expect(url).toEqual({ light: expect.stringMatching(/\.svg$/), dark: expect.stringMatching(/\.dark\.svg$/) });
      const light = readFileSync(join(dir, url.light.slice(prefix.length)), 'utf8');
      const dark = readFileSync(join(dir, url.dark.slice(prefix.length)), 'utf8');
      expect(light).toContain('<svg');
      expect(light).not.toEqual(dark);
    }
  });

  it('loads every module of the package with its production dependencies and the host n8n-workflow only', () => {
    expect(n8n.requireErrors).toEqual([]);
    for (const dep of Object.keys(p.dependencies)) expect({ dep, from: n8n.resolved[dep] }).toEqual({ dep, from: expect.stringContaining(join(inst.n8nNodesDir, 'node_modules') + '/') });
    // The peer comes from the host (NODE_PATH), not from the install and not from this repository's resolution path.
    expect(n8n.resolved['n8n-workflow']).toMatch(/n8n-workflow/);
    expect(n8n.resolved['n8n-workflow']!.startsWith(inst.n8nNodesDir)).toBe(false);
  });

  it('logs in with the credential test of the loaded node, through the installed code, to the installed simulator', () => {
    expect(n8n.credentialTest).toEqual({ status: 'OK', message: expect.stringMatching(/^Logged in to /), ms: expect.any(Number) });
  });
});
