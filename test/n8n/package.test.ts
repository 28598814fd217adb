/**
 * Loads the built package the way n8n does (n8n-core's PackageDirectoryLoader reads package.json's `n8n`
 * section, requires every listed file, attaches codex files and resolves icons). The package is built from the
 * current sources into a temporary folder (tsc + the same asset copy as the gulpfile), so the test never reads
 * a stale `dist/` and never races another build.
 */
import './helpers/env';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { PackageDirectoryLoader } from 'n8n-core';
import type { INodeTypeDescription } from 'n8n-workflow';

const ROOT = resolve(__dirname, '../..');
let dir: string;
let loader: PackageDirectoryLoader;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; n8n: { nodes: string[]; credentials: string[]; strict: boolean; n8nNodesApiVersion: number } };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pbxflow-pkg-'));
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], { cwd: ROOT, stdio: 'pipe' });
  const assets = (src: string) => statSync(src).isDirectory() || ['.svg', '.png', '.json'].includes(extname(src));
  cpSync(join(ROOT, 'nodes'), join(dir, 'dist/nodes'), { recursive: true, filter: assets });
  cpSync(join(ROOT, 'credentials'), join(dir, 'dist/credentials'), { recursive: true, filter: (s) => statSync(s).isDirectory() || ['.svg', '.png'].includes(extname(s)) });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  loader = new PackageDirectoryLoader(dir);
  await loader.loadAll();
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('built package in n8n-core PackageDirectoryLoader', () => {
  it('declares every node and credential, with paths that exist after the build', () => {
    expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
    for (const p of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
      expect(p.startsWith('dist/')).toBe(true);
      expect(existsSync(join(dir, p))).toBe(true);
    }
  });

  it('loads both nodes and the credentials of every platform under the package name', () => {
    expect(loader.packageName).toBe('@pbxflow/n8n-nodes-pbx');
    expect(Object.keys(loader.nodeTypes).sort()).toEqual(['pbx', 'pbxTrigger']);
    expect(Object.keys(loader.credentialTypes).sort()).toEqual(['pbxO2gApi', 'pbxOpenTouchApi', 'pbxTelServicesApi', 'pbxVoicenterApi']);
    const trigger = loader.nodeTypes.pbxTrigger!.type.description as INodeTypeDescription;
    expect(trigger.inputs).toEqual([]);
    expect(trigger.usableAsTool).toBeUndefined();
    expect(loader.nodeTypes.pbx!.type.description.usableAsTool).toBe(true);
    // The credential test method the credentials point at exists on the node.
    const pbx = loader.nodeTypes.pbx!.type as { methods?: { credentialTest?: Record<string, unknown> } };
    expect(typeof pbx.methods?.credentialTest?.pbxConnectionTest).toBe('function');
    // Every credential is tested by a login (testedBy -> methods.credentialTest) on every node that uses it.
    for (const name of ['pbx', 'pbxTrigger']) {
      const d = loader.nodeTypes[name]!.type.description as INodeTypeDescription;
      expect(d.credentials?.map((c) => [c.name, c.testedBy])).toEqual(
        ['pbxOpenTouchApi', 'pbxO2gApi', 'pbxTelServicesApi', 'pbxVoicenterApi'].map((c) => [c, 'pbxConnectionTest']),
      );
    }
    expect(loader.known.credentials.pbxOpenTouchApi!.supportedNodes).toEqual(expect.arrayContaining(['pbx', 'pbxTrigger']));
  });

  it('attaches the codex files with the aliases', () => {
    for (const name of ['pbx', 'pbxTrigger']) {
      const codex = loader.nodeTypes[name]!.type.description.codex!;
      expect(codex.categories).toContain('Communication');
      expect(codex.alias).toEqual(expect.arrayContaining(['OpenTouch', 'OXE', 'O2G', 'Alcatel-Lucent', 'Voicenter', 'TelServer', 'CTI', 'phone', 'call']));
    }
  });

  it('resolves light and dark icons to files inside the package, and they differ', () => {
    const prefix = `icons/${pkg.name}/`;
    const descriptions = [
      ...Object.values(loader.nodeTypes).map((n) => n.type.description as { iconUrl?: unknown }),
      ...Object.values(loader.credentialTypes).map((c) => c.type as { iconUrl?: unknown }),
    ];
    for (const d of descriptions) {
      const url = d.iconUrl as { light: string; dark: string };
      expect(url).toEqual({ light: expect.stringMatching(/\.svg$/), dark: expect.stringMatching(/\.dark\.svg$/) });
      const light = readFileSync(join(dir, url.light.slice(prefix.length)), 'utf8');
      const dark = readFileSync(join(dir, url.dark.slice(prefix.length)), 'utf8');
      expect(light).toContain('<svg');
      expect(light).not.toEqual(dark);
    }
  });
});
