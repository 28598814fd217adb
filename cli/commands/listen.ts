/**
 * `pbxflow listen --platform <opentouch|o2g> --url URL --login L [--password P | env PBX_PASSWORD]
 *   [--users a,b] [--admin] [--public] [--insecure] [--ca FILE] [--raw] [--count N] [--duration MS]`
 * Connects to a PBX (or the simulator) and prints normalized events as JSON lines on stdout; connection changes
 * and skipped lines go to stderr. Runs until Ctrl-C, or until `--count` events or `--duration` ms.
 */
import { readFileSync } from 'node:fs';
import '../../shared/platforms';
import { acquireConnection } from '../../shared/connection/registry';
import type { ConnectionConfig } from '../../shared/connection/types';
import { PbxError } from '../../shared/errors';
import type { PbxEvent } from '../../shared/model/events';
import { AleConnection } from '../../shared/platforms/ale/connection';
import { parseArgs, type CliIo } from '../io';

const USAGE = 'usage: pbxflow listen --platform <opentouch|o2g> --url URL --login LOGIN [--password P] [--users a,b] [--admin] [--public] [--insecure] [--ca FILE] [--raw] [--count N] [--duration MS]\n';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { flags } = parseArgs(args);
  const platform = String(flags.platform ?? '');
  if (platform !== 'opentouch' && platform !== 'o2g') {
    io.stderr.write(`listen: --platform must be opentouch or o2g\n${USAGE}`);
    return 2;
  }
  const url = typeof flags.url === 'string' ? flags.url : '';
  const login = typeof flags.login === 'string' ? flags.login : '';
  const password = typeof flags.password === 'string' ? flags.password : (process.env.PBX_PASSWORD ?? '');
  if (!url || !login) {
    io.stderr.write(`listen: --url and --login are required\n${USAGE}`);
    return 2;
  }
  const users = typeof flags.users === 'string' ? flags.users.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const config: ConnectionConfig = {
    platform,
    url,
    login,
    password,
    sessionKind: flags.admin === true || (users && users.length > 0) ? 'admin' : 'user',
    users,
    urlKind: flags.public === true ? 'public' : 'private',
    tls: {},
  };
  if (flags.insecure === true) config.tls!.rejectUnauthorized = false;
  if (typeof flags.ca === 'string') {
    try {
      config.tls!.ca = readFileSync(flags.ca, 'utf8');
    } catch (err) {
      io.stderr.write(`listen: cannot read ${flags.ca}: ${(err as Error).message}\n`);
      return 1;
    }
  }
  const count = typeof flags.count === 'string' ? Number(flags.count) : Infinity;
  const duration = typeof flags.duration === 'string' ? Number(flags.duration) : Infinity;

  const lease = acquireConnection(config);
  const conn = lease.connection;
  let seen = 0;
  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  const off = conn.onEvent((e: PbxEvent) => {
    if (e.type === 'connection.state') {
      io.stderr.write(`[${e.connection!.state}]${e.connection!.reason ? ` ${e.connection!.reason}` : ''}\n`);
      if (e.connection!.state === 'failed') finish(1);
      return;
    }
    io.stdout.write(`${JSON.stringify(e)}\n`);
    if (++seen >= count) finish(0);
  }, { includeRaw: flags.raw === true });
  const offDiag = conn instanceof AleConnection ? conn.onDiagnostic((d) => io.stderr.write(`warning: ${d.message}\n`)) : () => undefined;
  const timer = Number.isFinite(duration) ? setTimeout(() => finish(0), duration) : undefined;
  const onSigint = () => finish(0);
  process.once('SIGINT', onSigint);
  conn.ready().catch((err: PbxError) => {
    io.stderr.write(`listen: ${err.message}\n`);
    if (err.code === 'AUTH') finish(1);
  });
  const code = await done;
  if (timer) clearTimeout(timer);
  process.off('SIGINT', onSigint);
  off();
  offDiag();
  await lease.release();
  return code;
}
