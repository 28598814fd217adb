/**
 * `pbxflow listen --platform <any platform of shared/platforms/catalog.ts> --url URL --login L [--password P | env
 *   PBXFLOW_PASSWORD] [--users a,b] [--admin] [--public] [--insecure] [--ca FILE] [--raw] [--count N] [--duration MS]`
 * Connects to a PBX (or the simulator) and prints normalized events as JSON lines on stdout; connection changes
 * and warnings go to stderr. Runs until Ctrl-C, or until `--count` events or `--duration` ms. A network blip
 * is not an end: the connection reconnects and listening goes on; only a fatal error (wrong password) exits 1.
 * Every platform's flags are its settings schema's, parsed strictly (cli/settings.ts).
 */
import '../../shared/platforms';
import { acquireConnection } from '../../shared/connection/registry';
import type { ConnectionConfig } from '../../shared/connection/types';
import type { PbxEvent, Platform } from '../../shared/model/events';
import { EventOutput, eventJson } from '../../shared/model/output';
import { describeFailure } from '../errors';
import { platformList } from '../../shared/platforms/catalog';
import { ALE_PLATFORMS, OTHER_PLATFORMS, cliPlatforms, parseFlags, platformBooleans, platformConfig, platformFlags, platformHelp, platformUsage } from '../settings';
import { parseArgs, passwordFrom, urlProblem, wantsHelp, type CliIo } from '../io';

/** Options every platform's listen takes besides its settings. */
const COMMON = ['platform', 'raw', 'count', 'duration'];

export const usage = `usage: pbxflow listen --platform <${ALE_PLATFORMS.join('|')}> --url URL --login LOGIN [--password P] [--users a,b] [--admin]
                      [--public] [--insecure] [--ca FILE] [--raw] [--count N] [--duration MS]
       pbxflow listen --platform <${OTHER_PLATFORMS.join('|')}> <that platform's options> [--raw] [--count N] [--duration MS]
       pbxflow listen --platform P --help          every setting of that platform, from its schema

  --platform P    required (as for \`pbxflow call\`): ${platformList()}
  --url URL       the PBX's address with its scheme, e.g. https://pbx.example.com (pbxflow simulate prints its own)
  --login LOGIN   the account; --password P, or the PBXFLOW_PASSWORD environment variable (kept out of \`ps\`)
  --users a,b     an administrator session monitoring these users (--admin: an admin session)
  --public        use the public URLs the server announces (the default; --url-kind private for the LAN ones)
  --insecure      accept a self-signed certificate (test servers only); --ca FILE trusts that CA
  --raw           include the PBX's raw events in each event
  --count N       stop after N events; --duration MS: stop after MS milliseconds; otherwise Ctrl-C stops
  Events go to stdout as JSON lines, connection changes and warnings to stderr. Once connected, a network blip is
  retried; a PBX that cannot be reached at start, or a refused login, ends the command with exit 1.
  Exit codes: 0 done, 1 failed (the reason is printed), 2 bad usage.
`;
const USAGE = usage;
/** How long listen waits for a first connection before it gives up (exit 1). */
const START_DEADLINE_MS = 30_000;

/** The ALE config from the flags, or an exit code after a message (the URL and the password said first). */
function aleConfig(platform: 'opentouch' | 'o2g', flags: Record<string, string | boolean>, io: CliIo): ConnectionConfig | number {
  const url = typeof flags.url === 'string' ? flags.url : '';
  const login = typeof flags.login === 'string' ? flags.login : '';
  if (!url || !login) {
    io.stderr.write(`listen: --url and --login are required\n${USAGE}`);
    return 2;
  }
  const password = passwordFrom(flags as Record<string, string | true>, io, 'listen');
  if (password === undefined) {
    // Logging in with an empty password is a failed login on a real account: stop before trying.
    io.stderr.write(`listen: a password is required (--password or PBXFLOW_PASSWORD)\n${USAGE}`);
    return 2;
  }
  // The URL's words first, as n8n words them ("... has no scheme"); the schema checks the rest.
  const badUrl = urlProblem(platform, url);
  if (badUrl) {
    io.stderr.write(`listen: ${badUrl}\n`);
    return 2;
  }
  try {
    return platformConfig(platform, flags, {}, { password });
  } catch (err) {
    io.stderr.write(`listen: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const loose = parseArgs(args);
  if (wantsHelp(args)) {
    io.stdout.write(`${usage}${platformHelp(loose.flags.platform)}`);
    return 0;
  }
  const platform = String(loose.flags.platform ?? '') as Platform;
  if (!cliPlatforms().includes(platform)) {
    io.stderr.write(`listen: ${platform ? '--platform must be' : '--platform is required:'} ${platformList()}\n${USAGE}`);
    return 2;
  }
  // Strict: every flag is one of the platform's settings (or older words) or this command's; a typo is refused.
  const parsed = parseFlags(args, [...COMMON, ...platformFlags(platform)], ['raw', ...platformBooleans(platform)], 'listen', (t) => io.stderr.write(t));
  if (!parsed) return 2;
  const { flags, positional } = parsed;
  if (positional.length) {
    io.stderr.write(`listen: unexpected argument "${positional[0]}"\n${USAGE}`);
    return 2;
  }
  let config: ConnectionConfig | number;
  if (platform === 'opentouch' || platform === 'o2g') config = aleConfig(platform, flags, io);
  else {
    try {
      config = platformConfig(platform, flags);
    } catch (err) {
      io.stderr.write(`listen: ${(err as Error).message}\n${platformUsage(platform)}\n`);
      return 2;
    }
  }
  if (typeof config === 'number') return config;
  const badUrl = urlProblem(config.platform, config.url);
  if (badUrl) {
    io.stderr.write(`listen: ${badUrl}\n`);
    return 2;
  }
  // The command ends with its work: its connection closes at once (no warm linger keeping the process up).
  config.lingerMs = 0;
  const count = typeof flags.count === 'string' ? Number(flags.count) : Infinity;
  const duration = typeof flags.duration === 'string' ? Number(flags.duration) : Infinity;
  if (Number.isNaN(count) || count < 1 || Number.isNaN(duration) || duration < 0) {
    io.stderr.write(`listen: --count must be a positive number and --duration a number of milliseconds\n${USAGE}`);
    return 2;
  }

  const lease = acquireConnection(config);
  const conn = lease.connection;
  let seen = 0;
  let ending = false;
  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finish = (code) => {
    ending = true;
    resolve(code);
  }));
  let connectedOnce = false;
  // The event as every host emits it (the same JSON as n8n's trigger and Node-RED's event node).
  const output = new EventOutput({ includeRaw: flags.raw === true });
  const off = conn.onEvent((e: PbxEvent) => {
    if (e.type === 'connection.state') {
      if (e.connection!.state === 'connected') connectedOnce = true;
      io.stderr.write(`[${e.connection!.state}]${e.connection!.reason ? ` ${e.connection!.reason}` : ''}\n`);
      if (e.connection!.state === 'failed') finish(1);
      return;
    }
    const out = output.take(e);
    if (!out) return;
    io.stdout.write(`${eventJson(out)}\n`);
    if (++seen >= count) finish(0);
  }, { includeRaw: flags.raw === true });
  // Rate-limited and scrubbed by the connection.
  const offWarn = conn.onWarning((w) => io.stderr.write(`warning: ${w.message}\n`));
  const timer = Number.isFinite(duration) ? setTimeout(() => finish(0), duration) : undefined;
  const onSigint = () => finish(0);
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  // Past this without a first connection the PBX is taken as unreachable (some platforms retry without telling
  // ready() why): the command ends with the last reason instead of retrying out of sight.
  conn.ready(START_DEADLINE_MS).then(() => { connectedOnce = true; }, (err: Error & { code?: string }) => {
    if (ending) return; // closed by us (Ctrl-C, --count): nothing to report
    // A PBX never reached (wrong URL, nothing listening) or a refused login ends the command; a blip after the
    // first connection does not (the connection goes on reconnecting, state `failed` above ends it).
    const f = describeFailure(err, config.url || undefined);
    io.stderr.write(`listen: ${f.message}${f.hint ? ` (${f.hint})` : ''}\n`);
    if (err.code === 'AUTH' || !connectedOnce) finish(1);
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
