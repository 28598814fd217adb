/**
 * `pbxflow listen --platform <opentouch|o2g|telservices|voicenter> --url URL --login L [--password P | env
 *   PBXFLOW_PASSWORD] [--users a,b] [--admin] [--public] [--insecure] [--ca FILE] [--raw] [--count N] [--duration MS]`
 * Connects to a PBX (or the simulator) and prints normalized events as JSON lines on stdout; connection changes
 * and warnings go to stderr. Runs until Ctrl-C, or until `--count` events or `--duration` ms. A network blip
 * is not an end: the connection reconnects and listening goes on; only a fatal error (wrong password) exits 1.
 */
import { readFileSync } from 'node:fs';
import '../../shared/platforms';
import { acquireConnection } from '../../shared/connection/registry';
import type { ConnectionConfig } from '../../shared/connection/types';
import type { PbxEvent } from '../../shared/model/events';
import { loadCliPlatform, parseArgs, passwordFrom, type CliIo } from '../io';

const USAGE = 'usage: pbxflow listen --platform <opentouch|o2g|telservices|voicenter> --url URL --login LOGIN [--password P] [--users a,b] [--admin] [--public] [--insecure] [--ca FILE] [--raw] [--count N] [--duration MS]\n       (the password may come from PBXFLOW_PASSWORD instead of the command line)\n';

/** The ALE config from the flags, or an exit code after a message. */
function aleConfig(platform: 'opentouch' | 'o2g', flags: Record<string, string | true>, io: CliIo): ConnectionConfig | number {
  const url = typeof flags.url === 'string' ? flags.url : '';
  const login = typeof flags.login === 'string' ? flags.login : '';
  if (!url || !login) {
    io.stderr.write(`listen: --url and --login are required\n${USAGE}`);
    return 2;
  }
  const password = passwordFrom(flags, io, 'listen');
  if (password === undefined) {
    // Logging in with an empty password is a failed login on a real account: stop before trying.
    io.stderr.write(`listen: a password is required (--password or PBXFLOW_PASSWORD)\n${USAGE}`);
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
  return config;
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const { flags } = parseArgs(args);
  const platform = String(flags.platform ?? '');
  let config: ConnectionConfig | number;
  if (platform === 'opentouch' || platform === 'o2g') config = aleConfig(platform, flags, io);
  else if (platform === 'telservices' || platform === 'voicenter') {
    const mod = loadCliPlatform(platform, io, 'listen');
    if (!mod) return 2;
    try {
      config = mod.toConfig(flags);
    } catch (err) {
      io.stderr.write(`listen: ${(err as Error).message}\n${mod.usage}\n`);
      return 2;
    }
  } else {
    io.stderr.write(`listen: --platform must be opentouch, o2g, telservices or voicenter\n${USAGE}`);
    return 2;
  }
  if (typeof config === 'number') return config;
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
  // Rate-limited and scrubbed by the connection.
  const offWarn = conn.onWarning((w) => io.stderr.write(`warning: ${w.message}\n`));
  const timer = Number.isFinite(duration) ? setTimeout(() => finish(0), duration) : undefined;
  const onSigint = () => finish(0);
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  conn.ready().catch((err: Error & { code?: string }) => {
    // Not fatal unless the connection says so (state `failed`, above): it goes on reconnecting.
    io.stderr.write(`listen: ${err.message}\n`);
    if (err.code === 'AUTH') finish(1);
  });
  const code = await done;
  if (timer) clearTimeout(timer);
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigint);
  off();
  offWarn();
  await lease.release();
  return code;
}
