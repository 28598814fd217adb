/**
 * TelServices (uniGone TelServer) for the CLI: flags -> ConnectionConfig for `listen`/`call`, and the replay
 * pipeline (one `TelServiceEvent` document per line). No protocol logic here: it lives in shared/platforms/telservices.
 */
import type { ConnectionConfig } from '../../shared/connection/types';
import type { PbxEvent } from '../../shared/model/events';
import { DEVICE_NUMBER } from '../../shared/platforms/telservices/config';
import { TelServicesPipeline } from '../../shared/platforms/telservices/pipeline';

export const usage = [
  '--platform telservices --host H --port P --devices 3102,3103 [--udp-port U] [--udp-host ADDR] [--transport tcp|http]',
  '  [--login L --password P] [--end-of-message SEQ (\\n, \\r, \\0, \\t escapes)] [--event-source udp|poll] [--session-timeout S]',
  '  --udp-host: the local address the event ports listen on (default: the one that reaches TelServer)',
  '  the password may come from PBXFLOW_PASSWORD instead of the command line',
].join('\n');

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function bad(message: string): never {
  throw new Error(message);
}

function port(v: string | undefined, flag: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > 65535) bad(`telservices: ${flag} must be a port number`);
  return n;
}

/** `\n`, `\r`, `\t`, `\0` written on a command line mean the characters. */
const unescape = (s: string): string => s.replace(/\\([nrt0\\])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t', '0': '\u0000', '\\': '\\' })[c]!);

export function toConfig(flags: Record<string, string | boolean>, env: NodeJS.ProcessEnv = process.env): ConnectionConfig {
  const host = str(flags.host);
  if (!host) bad('telservices: --host is required (the TelServer address)');
  const p = port(str(flags.port), '--port');
  if (p === undefined) bad('telservices: --port is required (the TelServices gateway port; it has no default)');
  const devices = (str(flags.devices) ?? '').split(',').map((d) => d.trim()).filter(Boolean);
  if (!devices.length) bad('telservices: --devices is required (device numbers to monitor, e.g. 3102,3103)');
  const bad1 = devices.find((d) => !DEVICE_NUMBER.test(d));
  if (bad1) bad(`telservices: "${bad1}" is not a device number`);
  const transport = str(flags.transport) ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'http') bad('telservices: --transport must be tcp or http');
  const extra: Record<string, unknown> = {};
  const udp = port(str(flags['udp-port']), '--udp-port', 0);
  if (udp !== undefined) extra.udpPort = udp;
  const udpHost = str(flags['udp-host']);
  if (udpHost) extra.udpHost = udpHost;
  const eom = str(flags['end-of-message']);
  if (eom) extra.endOfMessage = unescape(eom);
  const source = str(flags['event-source']);
  if (source !== undefined) {
    if (source !== 'udp' && source !== 'poll') bad('telservices: --event-source must be udp or poll');
    extra.eventSource = source;
  }
  const timeout = str(flags['session-timeout']);
  if (timeout !== undefined) {
    if (!/^\d+$/.test(timeout) || Number(timeout) < 1) bad('telservices: --session-timeout must be a number of seconds');
    extra.sessionTimeoutSeconds = Number(timeout);
  }
  const login = str(flags.login) ?? '';
  const password = str(flags.password) ?? (login ? env.PBXFLOW_PASSWORD ?? '' : '');
  if (password && !login) bad('telservices: --password needs --login');
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return { platform: 'telservices', url: `${transport}://${h}:${p}`, login, password, users: devices, extra };
}

/**
 * `pbxflow replay --platform telservices`: one `TelServiceEvent` document per line -> events; throws DecodeError
 * on a bad line. Events without `deviceNumber` (forward, DND...) cannot be attributed in a capture: they are
 * reported as bad lines unless the capture names one device (`PBXFLOW_TELSERVICES_DEVICE`).
 */
export function replayPipeline(env: NodeJS.ProcessEnv = process.env): { push(line: string): PbxEvent[] } {
  const p = new TelServicesPipeline({ defaultDevice: str(env.PBXFLOW_TELSERVICES_DEVICE) });
  return { push: (line: string) => (line.trim() ? p.pushLine(line) : []) };
}
