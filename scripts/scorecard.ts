/**
 * `npm run scorecard`: Node-RED's Flow Library scorecard (`node-red-dev validate`, the checks flows.nodered.org shows
 * for a package) on the release tarball as a user installs it: `npm pack`, `npm install <tgz> --omit=dev` into a
 * temporary folder, then validate that installed package. Run by .ci/run after the build; exits non-zero when a check
 * this package claims fails.
 *
 * node-red-dev is a tool, not a dependency: it is installed on first use (pinned, without install scripts) into
 * .tmp/tools/ (PBXFLOW_TOOLS_DIR to change), from the npm registry.
 *
 * Offline: P08 (similar package names) and N01 (node type names unique in the catalogue) read
 * catalogue.nodered.org, which CI cannot reach. Its answer is replaced by an empty catalogue so the other checks run,
 * and those two are reported as not checked. P06/P07 (Node-RED and Node versions), D02 and D03 (dependency tree, latest
 * versions) ask the npm registry, which CI reaches.
 *
 * Known result: D03 fails for socket.io-client, which stays on 2.x on purpose (Voicenter's servers speak socket.io 2;
 * README, "Voicenter"). Other D03 findings are printed as warnings and do not fail the run: they appear whenever a
 * dependency publishes a new major version, with no change here, and CI must not turn red on someone else's release.
 *
 * Run by `node` itself (Node 24 strips the types): erasable TypeScript only.
 */
import type { ExecFileSyncOptions } from 'node:child_process';

/* eslint-disable @typescript-eslint/no-require-imports -- `require`, not `import`: node runs this file as CommonJS
   (an `import` statement would make it an ES module), and node-red-dev is loaded from the tools folder at run time. */
const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
const { createRequire } = require('node:module') as typeof import('node:module');
const { tmpdir } = require('node:os') as typeof import('node:os');
const { join, resolve } = require('node:path') as typeof import('node:path');

const NODE_RED_DEV = '0.1.6';
const ROOT = resolve(__dirname, '..');
const TOOLS = process.env.PBXFLOW_TOOLS_DIR ?? join(ROOT, '.tmp', 'tools');

/** The checks this package must pass. */
const REQUIRED: Record<string, string> = {
  P01: 'licence declared',
  P03: 'repository or bugs URL',
  P04: 'scoped name',
  P05: 'node-red keyword',
  P06: 'node-red.version satisfies the current Node-RED release',
  P07: 'engines.node satisfies the current Node-RED minimum',
  N02: 'an example flow for every node',
  D01: 'at most 6 dependencies',
  D02: 'no known-bad package in the dependency tree',
};
const NOT_CHECKED_OFFLINE: Record<string, string> = {
  P08: 'similar package names (needs catalogue.nodered.org)',
  N01: 'node type names unique across the catalogue (needs catalogue.nodered.org)',
};
/** D03 findings that are decisions, not oversights. */
const KNOWN_OUTDATED: Record<string, string> = {
  'socket.io-client': 'kept on 2.x on purpose: Voicenter servers speak socket.io 2 (4.x ships as socket.io-client-v4)',
};

interface Check {
  test: boolean;
  packages?: string[];
  nodes?: string[];
  [k: string]: unknown;
}

/** npm without what `npm run` adds to the environment (npm_config_local_prefix would point it at this repository). */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('npm_') && !['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'].includes(k)) continue;
    env[k] = v;
  }
  return env;
}

function npm(args: string[], cwd: string): string {
  const options: ExecFileSyncOptions = { cwd, env: npmEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 };
  return execFileSync('npm', args, options).toString();
}

function installTool(): string {
  const dir = join(TOOLS, `node-red-dev-${NODE_RED_DEV}`);
  const entry = join(dir, 'node_modules', 'node-red-dev', 'package.json');
  if (!existsSync(entry)) {
    console.log(`scorecard: installing node-red-dev@${NODE_RED_DEV} into ${dir}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'pbxflow-tools', private: true }));
    // --ignore-scripts: its only install script is core-js's banner.
    npm(['install', `node-red-dev@${NODE_RED_DEV}`, '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', dir], dir);
  }
  return entry;
}

function installTarball(work: string): string {
  const out = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT);
  const [report] = JSON.parse(out.slice(out.indexOf('['), out.lastIndexOf(']') + 1)) as Array<{ filename: string; name: string }>;
  const host = join(work, 'host');
  mkdirSync(host);
  writeFileSync(join(host, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  npm(['install', join(work, report!.filename), '--omit=dev', '--no-audit', '--no-fund', '--prefix', host], host);
  return join(host, 'node_modules', ...report!.name.split('/'));
}

async function validate(toolEntry: string, packageDir: string, output: string): Promise<void> {
  const toolRequire = createRequire(toolEntry);
  // node-red-dev's own axios (0.21): requests for the catalogue get an empty one (see the header).
  const axios = toolRequire('axios') as { interceptors: { request: { use(f: (c: { url?: string; adapter?: unknown }) => unknown): void } } };
  axios.interceptors.request.use((config) => {
    if (/catalogue\.nodered\.org/.test(config.url ?? '')) {
      config.adapter = async () => ({ data: { modules: [] }, status: 200, statusText: 'OK', headers: {}, config });
    }
    return config;
  });
  const Validate = toolRequire('./src/commands/validate.js') as { run(argv: string[]): Promise<void> };
  await Validate.run(['--path', packageDir, '--output', output, '--embed', 'yes']);
}

function judge(card: Record<string, Check>): string[] {
  const problems: string[] = [];
  for (const [id, what] of Object.entries(REQUIRED)) {
    const ok = card[id]?.test === true;
    console.log(`${ok ? 'pass' : 'FAIL'}  ${id} ${what}`);
    if (!ok) problems.push(`${id} ${what}: ${JSON.stringify(card[id] ?? 'not reported')}`);
  }
  for (const [id, what] of Object.entries(NOT_CHECKED_OFFLINE)) console.log(`n/a   ${id} ${what}`);
  const outdated = card.D03?.test === false ? (card.D03.packages ?? []) : [];
  for (const name of outdated) {
    const why = KNOWN_OUTDATED[name];
    console.log(`${why ? 'known' : 'warn '} D03 ${name} is not at its latest version${why ? `: ${why}` : ' (update it, or say why not here)'}`);
  }
  if (!card.D03) problems.push('D03 not reported');
  else if (outdated.length === 0) console.log('pass  D03 dependencies at their latest versions');
  return problems;
}

async function main(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'pbxflow-scorecard-'));
  try {
    const tool = installTool();
    const packageDir = installTarball(work);
    const output = join(work, 'scorecard.json');
    await validate(tool, packageDir, output);
    if (!existsSync(output)) {
      console.error('scorecard: node-red-dev wrote no scorecard');
      return 1;
    }
    const card = JSON.parse(readFileSync(output, 'utf8')) as Record<string, Check>;
    const problems = judge(card);
    if (problems.length) {
      console.error(`scorecard: ${problems.length} check(s) failed:\n  ${problems.join('\n  ')}`);
      return 1;
    }
    console.log('scorecard: every check this package claims passed');
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// node-red-dev keeps a readline on stdin open: end the process when the verdict is in.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`scorecard: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
