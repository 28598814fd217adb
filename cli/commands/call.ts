/**
 * `pbxflow call <operation> --platform <opentouch|o2g> --url URL --login L [--password P] [--user U]
 *  [--session admin] [--insecure] [--timeout MS] [--raw] [--<field> value ...]`: runs one operation and prints its
 * JSON result, so ops can try a PBX account without building a workflow. `--list` prints the operations.
 * The password may come from PBXFLOW_PASSWORD instead of the command line (shell history, `ps`).
 * Every platform's flags are its settings schema's (and the older words), parsed strictly: cli/settings.ts.
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
import { platformList } from '../../shared/platforms/catalog';
import { ALE_PLATFORMS, OTHER_PLATFORMS, cliPlatforms, parseFlags, platformBooleans, platformConfig, platformFlags, platformHelp, platformUsage } from '../settings';
import { parseArgs, passwordFrom, urlProblem, wantsHelp, type CliIo } from '../io';
import '../../shared/platforms';

const PLATFORMS = ALE_PLATFORMS;
/** Flags of the command itself, beside the platform's settings; the operation's fields are flags too. */
const OWN = ['platform', 'user', 'timeout', 'list', 'raw'];

export const usage = `usage: pbxflow call <operation> --platform <${ALE_PLATFORMS.join('|')}> --url URL --login LOGIN [--password P] [--user U]
                    [--session admin] [--insecure] [--timeout MS] [--raw] [--<field> VALUE ...]
       pbxflow call <operation> --platform <${OTHER_PLATFORMS.join('|')}> <that platform's options> [--<field> VALUE ...]
       pbxflow call --list --platform P            the operations and their fields
       pbxflow call <operation> --help              one operation's fields

  --platform P     required (as for \`pbxflow listen\`): ${platformList()};
                   --platform P --help shows every setting of that platform, from its schema
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
    io.stdout.write(`${spec ? operationHelp(spec) : usage}${platformHelp(first.flags.platform)}`);
    return 0;
  }
  // No default platform: each speaks its own protocol, and a guess would fail in confusing ways (same rule as listen).
  const platform = String(first.flags.platform ?? '') as Platform;
  if (!cliPlatforms().includes(platform)) {
    io.stderr.write(`call: ${platform ? '--platform must be one of' : '--platform is required:'} ${cliPlatforms().join(', ')}\n`);
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
  const ale = PLATFORMS.includes(platform);
  if (!spec.platforms.includes(platform) || (ale && !aleSupports(platform as 'opentouch' | 'o2g', spec.name))) {
    io.stderr.write(`call: ${spec.name} is not available on ${platform} (see pbxflow call --list --platform ${platform})\n`);
    return 2;
  }
  // Strict: the platform's settings (and older words), this command's flags and the operation's fields.
  const known = [...new Set([...OWN, ...platformFlags(platform), ...fields])];
  const parsed = parseFlags(args, known, ['raw', 'list', ...platformBooleans(platform)], 'call', (t) => io.stderr.write(t));
  if (!parsed) return 2;
  const { flags } = parsed;
  const user = typeof flags.user === 'string' ? flags.user : undefined;
  const timeout = typeof flags.timeout === 'string' ? flags.timeout : undefined;
  let config: ConnectionConfig;
  if (ale) {
    const password = passwordFrom(flags as Record<string, string | true>, io, 'call');
    if (typeof flags.url !== 'string' || typeof flags.login !== 'string' || !password) {
      io.stderr.write(`call: --url, --login and a password (--password or PBXFLOW_PASSWORD) are required\n${usage}`);
      return 2;
    }
    const badUrl = urlProblem(platform, flags.url);
    if (badUrl) {
      io.stderr.write(`call: ${badUrl}\n`);
      return 2;
    }
    try {
      // --user is the one user an administrator session acts for (--session admin); --timeout is the schema's.
      config = platformConfig(platform, flags, {}, { password, users: user ? [user] : undefined });
    } catch (err) {
      io.stderr.write(`call: ${(err as Error).message}\n`);
      return 2;
    }
  } else {
    try {
      // --timeout MS is this command's word for the request timeout on every platform.
      config = platformConfig(platform, flags, process.env, { requestTimeoutMs: timeout });
    } catch (err) {
      io.stderr.write(`call: ${(err as Error).message}\n${platformUsage(platform)}\n`);
      return 2;
    }
    const badUrl = urlProblem(platform, config.url);
    if (badUrl) {
      io.stderr.write(`call: ${badUrl}\n`);
      return 2;
    }
  }
  // The command ends with its work: its session closes at once (no warm linger keeping the process up).
  config.lingerMs = 0;
  // ALE operations need the session only (the connection logs in on demand); the others wait until ready.
  return execute(config, spec.name, fieldsOf(flags, fields), user, io, { waitReady: !ale, raw: flags.raw === true });
}

function fieldsOf(flags: Record<string, string | boolean>, fields: string[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flags)) if (fields.includes(k)) input[k] = v === true ? 'true' : v;
  return input;
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

