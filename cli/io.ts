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
    if (typeof mod.toConfig === 'function') return { usage: typeof mod.usage === 'string' ? mod.usage : '', toConfig: mod.toConfig };
  } catch (err) {
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
  }
  io.stderr.write(`${cmd}: platform "${platform}" is not available in this build\n`);
  return undefined;
}
