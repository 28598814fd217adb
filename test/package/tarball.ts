/**
 * The release tarball as a user gets it: dist/ built from the current sources (rebuilt when older), `npm pack`, then
 * `npm install <tgz> --omit=dev` into the two folders the hosts read, ~/.n8n/nodes and ~/.node-red, outside this
 * repository (so nothing of its node_modules is on the installed package's resolution path).
 *
 * One install per tarball content (sha256 of the .tgz; npm packs reproducibly), kept under the OS temp folder so the
 * test files that need it (test/package, test/n8n/package.test.ts) share it; installs of other contents are removed.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(__dirname, '..', '..');

export interface PackageJson {
  name: string;
  version: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  n8n: { n8nNodesApiVersion: number; strict: boolean; nodes: string[]; credentials: string[] };
  'node-red': { version: string; nodes: Record<string, string> };
}

export const pkg = (): PackageJson => JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

export interface Installed {
  tgz: string;
  sha256: string;
  /** Bytes of the .tgz and of its content, as `npm pack` reports them. */
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
  /** ~/.n8n/nodes and ~/.node-red: each a folder with a package.json and the package in node_modules. */
  n8nNodesDir: string;
  nodeRedUserDir: string;
  /** Bytes of each folder's node_modules (the package and its production dependencies). */
  installedBytes: number;
  packMs: number;
  /** Wall time of the two installs (run side by side). */
  installMs: number;
  /** What npm printed while installing (warnings included). */
  installOutput: string;
  /** Whether this process made the install or found it made by an earlier test file. */
  reused: boolean;
}

/** Where the installed package sits in a host folder. */
export const packageDir = (hostDir: string, name = pkg().name): string => join(hostDir, 'node_modules', ...name.split('/'));

// ---- dist/ --------------------------------------------------------------------------------------------------------

/** Everything that ends up in the tarball's dist/ comes from these (examples/*.json are packed as they are). */
const SOURCES = ['shared', 'nodes', 'credentials', 'node-red', 'simulator', 'cli', 'resources', 'gulpfile.js', 'tsconfig.build.json', 'tsconfig.json'];

function newestMtime(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(join(p, entry)));
  return newest;
}

/** The files package.json names (hosts' entry points, bin, main), built from their sources. */
function builtEntryPoints(p: PackageJson): string[] {
  const nodeRed = Object.values(p['node-red'].nodes).flatMap((js) => [js, js.replace(/\.js$/, '.html')]);
  return [...p.n8n.nodes, ...p.n8n.credentials, ...nodeRed, ...Object.values(p.bin ?? {}), ...(p.main ? [p.main] : [])];
}

/** Builds dist/ (tsc + gulp, as `npm run build`) when an entry point is missing or older than a source. */
export function ensureFreshDist(): void {
  const outputs = builtEntryPoints(pkg()).map((f) => join(ROOT, f));
  const built = outputs.every((f) => existsSync(f)) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
  const sources = Math.max(...SOURCES.map((s) => newestMtime(join(ROOT, s))));
  if (built >= sources) return;
  const started = Date.now();
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    // tsc still emits on type errors (the type check is CI's own step): go on when every entry point was written.
    const emitted = outputs.filter((f) => f.endsWith('.js')).every((f) => existsSync(f) && statSync(f).mtimeMs >= started - 1000);
    if (!emitted) throw new Error(`building for the tarball test failed:\n${String((err as { stdout?: Buffer }).stdout ?? err).slice(0, 3000)}`);
  }
  execFileSync(process.execPath, [join(ROOT, 'node_modules/gulp/bin/gulp.js'), 'build'], { cwd: ROOT, stdio: 'pipe' });
}

// ---- npm ----------------------------------------------------------------------------------------------------------

/**
 * npm's environment without what `npm test` adds: npm_config_local_prefix and friends would point a child npm at this
 * repository. The user's and the machine's npm configuration (registry, cache, CA) stay.
 */
export function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_cafile']);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.toLowerCase().startsWith('npm_') && !keep.has(k.toLowerCase())) continue;
    if (k === 'NODE_OPTIONS' || k === 'NODE_PATH') continue;
    env[k] = v;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

const run = promisify(execFile);

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout, stderr } = await run('npm', args, { cwd, env: npmEnv(), maxBuffer: 16 * 1024 * 1024, timeout: 180_000 });
  return `${stdout}${stderr}`;
}

/** A host folder as the host makes it: n8n's ~/.n8n/nodes and Node-RED's ~/.node-red each start with a package.json. */
const HOST_PACKAGE_JSON = {
  n8n: { name: 'installed-nodes', private: true },
  nodeRed: { name: 'node-red-project', description: 'A Node-RED Project', version: '0.0.1', private: true },
};

async function installInto(dir: string, manifest: object, tgz: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  // What the README tells a user to run in the folder (a registry install is the same minus the file name).
  return npm(['install', tgz, '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--prefix', dir], dir);
}

/** Bytes of the files under `p` (links, such as node_modules/.bin, not followed). */
function treeBytes(p: string): number {
  const st = lstatSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return readdirSync(p).reduce((sum, e) => sum + treeBytes(join(p, e)), 0);
}

interface PackReport {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

let installing: Promise<Installed> | undefined;

/** Builds if needed, packs and installs (or reuses the install of the same tarball). */
export function installedTarball(): Promise<Installed> {
  installing ??= makeInstall();
  return installing;
}

async function makeInstall(): Promise<Installed> {
  ensureFreshDist();
  const staging = mkdtempSync(join(tmpdir(), 'pbxflow-pack-'));
  try {
    let t = Date.now();
    const out = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', staging], ROOT);
    const packMs = Date.now() - t;
    // npm prints the JSON report on stdout; warnings (if any) come before it.
    const report = (JSON.parse(out.slice(out.indexOf('['), out.lastIndexOf(']') + 1)) as PackReport[])[0]!;
    const tgzPath = join(staging, report.filename);
    const sha256 = createHash('sha256').update(readFileSync(tgzPath)).digest('hex');
    const home = join(tmpdir(), `pbxflow-tarball-${sha256.slice(0, 16)}`);
    const ready = join(home, 'ready.json');
    if (existsSync(ready)) return { ...(JSON.parse(readFileSync(ready, 'utf8')) as Installed), reused: true };
    removeOldInstalls(home);

    // Installed in a private folder, then renamed into place: a test file running at the same time in another worker
    // either finds a complete install or makes its own.
    const work = mkdtempSync(`${home}.part-`);
    const tgz = join(work, report.filename);
    renameSync(tgzPath, tgz);
    t = Date.now();
    const outputs = await Promise.all([
      installInto(join(work, 'n8n-home', '.n8n', 'nodes'), HOST_PACKAGE_JSON.n8n, tgz),
      installInto(join(work, 'node-red-home', '.node-red'), HOST_PACKAGE_JSON.nodeRed, tgz),
    ]);
    const installMs = Date.now() - t;
    const at = (dir: string) => dir.replace(work, home);
    const installed: Installed = {
      tgz: at(tgz),
      sha256,
      size: report.size,
      unpackedSize: report.unpackedSize,
      files: report.files.map(({ path, size }) => ({ path, size })),
      n8nNodesDir: at(join(work, 'n8n-home', '.n8n', 'nodes')),
      nodeRedUserDir: at(join(work, 'node-red-home', '.node-red')),
      installedBytes: treeBytes(join(work, 'n8n-home', '.n8n', 'nodes', 'node_modules')),
      packMs,
      installMs,
      installOutput: outputs.join('\n'),
      reused: false,
    };
    writeFileSync(join(work, 'ready.json'), JSON.stringify(installed, null, 2));
    try {
      renameSync(work, home);
    } catch {
      // Another worker got there first with the same content: use its install.
      rmSync(work, { recursive: true, force: true });
      return { ...(JSON.parse(readFileSync(ready, 'utf8')) as Installed), reused: true };
    }
    return installed;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Installs of earlier contents (and parts left by a killed run), once they are a few minutes old. */
function removeOldInstalls(keep: string): void {
  const dir = tmpdir();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('pbxflow-tarball-') || join(dir, name) === keep) continue;
    const p = join(dir, name);
    const age = Date.now() - (statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 10 * 60_000) rmSync(p, { recursive: true, force: true });
  }
}

// ---- hosts --------------------------------------------------------------------------------------------------------

/**
 * Runs one of test/package/hosts/*.ts in its own Node process (Node strips the types) with the given arguments and
 * returns the JSON it prints on its last line. The child gets no NODE_PATH and no NODE_OPTIONS from this process.
 */
export async function runHost<T>(script: string, args: string[], timeoutMs = 60_000): Promise<T> {
  const env = npmEnv();
  const file = join(__dirname, 'hosts', script);
  let stdout = '';
  let stderr = '';
  try {
    ({ stdout, stderr } = await run(process.execPath, [file, ...args], { cwd: tmpdir(), env, maxBuffer: 32 * 1024 * 1024, timeout: timeoutMs }));
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${script} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`.slice(0, 6000));
  }
  const last = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`${script} printed no JSON result:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
  }
}

// ---- the installed CLI's simulator ----------------------------------------------------------------------------------

export interface InstalledSimulator {
  opentouch: string;
  o2g: string;
  /** What it printed at start (the banner). */
  banner: string;
  close(): Promise<void>;
}

/**
 * `pbxflow simulate` from the installed package's bin link (what `npx pbxflow simulate` runs in that folder), with only
 * the production dependencies: the PBX the hosts' checks log in to. It stops by itself after `maxMs`.
 */
export function startInstalledSimulator(hostDir: string, maxMs = 120_000): Promise<InstalledSimulator> {
  const child = spawn(join(hostDir, 'node_modules', '.bin', 'pbxflow'), ['simulate', '--duration', String(maxMs)], { cwd: tmpdir(), env: npmEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let banner = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the installed simulator did not start within 15 s:\n${banner}`)), 15_000);
    function fail(err: Error) {
      clearTimeout(timer);
      child.kill();
      reject(err);
    }
    const early = (code: number | null) => fail(new Error(`the installed simulator exited (${code}):\n${banner}`));
    child.once('error', fail);
    child.once('exit', early);
    const onData = (d: Buffer) => {
      banner += d.toString();
      // The banner ends with the line saying how to stop it.
      if (!/Ctrl-C stops/.test(banner)) return;
      clearTimeout(timer);
      child.off('exit', early);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      // Read on, so a full pipe never blocks it.
      child.stdout.resume();
      child.stderr.resume();
      const url = (name: string) => new RegExp(`${name}:\\s+(http://127\\.0\\.0\\.1:\\d+)`).exec(banner)?.[1] ?? '';
      resolve({
        opentouch: url('opentouch'),
        o2g: url('o2g'),
        banner,
        close: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
}
