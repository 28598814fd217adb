/**
 * The release tarball, as a user installs it before the package is on the registry (README, "Installing into n8n and
 * Node-RED"): `npm pack`, then `npm install <tgz> --omit=dev` in ~/.n8n/nodes and in ~/.node-red (temporary folders
 * outside the repository). Checked here: the files the package needs are packed and nothing else, the size budget,
 * the installed tree (production dependencies only, no install scripts), every bare module name the code requires,
 * the installed CLI and its simulator, and Node-RED's runtime loading the package from its user directory.
 * n8n's loader on the same install: test/n8n/package.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { installedTarball, npmEnv, packageDir, pkg, runHost, startInstalledSimulator, type Installed, type InstalledSimulator, type PackageJson } from './tarball';

/** The size budget (README, "Releases and versions"): what `npm pack` reports, and one host folder's node_modules. */
const BUDGET = { packed: 512 * 1024, unpacked: 2048 * 1024, installed: 20 * 1024 * 1024 };

/**
 * Dev dependencies the packed code may name, each behind a try/catch: the simulator's Voicenter front-end needs a
 * socket.io server (2.x and 4.x) and says it is not started without one. Requiring every module without them is
 * checked in test/n8n/package.test.ts.
 */
const OPTIONAL_DEV_MODULES = ['socket.io', 'socket.io-v2'];

interface NodeRedReport {
  startMs: number;
  nodeSets: Array<{ id: string; module: string; types: string[]; enabled: boolean; err?: string; version: string }>;
  html: Record<string, string>;
  resources: Array<{ path: string; status: number }>;
  icons: Record<string, string[]>;
  catalogues: Record<string, string[]>;
  exampleModules: string[];
  examples: Record<string, Array<{ fn: string }>>;
  deploy: { status: number; outcome: string; statuses: string[]; ms: number };
  logs: Array<{ level: number; msg: string }>;
}

let inst: Installed;
let p: PackageJson;
let packed: Set<string>;
let sim: InstalledSimulator | undefined;

beforeAll(async () => {
  inst = await installedTarball();
  p = pkg();
  packed = new Set(inst.files.map((f) => f.path));
  sim = await startInstalledSimulator(inst.n8nNodesDir);
  // The figures the README states; printed so a CI log shows them.
  console.log(
    `tarball: ${inst.size} B packed, ${inst.unpackedSize} B unpacked, ${inst.files.length} files; installed with production dependencies: ` +
      `${inst.installedBytes} B; pack ${inst.packMs} ms, both installs ${inst.installMs} ms${inst.reused ? ' (install reused)' : ''}`,
  );
}, 240_000);

afterAll(async () => {
  await sim?.close();
});

describe('the packed files', () => {
  it('hold every file package.json points at, each n8n node with its codex and icons, each Node-RED node with its editor HTML, catalogue and icon', () => {
    const entryPoints = [...p.n8n.nodes, ...p.n8n.credentials, ...Object.values(p.bin ?? {}), p.main!, p.types!];
    for (const f of entryPoints) expect({ f, packed: packed.has(f) }).toEqual({ f, packed: true });
    for (const node of p.n8n.nodes) {
      const base = node.replace(/\.js$/, '');
      expect(packed.has(`${base}.json`)).toBe(true); // codex: categories, aliases, documentation links
      expect([...packed].filter((f) => f.startsWith(posix.dirname(node) + '/') && f.endsWith('.svg')).length).toBeGreaterThanOrEqual(2); // light and dark
    }
    for (const js of Object.values(p['node-red'].nodes)) {
      expect(packed.has(js)).toBe(true);
      expect(packed.has(js.replace(/\.js$/, '.html'))).toBe(true);
      expect(packed.has(`${posix.dirname(js)}/locales/en-US/${posix.basename(js, '.js')}.json`)).toBe(true);
    }
    // Every icon a Node-RED node definition names is in the module's icons folder.
    const htmls = Object.values(p['node-red'].nodes).map((js) => readFileSync(join(packageDir(inst.nodeRedUserDir), js.replace(/\.js$/, '.html')), 'utf8'));
    const icons = htmls.flatMap((h) => [...h.matchAll(/icon:\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!));
    expect(icons.length).toBeGreaterThan(0);
    for (const icon of icons) expect(packed.has(`dist/node-red/icons/${icon}`)).toBe(true);
    // The Node-RED example flows sit at the package root's examples/ (Import > Examples), one file per flow.
    const flows = readdirSync(join(__dirname, '../../examples')).filter((f) => f.endsWith('.json'));
    expect(flows.length).toBeGreaterThan(0);
    for (const f of flows) expect(packed.has(`examples/${f}`)).toBe(true);
    expect(packed.has('LICENSE')).toBe(true);
    expect(packed.has('README.md')).toBe(true);
  });

  it('hold no sources, tests, source maps, benchmarks, demo code or n8n workflow files', () => {
    const unwanted = [...packed].filter(
      (f) =>
        (f.endsWith('.ts') && !f.endsWith('.d.ts')) ||
        f.endsWith('.map') ||
        /^(test|docs|scripts|bench|\.github|\.ci|node_modules)\//.test(f) ||
        /^dist\/(bench|examples|test)\//.test(f) ||
        f.startsWith('examples/n8n/') ||
        /(^|\/)tools\//.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it('stay within the size budget', () => {
    const measured = { packed: inst.size, unpacked: inst.unpackedSize, installed: inst.installedBytes };
    const over = Object.entries(measured).filter(([k, bytes]) => bytes > BUDGET[k as keyof typeof BUDGET]);
    expect({ over, budget: BUDGET }).toEqual({ over: [], budget: BUDGET });
    expect(Math.min(...Object.values(measured))).toBeGreaterThan(0);
  });
});

describe('the installed tree (npm install <tgz> --omit=dev)', () => {
  it('has the package and its dependencies in both host folders, no dev dependency and nothing with an install script', () => {
    for (const dir of [inst.n8nNodesDir, inst.nodeRedUserDir]) {
      const lock = JSON.parse(readFileSync(join(dir, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean; dev?: boolean }> };
      const installed = Object.keys(lock.packages).map((k) => k.replace(/^.*node_modules\//, ''));
      expect(installed).toContain(p.name);
      for (const dep of Object.keys(p.dependencies)) expect(installed).toContain(dep);
      expect(installed.filter((name) => name in p.devDependencies)).toEqual([]);
      expect(Object.entries(lock.packages).filter(([, v]) => v.hasInstallScript).map(([k]) => k)).toEqual([]);
      // The optional peer (n8n-workflow) is the host's: n8n provides it, Node-RED never loads it.
      expect(installed).not.toContain('n8n-workflow');
    }
    // npm 11 lists install scripts it has not been told about; npm 12 blocks them. The install has none.
    expect(inst.installOutput).not.toMatch(/install-scripts|allowScripts/);
  });

  it('every bare module name the code requires is a Node built-in, a dependency, the n8n-workflow peer, or an optional simulator server', () => {
    const dir = packageDir(inst.n8nNodesDir);
    const jsFiles = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(join(d, e.name)) : e.name.endsWith('.js') ? [join(d, e.name)] : []));
    const names = new Set<string>();
    for (const file of jsFiles(join(dir, 'dist'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:require|import)\(\s*(['"])([^'"]+)\1\s*\)/g)) {
        const spec = m[2]!;
        if (spec.startsWith('.') || spec.startsWith('/')) continue;
        names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    const builtins = new Set(builtinModules.flatMap((b) => [b, `node:${b}`]));
    const allowed = new Set([...Object.keys(p.dependencies), ...Object.keys(p.peerDependencies), ...OPTIONAL_DEV_MODULES]);
    expect([...names].filter((n) => !builtins.has(n) && !allowed.has(n))).toEqual([]);
    // Each declared dependency is used (a dependency nobody requires only costs the user an install).
    for (const dep of Object.keys(p.dependencies)) expect(names).toContain(dep);
    for (const dev of OPTIONAL_DEV_MODULES) expect(Object.keys(p.devDependencies)).toContain(dev);
  });

  it('runs the CLI from its bin link, and its simulator starts without the dev dependencies', async () => {
    const { stdout } = await promisify(execFile)(join(inst.n8nNodesDir, 'node_modules', '.bin', 'pbxflow'), ['--version'], { env: npmEnv() });
    expect(stdout.trim()).toBe(`pbxflow ${p.version}`);
    expect(sim!.o2g).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim!.banner).toMatch(/Voicenter: not started .*not installed/);
  });
});

describe('in Node-RED (the runtime started on a user directory holding the install)', () => {
  let red: NodeRedReport;
  beforeAll(async () => {
    red = await runHost<NodeRedReport>('node-red-host.ts', [join(__dirname, '../..'), inst.nodeRedUserDir, JSON.stringify({ platform: 'o2g', url: sim!.o2g, login: 'alice', password: 'alice-pw' })]);
    console.log(`Node-RED: runtime with the installed package started in ${red.startMs} ms; deployed and connected in ${red.deploy.ms} ms`);
  }, 60_000);

  it('registers every node the package declares, enabled, without an error', () => {
    const declared = Object.keys(p['node-red'].nodes).sort();
    expect(red.nodeSets.map((s) => s.module)).toEqual(declared.map(() => p.name));
    expect(red.nodeSets.flatMap((s) => s.types).sort()).toEqual(declared);
    for (const s of red.nodeSets) expect({ id: s.id, enabled: s.enabled, err: s.err, version: s.version }).toEqual({ id: s.id, enabled: true, err: undefined, version: p.version });
  });

  it('serves what the editor needs: each definition, the files it loads, its icon and its messages', () => {
    for (const type of Object.keys(p['node-red'].nodes)) {
      const html = red.html[`${p.name}/${type}`] ?? '';
      expect(html).toMatch(new RegExp(`registerType\\(\\s*['"]${type}['"]`));
      expect(red.catalogues[`${p.name}/${type}`]).toEqual(expect.arrayContaining(['label']));
    }
    expect(red.resources.length).toBeGreaterThan(0);
    for (const r of red.resources) expect(r).toEqual({ path: r.path, status: 200 });
    const named = Object.values(red.html).flatMap((h) => [...h.matchAll(/icon:\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!));
    expect(red.icons[p.name]).toEqual(expect.arrayContaining([...new Set(named)]));
  });

  it('lists the example flows under Import > Examples', () => {
    expect(red.exampleModules).toContain(p.name);
    const flows = [...packed].filter((f) => /^examples\/[^/]+\.json$/.test(f)).map((f) => posix.basename(f, '.json')).sort();
    expect(red.examples[p.name]!.map((e) => e.fn).sort()).toEqual(flows);
  });

  it('deploys a connection and an event node that connect to the simulator, with no warning or error logged', () => {
    expect(red.deploy).toEqual(expect.objectContaining({ status: 204, outcome: 'connected' }));
    // The two settings this host chose on purpose (no projects, credentials unencrypted in the temporary folder).
    const expected = /^(Projects disabled|Using unencrypted credentials)/;
    expect(red.logs.filter((l) => !expected.test(l.msg))).toEqual([]);
  });
});

describe('the README install path', () => {
  it('names the commands this test runs', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toMatch(/npm pack/);
    expect(readme).toMatch(/~\/\.n8n\/nodes/);
    expect(readme).toMatch(/~\/\.node-red/);
    expect(readme).toMatch(/npm install [^\n]*\.tgz/);
    expect(existsSync(join(__dirname, '../../CHANGELOG.md'))).toBe(true);
  });
});
