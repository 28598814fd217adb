/**
 * `pbxflow call <operation> --platform <opentouch|o2g> --url URL --login L [--password P] [--user U]
 *  [--session admin] [--insecure] [--timeout MS] [--<field> value ...]`: runs one operation and prints its JSON
 * result, so ops can try a PBX account without building a workflow. `--list` prints the operations.
 * The password may come from PBXFLOW_PASSWORD instead of the command line (shell history, `ps`).
 * `--platform telservices|voicenter` takes its flags from `cli/platforms/<platform>.ts`.
 * The operation runs as soon as there is a session (no event stream needed); every request has its deadline, so an
 * unreachable PBX ends in a NETWORK or TIMEOUT error, never in a silent wait.
 */
import { PbxError } from '../../shared/errors';
import type { Platform } from '../../shared/model/events';
import { operationSpec, operationsFor, type OperationName } from '../../shared/operations/catalogue';
import { acquireConnection } from '../../shared/connection/registry';
import type { ConnectionConfig } from '../../shared/connection/types';
import { aleSupports } from '../../shared/platforms/ale/operations';
import { loadCliPlatform, parseArgs, passwordFrom, type CliIo } from '../io';
import '../../shared/platforms';

const PLATFORMS: Platform[] = ['opentouch', 'o2g'];
/** Flags of the command itself; every other `--name value` is an operation field. */
const OWN = new Set(['platform', 'url', 'login', 'password', 'user', 'session', 'insecure', 'timeout', 'list']);
const OTHER_PLATFORMS = new Set(['telservices', 'voicenter']);

const USAGE = 'usage: pbxflow call <operation> --platform <opentouch|o2g> --url URL --login LOGIN [--password P] [--user U] [--session admin] [--insecure] [--timeout MS] [--<field> VALUE ...]\n       pbxflow call --list [--platform P]\n';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { flags, positional } = parseArgs(args);
  const platform = String(flags.platform ?? 'opentouch') as Platform;
  if (OTHER_PLATFORMS.has(platform)) return runOther(platform, flags, positional, io);
  if (!PLATFORMS.includes(platform)) {
    io.stderr.write(`call: --platform must be one of ${PLATFORMS.join(', ')}\n`);
    return 2;
  }
  if (flags.list) {
    // The catalogue lists ALE-wide operations; the platform table knows which ones this platform lacks.
    for (const op of operationsFor(platform).filter((o) => aleSupports(platform as 'opentouch' | 'o2g', o.name))) {
      const fields = op.fields.map((f) => `--${f.name}${f.required ? '' : '?'}`).join(' ');
      io.stdout.write(`${op.name.padEnd(20)} ${op.action}${fields ? `  ${fields}` : ''}\n`);
    }
    return 0;
  }
  const op = positional[0];
  const spec = op ? operationSpec(op) : undefined;
  if (!spec) {
    io.stderr.write(op ? `call: unknown operation "${op}" (see pbxflow call --list)\n` : USAGE);
    return 2;
  }
  const password = passwordFrom(flags, io, 'call');
  if (typeof flags.url !== 'string' || typeof flags.login !== 'string' || !password) {
    io.stderr.write(`call: --url, --login and a password (--password or PBXFLOW_PASSWORD) are required\n${USAGE}`);
    return 2;
  }
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flags)) if (!OWN.has(k)) input[k] = v === true ? 'true' : v;
  const config: ConnectionConfig = {
    platform,
    url: flags.url,
    login: flags.login,
    password,
    sessionKind: flags.session === 'admin' ? 'admin' : 'user',
    users: typeof flags.user === 'string' ? [flags.user] : undefined,
    tls: flags.insecure ? { rejectUnauthorized: false } : undefined,
    requestTimeoutMs: typeof flags.timeout === 'string' ? Number(flags.timeout) : undefined,
  };
  return execute(config, spec.name as OperationName, input, typeof flags.user === 'string' ? flags.user : undefined, io, false);
}

/** TelServices / Voicenter: flags read by their own module. */
async function runOther(platform: string, flags: Record<string, string | true>, positional: string[], io: CliIo): Promise<number> {
  const mod = loadCliPlatform(platform, io, 'call');
  if (!mod) return 2;
  const op = positional[0];
  const spec = op ? operationSpec(op) : undefined;
  if (!spec) {
    io.stderr.write(op ? `call: unknown operation "${op}"\n` : `${mod.usage}\n`);
    return 2;
  }
  let config: ConnectionConfig;
  try {
    config = mod.toConfig(flags);
  } catch (err) {
    io.stderr.write(`call: ${(err as Error).message}\n${mod.usage}\n`);
    return 2;
  }
  const own = new Set([...OWN, ...Object.keys(flags).filter((k) => !spec.fields.some((f) => f.name === k))]);
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flags)) if (!own.has(k)) input[k] = v === true ? 'true' : v;
  return execute(config, spec.name as OperationName, input, typeof flags.user === 'string' ? flags.user : undefined, io, true);
}

async function execute(config: ConnectionConfig, name: OperationName, input: Record<string, unknown>, user: string | undefined, io: CliIo, waitReady: boolean): Promise<number> {
  const lease = acquireConnection(config);
  try {
    // ALE operations need the session only (the connection logs in on demand); other platforms say when ready,
    // within a deadline.
    if (waitReady) await (lease.connection.ready as (ms?: number) => Promise<void>).call(lease.connection, (config.requestTimeoutMs ?? 10_000) * 3);
    const result = await lease.connection.execute(name, input, { user });
    io.stdout.write(`${JSON.stringify(result ?? { ok: true }, null, 2)}\n`);
    return 0;
  } catch (err) {
    // PbxError messages never carry secrets; anything else is reported by its message only.
    const e = err instanceof PbxError ? { code: err.code, message: err.message, canRetry: err.canRetry } : { code: 'ERROR', message: (err as Error).message };
    io.stderr.write(`${JSON.stringify({ error: e })}\n`);
    return 1;
  } finally {
    await lease.release();
  }
}
