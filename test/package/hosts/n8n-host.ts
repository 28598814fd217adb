/**
 * Child process of the tarball tests: loads an installed package the way an n8n main process loads ~/.n8n/nodes, and
 * prints what it found as one JSON line.
 *
 *   node n8n-host.ts <repo root> <~/.n8n/nodes folder> [credential test JSON: {"name","type","data"}]
 *
 * Like n8n (LoadNodesAndCredentials.init): NODE_PATH becomes the host's own module folder, so a community package
 * resolves what n8n itself provides (n8n-workflow, the peer) and everything else from its own install; here the
 * host's folder holds n8n-workflow only, so a package that needed anything more would fail to load. Not in test
 * mode (NODE_ENV=production): n8n-core's loader then loads each class in a vm context, as in production.
 * n8n-core's scanDirectoryForPackages finds the package, its LazyPackageDirectoryLoader loads it.
 * Then every module of the package is required (platform code loads lazily in the nodes, so loading the nodes alone
 * would not reach it), and the credential test, when given, runs through the loaded node.
 */
import type { ICredentialTestFunction, ICredentialsDecrypted, INodeTypeDescription } from 'n8n-workflow';

// `require`, not `import`: node runs this file as CommonJS (an import would make it an ES module); n8n-core is loaded
// by path from the repository, as the host, after NODE_PATH is set.
const { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } = require('node:fs') as typeof import('node:fs');
const { tmpdir } = require('node:os') as typeof import('node:os');
const { join, relative } = require('node:path') as typeof import('node:path');
const Module = require('node:module') as typeof import('node:module') & { _initPaths(): void };

const [root, nodesDir, credentialArg] = process.argv.slice(2) as [string, string, string | undefined];

process.env.NODE_ENV = 'production';
process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'pbxflow-n8n-host-'));
const hostModules = join(process.env.N8N_USER_FOLDER, 'host', 'node_modules');
mkdirSync(hostModules, { recursive: true });
symlinkSync(join(root, 'node_modules', 'n8n-workflow'), join(hostModules, 'n8n-workflow'), 'dir');
process.env.NODE_PATH = hostModules;
Module._initPaths();

interface Loader {
  packageName: string;
  directory: string;
  isLazyLoaded: boolean;
  loadAll(): Promise<void>;
  nodeTypes: Record<string, { type: { description: INodeTypeDescription; methods?: { credentialTest?: Record<string, ICredentialTestFunction> } }; sourcePath: string }>;
  credentialTypes: Record<string, { type: { name: string; iconUrl?: unknown }; sourcePath: string }>;
  known: { credentials: Record<string, { supportedNodes?: string[] }> };
}

/** The package's Node modules: every .js under dist/ but the phones page's browser script (a file the simulator serves). */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return p.endsWith(join('web', 'static')) ? [] : jsFiles(p);
    return e.name.endsWith('.js') ? [p] : [];
  });
}

async function main(): Promise<string> {
  const started = Date.now();
  const core = require(join(root, 'node_modules', 'n8n-core')) as { scanDirectoryForPackages(dir: string): Promise<Loader[]> };
  const loaders = await core.scanDirectoryForPackages(join(nodesDir, 'node_modules'));
  const loadErrors: string[] = [];
  for (const loader of loaders) {
    try {
      await loader.loadAll();
    } catch (error) {
      loadErrors.push(`${loader.packageName}: ${(error as Error).stack ?? String(error)}`);
    }
  }
  const loadMs = Date.now() - started;
  const loader = loaders[0];
  if (!loader) {
    return JSON.stringify({ packages: [], loadErrors });
  }
  const dir = loader.directory;
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };

  const nodes = Object.fromEntries(
    Object.entries(loader.nodeTypes).map(([name, { type, sourcePath }]) => {
      const d = type.description;
      return [name, {
        sourcePath,
        displayName: d.displayName,
        inputs: d.inputs,
        usableAsTool: d.usableAsTool,
        credentials: (d.credentials ?? []).map((c) => [c.name, c.testedBy]),
        credentialTestMethods: Object.keys(type.methods?.credentialTest ?? {}),
        codex: d.codex ? { categories: d.codex.categories, alias: d.codex.alias } : undefined,
        iconUrl: d.iconUrl,
        propertyCount: d.properties.length,
      }];
    }),
  );
  const credentials = Object.fromEntries(
    Object.entries(loader.credentialTypes).map(([name, { type, sourcePath }]) => [name, {
      sourcePath,
      iconUrl: type.iconUrl,
      supportedNodes: loader.known.credentials[name]?.supportedNodes,
    }]),
  );

  // Every module of the package, with what this host provides and nothing else.
  const requireErrors: Array<{ file: string; error: string }> = [];
  for (const file of jsFiles(join(dir, 'dist'))) {
    try {
      require(file);
    } catch (error) {
      requireErrors.push({ file: relative(dir, file), error: (error as Error).message.split('\n')[0]! });
    }
  }
  // Where the package's own dependencies and the peer come from.
  const resolved = Object.fromEntries(
    [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].map((name) => {
      try {
        return [name, require.resolve(name, { paths: [dir] })];
      } catch (error) {
        return [name, `not found: ${(error as Error).message.split('\n')[0]}`];
      }
    }),
  );

  let credentialTest: unknown;
  if (credentialArg) {
    const cred = JSON.parse(credentialArg) as ICredentialsDecrypted & { method: string };
    const t = Date.now();
    const method = loader.nodeTypes.pbx?.type.methods?.credentialTest?.[cred.method];
    credentialTest = method ? { ...(await method.call({} as never, cred)), ms: Date.now() - t } : { status: 'missing', message: `no credential test "${cred.method}"` };
  }

  return JSON.stringify({
    packages: loaders.map((l) => l.packageName),
    packageDir: dir,
    loadErrors,
    loadMs,
    isLazyLoaded: loader.isLazyLoaded,
    nodes,
    credentials,
    requireErrors,
    resolved,
    hostModules,
    credentialTest,
  });
}

// Exit once the report is written: stdout is a pipe, and exit() would cut off a write still in flight.
main().then(
  (report) => {
    rmSync(process.env.N8N_USER_FOLDER!, { recursive: true, force: true });
    process.stdout.write(`${report}\n`, () => process.exit(0));
  },
  (error: unknown) => {
    console.error(error);
    rmSync(process.env.N8N_USER_FOLDER!, { recursive: true, force: true });
    process.exit(1);
  },
);
