/**
 * `pbxflow call <operation> --platform <opentouch|o2g> --url URL --login L [--password P] [--user U]
 *  [--session admin] [--insecure] [--timeout MS] [--raw] [--<field> value ...]`: runs one operation and prints its
 * JSON result, so ops can try a PBX account without building a workflow. `--list` prints the operations.
 * The password may come from PBXFLOW_PASSWORD instead of the command line (shell history, `ps`).
 * `--platform telservices|voicenter` takes its flags from `cli/platforms/<platform>.ts`.
 * The operation runs as soon as there is a session (no event stream needed); every request has its deadline, so an
 * unreachable PBX ends in a NETWORK or TIMEOUT error, never in a silent wait.
 * `listCalls` prints the calls in the normalized model (the `call` object events carry, from the core);
 * `--raw` prints the PBX's own answer instead.
 */
import type { Platform } from '../../shared/model/events';
import { operationSpec, operationsFor, type OperationName, type OperationSpec } from '../../shared/operations/catalogue';
import { acquireConnection } from '../../shared/connection/registry';
import type { ConnectionConfig } from '../../shared/connection/types';
import { aleSupports } from '../../shared/platforms/ale/operations';
import { describeFailure, targetOf } from '../errors';
import { loadCliPlatform, parseArgs, parseCommand, passwordFrom, platformHelp, unknownFlags, urlProblem, wantsHelp, type CliIo } from '../io';
import '../../shared/platforms';

const PLATFORMS: Platform[] = ['opentouch', 'o2g'];
/** Flags of the command itself; the operation's fields are flags too. */
const OWN = ['platform', 'url', 'login', 'password', 'user', 'session', 'insecure', 'timeout', 'list', 'raw'];
const OTHER_PLATFORMS = new Set(['telservices', 'voicenter']);

export const usage = `usage: pbxflow call <operation> --platform <opentouch|o2g> --url URL --login LOGIN [--password P] [--user U]
                    [--session admin] [--insecure] [--timeout MS] [--raw] [--<field> VALUE ...]
       pbxflow call <operation> --platform <telservices|voicenter> <that platform's options> [--<field> VALUE ...]
       pbxflow call --list --platform P            the operations and their fields
       pbxflow call <operation> --help              one operation's fields

  --platform P     required (as for \`pbxflow listen\`): opentouch, o2g, telservices or voicenter
  --url URL        the PBX's address with its scheme, e.g. https://ot.example.com (the simulator prints its own)
  --login LOGIN    the account; --password P, or the PBXFLOW_PASSWORD environment variable (kept out of \`ps\`)
  --session admin  an administrator session, acting for --user U (required with an administrator account for
                   operations on a user's phone: the PBX's error lists the users to choose from)
  --insecure       accept a self-signed certificate (test servers only)
  --timeout MS     per request (default 10000)
  --raw            listCalls: the PBX's own answer instead of the normalized calls
  Exit codes: 0 done, 1 the PBX or the network failed (the reason is printed), 2 bad usage.
`;

/** One operation's help: its fields, required ones marked. */
function operationHelp(spec: OperationSpec): string {
  const fields = spec.fields.map((f) => `  --${f.name.padEnd(14)} ${f.required ? '(required) ' : ''}${f.description}${f.options ? ` [${f.options.map((o) => o.value).join('|')}]` : ''}`);
  return `pbxflow call ${spec.name}: ${spec.description} (${spec.platforms.join(', ')})\n${fields.length ? fields.join('\n') : '  (no fields)'}\n\n${usage}`;
}

function listOperations(platform: Platform, io: CliIo): number {
  // The catalogue lists ALE-wide operations; the platform table knows which ones this platform lacks.
  const ops = operationsFor(platform).filter((o) => !PLATFORMS.includes(platform) || aleSupports(platform as 'opentouch' | 'o2g', o.name));
  for (const op of ops) {
    const fields = op.fields.map((f) => `--${f.name}${f.required ? '' : '?'}`).join(' ');
    io.stdout.write(`${op.name.padEnd(20)} ${op.action}${fields ? `  ${fields}` : ''}\n`);
  }
  if (!ops.length) io.stdout.write(`(no operations on ${platform})\n`);
  return 0;
}

export async function run(args: string[], io: CliIo): Promise<number> {
  // The operation comes first: `call makeCall --help` shows its fields.
  const first = parseArgs(args);
  const op = first.positional[0];
  const spec = op ? operationSpec(op) : undefined;
  if (wantsHelp(args)) {
    io.stdout.write(`${spec ? operationHelp(spec) : usage}${platformHelp(first.flags.platform, io)}`);
    return 0;
  }
  // No default platform: each speaks its own protocol, and a guess would fail in confusing ways (same rule as listen).
  const platform = String(first.flags.platform ?? '') as Platform;
  if (!PLATFORMS.includes(platform) && !OTHER_PLATFORMS.has(platform)) {
    io.stderr.write(`call: ${platform ? '--platform must be one of' : '--platform is required:'} ${[...PLATFORMS, ...OTHER_PLATFORMS].join(', ')}\n`);
    return 2;
  }
  if (first.flags.list) return listOperations(platform, io);
  if (!spec) {
    io.stderr.write(op ? `call: unknown operation "${op}" (see pbxflow call --list --platform ${platform})\n` : usage);
    return 2;
  }
  if (first.positional.length > 1) {
    io.stderr.write(`call: unexpected argument "${first.positional[1]}" (fields are given as --name value)\n`);
    return 2;
  }
  const fields = spec.fields.map((f) => f.name);
  if (!spec.platforms.includes(platform) || (PLATFORMS.includes(platform) && !aleSupports(platform as 'opentouch' | 'o2g', spec.name))) {
    io.stderr.write(`call: ${spec.name} is not available on ${platform} (see pbxflow call --list --platform ${platform})\n`);
    return 2;
  }
  if (OTHER_PLATFORMS.has(platform)) return runOther(platform, spec, io, args);
  const parsed = parseCommand(args, { name: 'call', usage, flags: [...OWN, ...fields] }, io);
  if (typeof parsed === 'number') return parsed;
  const { flags } = parsed;
  const password = passwordFrom(flags, io, 'call');
  if (typeof flags.url !== 'string' || typeof flags.login !== 'string' || !password) {
    io.stderr.write(`call: --url, --login and a password (--password or PBXFLOW_PASSWORD) are required\n${usage}`);
    return 2;
  }
  const badUrl = urlProblem(platform, flags.url);
  if (badUrl) {
    io.stderr.write(`call: ${badUrl}\n`);
    return 2;
  }
  const input = fieldsOf(flags, fields);
  const config: ConnectionConfig = {
    platform,
    url: flags.url,
    login: flags.login,
    password,
    sessionKind: flags.session === 'admin' ? 'admin' : 'user',
    users: typeof flags.user === 'string' ? [flags.user] : undefined,
    tls: flags.insecure ? { rejectUnauthorized: false } : undefined,
    requestTimeoutMs: typeof flags.timeout === 'string' ? Number(flags.timeout) : undefined,
    // The command ends with its work: its session closes at once (no warm linger keeping the process up).
    lingerMs: 0,
  };
  return execute(config, spec.name, input, typeof flags.user === 'string' ? flags.user : undefined, io, { waitReady: false, raw: flags.raw === true });
}

function fieldsOf(flags: Record<string, string | true>, fields: string[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flags)) if (fields.includes(k)) input[k] = v === true ? 'true' : v;
  return input;
}

/** TelServices / Voicenter: flags read by their own module. */
async function runOther(platform: string, spec: OperationSpec, io: CliIo, args: string[]): Promise<number> {
  const mod = loadCliPlatform(platform, io, 'call');
  if (!mod) return 2;
  const fields = spec.fields.map((f) => f.name);
  const { flags } = parseArgs(args);
  const problem = unknownFlags(flags, [...new Set([...mod.flags, 'platform', 'user', 'raw', 'timeout', ...fields])], 'call');
  if (problem) {
    io.stderr.write(problem);
    return 2;
  }
  let config: ConnectionConfig;
  try {
    config = { ...mod.toConfig(flags), lingerMs: 0 };
  } catch (err) {
    io.stderr.write(`call: ${(err as Error).message}\n${mod.usage}\n`);
    return 2;
  }
  if (typeof flags.timeout === 'string') config.requestTimeoutMs = Number(flags.timeout);
  const badUrl = urlProblem(platform, config.url);
  if (badUrl) {
    io.stderr.write(`call: ${badUrl}\n`);
    return 2;
  }
  return execute(config, spec.name, fieldsOf(flags, fields), typeof flags.user === 'string' ? flags.user : undefined, io, { waitReady: true, raw: flags.raw === true });
}


async function execute(config: ConnectionConfig, name: OperationName, input: Record<string, unknown>, user: string | undefined, io: CliIo, o: { waitReady: boolean; raw: boolean }): Promise<number> {
  const lease = acquireConnection(config);
  const conn = lease.connection;
  const deadline = (config.requestTimeoutMs ?? 10_000) * 3;
  try {
    // ALE operations need the session only (the connection logs in on demand); other platforms say when ready,
    // within a deadline.
    if (o.waitReady) await conn.ready(deadline);
    // listCalls answers in the normalized model (the `call` objects events carry); --raw asks for the PBX's own.
    const result = await conn.execute(name, input, { user, raw: o.raw });
    io.stdout.write(`${JSON.stringify(result ?? { ok: true }, null, 2)}\n`);
    return 0;
  } catch (err) {
    // PbxError messages never carry secrets; anything else is reported by its message only.
    io.stderr.write(`${JSON.stringify({ error: describeFailure(err, targetOf(config)) })}\n`);
    return 1;
  } finally {
    await lease.release();
  }
}

