import { SERVER_URL_SCHEMES, urlProblem as coreUrlProblem } from '../shared/errors';

/** The streams a command uses, so tests can run commands in-process. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Flags that never take a value: `--raw FILE` leaves FILE a positional argument. */
export const BOOLEAN_FLAGS: ReadonlySet<string> = new Set(['raw', 'admin', 'public', 'insecure', 'list', 'help', 'rtsm', 'tls']);

/** Parses `--key value` / `--key=value` / `--flag` / positional arguments. Boolean flags take no value. */
export function parseArgs(args: string[], booleans: ReadonlySet<string> = BOOLEAN_FLAGS): { flags: Record<string, string | true>; positional: string[] } {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) flags[name] = booleans.has(name) ? true : a.slice(eq + 1);
      else if (!booleans.has(name) && i + 1 < args.length && !args[i + 1].startsWith('--')) flags[name] = args[++i];
      else flags[name] = true;
    } else positional.push(a);
  }
  return { flags, positional };
}

/**
 * The password: `--password`, else `PBXFLOW_PASSWORD`, else the older `PBX_PASSWORD` (deprecated: a note says so).
 * Undefined when none is given: callers stop with a usage error rather than log in with an empty one.
 */
export function passwordFrom(flags: Record<string, string | true>, io: CliIo, cmd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (typeof flags.password === 'string' && flags.password) return flags.password;
  if (env.PBXFLOW_PASSWORD) return env.PBXFLOW_PASSWORD;
  if (env.PBX_PASSWORD) {
    io.stderr.write(`${cmd}: PBX_PASSWORD is deprecated, use PBXFLOW_PASSWORD\n`);
    return env.PBX_PASSWORD;
  }
  return undefined;
}

/** What `cli/platforms/<platform>.ts` exports (TelServices, Voicenter). */
export interface CliPlatform {
  usage: string;
  /** The flags the module reads (its `flags` export, else every `--name` its usage text mentions). */
  flags: string[];
  toConfig(flags: Record<string, string | boolean>): import('../shared/connection/types').ConnectionConfig;
}

/**
 * Loads `cli/platforms/<platform>.ts` when it is asked for (lazy: one platform's code is not loaded for another).
 * Undefined, with a clear message on stderr, when this build has no such module.
 */
export function loadCliPlatform(platform: string, io: CliIo, cmd: string): CliPlatform | undefined {
  if (!/^[a-z0-9-]+$/.test(platform)) return undefined;
  try {
    const mod = require(`./platforms/${platform}`) as Partial<CliPlatform>;
    if (typeof mod.toConfig === 'function') {
      const usage = typeof mod.usage === 'string' ? mod.usage : '';
      const flags = Array.isArray(mod.flags) ? mod.flags : [...new Set([...usage.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]))];
      return { usage, flags, toConfig: mod.toConfig };
    }
  } catch (err) {
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
  }
  io.stderr.write(`${cmd}: platform "${platform}" is not available in this build\n`);
  return undefined;
}

/** What a command accepts: its usage text, its flags (without `--`) and which of them take no value. */
export interface CommandSpec {
  name: string;
  usage: string;
  flags: readonly string[];
  booleans?: readonly string[];
}

/** Levenshtein distance, small strings only (flag names): "did you mean --password?". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** `--help` / `-h` anywhere in the arguments (before a lone `--`). */
export function wantsHelp(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/**
 * Flags a command does not know, with the known ones listed (a typo such as `--pasword` must not be ignored and
 * end in "wrong password"). Undefined when all are known.
 */
export function unknownFlags(flags: Record<string, unknown>, known: readonly string[], cmd: string): string | undefined {
  const bad = Object.keys(flags).filter((f) => !known.includes(f) && f !== 'help');
  if (!bad.length) return undefined;
  const lines = bad.map((f) => {
    const near = known.filter((k) => distance(f, k) <= Math.max(2, Math.floor(k.length / 3))).sort((x, y) => distance(f, x) - distance(f, y))[0];
    return `${cmd}: unknown option --${f}${near ? ` (did you mean --${near}?)` : ''}`;
  });
  return `${lines.join('\n')}\n${cmd}: known options: ${[...known].sort().map((k) => `--${k}`).join(' ')}\n`;
}

/**
 * Parses a command's arguments with its spec: `--help` prints the usage on stdout (exit 0, nothing else done);
 * an unknown flag is a usage error (exit 2). Otherwise the parsed arguments.
 */
export function parseCommand(args: string[], spec: CommandSpec, io: CliIo): { flags: Record<string, string | true>; positional: string[] } | number {
  if (wantsHelp(args)) {
    io.stdout.write(spec.usage.endsWith('\n') ? spec.usage : `${spec.usage}\n`);
    return 0;
  }
  const parsed = parseArgs(args, new Set([...BOOLEAN_FLAGS, ...(spec.booleans ?? [])]));
  const problem = unknownFlags(parsed.flags, spec.flags, spec.name);
  if (problem) {
    io.stderr.write(problem);
    return 2;
  }
  return parsed;
}

/**
 * Why a server URL cannot be used, in the words the n8n credential uses ("... has no scheme"), said once before
 * any request; undefined when it can. Without this, the HTTP layer says "Invalid URL for GET" on every attempt.
 * Voicenter's URL may be empty (its public login API).
 */
export function urlProblem(platform: string, url: string | undefined): string | undefined {
  if (!url && platform === 'voicenter') return undefined;
  return coreUrlProblem(url ?? '', SERVER_URL_SCHEMES[platform] ?? ['https']);
}
