/**
 * The CLI's side of the settings schemas: a platform's flags are its settings' CLI labels, parsed by `node:util`
 * `parseArgs` (strict), its usage text is generated from the schema, and flags become a ConnectionConfig through
 * the one checked mapping every host uses (shared/connection/settings.ts `settingsToConfig`). The command line's
 * older words (TelServices' --host/--port, Voicenter's --email/--token, ALE's --admin/--public) are kept, each
 * turned into the setting it stands for here, in one table.
 */
import { readFileSync } from 'node:fs';
import { parseArgs as parseStrict } from 'node:util';
import { cliUsage, settingsToConfig, type SettingSpec } from '../shared/connection/settings';
import type { ConnectionConfig } from '../shared/connection/types';
import { PbxError } from '../shared/errors';
import type { Platform } from '../shared/model/events';
import { PLATFORM_SETTINGS } from '../shared/platforms/settings';
import { PLATFORM_CATALOG, descriptorOf } from '../shared/platforms/catalog';
import { unknownFlags } from './io';

export type Flags = Record<string, string | boolean>;

const specsOf = (platform: Platform): readonly SettingSpec[] => PLATFORM_SETTINGS[platform]?.specs ?? [];

/** The platforms whose settings the CLI takes (those with a schema). */
export const cliPlatforms = (): Platform[] => Object.keys(PLATFORM_SETTINGS) as Platform[];

/** The platforms on the ALE REST interface (OpenTouch, O2G), whose flags and operations the CLI knows itself. */
export const ALE_PLATFORMS: readonly Platform[] = PLATFORM_CATALOG.filter((d) => d.replay === 'ale').map((d) => d.name);
/** The others: their own options, from their settings schema. */
export const OTHER_PLATFORMS: readonly Platform[] = PLATFORM_CATALOG.filter((d) => d.replay !== 'ale').map((d) => d.name);

/** The flags a platform's settings give (without `--`). */
export const settingFlags = (platform: Platform): string[] => specsOf(platform).map((s) => s.label.cli);

/** Usage lines of a platform's settings, from its schema. */
export const settingsUsage = (platform: Platform): string => cliUsage(specsOf(platform));

/** A wrong combination of the older words: said as the command line says it, a usage error. */
function bad(message: string): never {
  throw new PbxError('INVALID_INPUT', message);
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `\n`, `\r`, `\t`, `\0` written on a command line mean the characters. */
const unescape = (s: string): string => s.replace(/\\([nrt0\\])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t', '0': '\u0000', '\\': '\\' })[c]!);

/** A platform's older words: the flags (beyond its settings'), their usage lines, and how they become settings. */
interface OlderWords {
  flags: readonly string[];
  booleans?: readonly string[];
  /** The synopsis lines shown before the schema's usage. */
  usage: readonly string[];
  /** The given flags as settings flags, and the environment the password may come from; throws on a wrong combination. */
  rewrite(given: Flags, env: NodeJS.ProcessEnv): { flags: Flags; env: NodeJS.ProcessEnv; more?: Record<string, unknown> };
}

const ALE_WORDS: OlderWords = {
  flags: ['admin', 'public'],
  booleans: ['admin', 'public'],
  usage: [
    '--platform opentouch|o2g --url URL --login LOGIN [--password P] [--users a,b] [--admin] [--public]',
    '  --admin: --session admin (users given make an administrator session too); --public: --url-kind public',
    '  the password may come from PBXFLOW_PASSWORD instead of the command line',
  ],
  rewrite(given, env) {
    const f: Flags = { ...given };
    delete f.admin;
    delete f.public;
    if (given.admin === true || str(given.users)?.trim()) f.session = 'admin';
    if (given.public === true) f['url-kind'] = 'public';
    return { flags: f, env };
  },
};

const OLDER_WORDS: Partial<Record<Platform, OlderWords>> = {
  opentouch: ALE_WORDS,
  o2g: ALE_WORDS,
  telservices: {
    flags: ['host', 'port', 'transport', 'session-timeout'],
    usage: [
      '--platform telservices --host H --port P --devices 3102,3103 [--udp-port U] [--udp-host ADDR] [--transport tcp|http]',
      '  [--login L --password P] [--end-of-message SEQ (\\n, \\r, \\0, \\t escapes)] [--event-source udp|poll] [--session-timeout S]',
      '  --udp-host: the local address the event ports listen on (default: the one that reaches TelServer)',
      '  the password may come from PBXFLOW_PASSWORD instead of the command line',
      '  every setting (--url tcp://H:P in place of --host/--port/--transport):',
    ],
    rewrite(given, env) {
      const f: Flags = { ...given };
      for (const k of ['host', 'port', 'transport', 'session-timeout']) delete f[k];
      if (!str(given.url)) {
        const host = str(given.host);
        if (!host) bad('telservices: --host is required (the TelServer address)');
        const port = str(given.port);
        if (port === undefined) bad('telservices: --port is required (the TelServices gateway port; it has no default)');
        if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) bad('telservices: --port must be a port number');
        const transport = str(given.transport) ?? 'tcp';
        if (transport !== 'tcp' && transport !== 'http') bad('telservices: --transport must be tcp or http');
        f.url = `${transport}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
      }
      if (!str(given.devices)) bad('telservices: --devices is required (device numbers to monitor, e.g. 3102,3103)');
      if (str(given['session-timeout']) !== undefined) f['session-timeout-s'] = given['session-timeout'];
      const eom = str(given['end-of-message']);
      if (eom) f['end-of-message'] = unescape(eom);
      if (str(given.password) && !str(given.login)) bad('telservices: --password needs --login');
      // The environment's password is for an interface that asks for a login only.
      return { flags: f, env: str(given.login) ? env : {} };
    },
  },
  voicenter: {
    flags: ['email', 'token'],
    usage: [
      '--platform voicenter --login-type user --email E --password P [--login-url URL]',
      '--platform voicenter --login-type token --token T [--use-login-api] [--login-url URL]',
      '--platform voicenter --login-type account --login A --password P',
      '  common: [--server URL (skip discovery)] [--socket-version auto|2|4]',
      '  passwords and tokens may come from PBXFLOW_PASSWORD / PBXFLOW_TOKEN instead of the command line',
      '  every setting:',
    ],
    rewrite(given, env) {
      const loginType = str(given['login-type']) ?? (str(given.token) ? 'token' : str(given.email) ? 'user' : undefined);
      if (loginType !== 'user' && loginType !== 'account' && loginType !== 'token') bad('voicenter: --login-type must be user, account or token');
      const f: Flags = { ...given, 'login-type': loginType };
      delete f.email;
      delete f.token;
      if (loginType === 'token') {
        const token = str(given.token) ?? env.PBXFLOW_TOKEN;
        if (!token) bad('voicenter: --token is required for --login-type token');
        delete f.login;
        f.password = token;
        return { flags: f, env: {} };
      }
      const login = loginType === 'user' ? str(given.email) : str(given.login);
      if (!login) bad(loginType === 'user' ? 'voicenter: --email is required for --login-type user' : 'voicenter: --login is required for --login-type account');
      f.login = login;
      if (!str(given.password) && !env.PBXFLOW_PASSWORD) bad('voicenter: --password is required');
      return { flags: f, env };
    },
  },
};

/** Every flag a platform takes for its settings: the schema's, and its older words. */
export const platformFlags = (platform: Platform): string[] => [...new Set([...settingFlags(platform), ...(OLDER_WORDS[platform]?.flags ?? [])])];

/** The flags among them that take no value (the schema's booleans, and older switches such as --admin). */
export const platformBooleans = (platform: Platform): string[] => [
  ...specsOf(platform).filter((s) => s.type === 'boolean').map((s) => s.label.cli),
  ...(OLDER_WORDS[platform]?.booleans ?? []),
];

/** A platform's options: its synopsis in the older words, then every setting from the schema. */
export const platformUsage = (platform: Platform): string =>
  [...(OLDER_WORDS[platform]?.usage ?? descriptorOf(platform)?.cliSynopsis ?? []), settingsUsage(platform)].join('\n');

/** `--platform P --help`: that platform's options too (any platform with a schema). */
export function platformHelp(platform: string | boolean | undefined): string {
  return typeof platform === 'string' && PLATFORM_SETTINGS[platform as Platform] ? `\n${platform} options:\n${platformUsage(platform as Platform)}\n` : '';
}

/**
 * `args` parsed strictly: every `--flag` must be one of `known` (`booleans` take no value). Undefined after an
 * unknown flag, with the known ones and a "did you mean" said on `say`.
 */
export function parseFlags(args: string[], known: readonly string[], booleans: readonly string[], cmd: string, say: (text: string) => void): { flags: Flags; positional: string[] } | undefined {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const k of known) options[k] = { type: booleans.includes(k) ? 'boolean' : 'string' };
  options.help = { type: 'boolean' };
  options.h = { type: 'boolean' };
  try {
    const { values, positionals } = parseStrict({ args, options, strict: true, allowPositionals: true });
    return { flags: values as Flags, positional: positionals };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = Object.fromEntries(args.filter((a) => a.startsWith('--')).map((a) => [a.slice(2).split('=')[0], true]));
      say(unknownFlags(given, known, cmd) ?? `${cmd}: ${(err as Error).message}\n`);
    } else say(`${cmd}: ${(err as Error).message.split('\n')[0]}\n`);
    return undefined;
  }
}

/** A checked-settings error with the field named as the command line names it (`--users`). */
function asFlagError(err: unknown, platform: Platform): unknown {
  if (!(err instanceof PbxError) || err.code !== 'INVALID_INPUT') return err;
  const flag = settingFlags(platform).find((f) => err.message.startsWith(`${f} `) || err.message.startsWith(`${f}:`));
  return flag ? new PbxError('INVALID_INPUT', `--${err.message}`) : err;
}

/**
 * Flags (named by the schema's CLI labels) -> the checked ConnectionConfig; throws PbxError INVALID_INPUT naming
 * the flag. The password may come from PBXFLOW_PASSWORD. `more` holds settings a command derives from its own flags.
 */
export function configFromFlags(platform: Platform, flags: Flags, env: NodeJS.ProcessEnv = process.env, more: Record<string, unknown> = {}): ConnectionConfig {
  const ps = PLATFORM_SETTINGS[platform];
  if (!ps) throw new PbxError('UNSUPPORTED', `platform "${platform}" is not available in this build`);
  const raw: Record<string, unknown> = {};
  for (const s of ps.specs) if (flags[s.label.cli] !== undefined) raw[s.key] = flags[s.label.cli];
  Object.assign(raw, Object.fromEntries(Object.entries(more).filter(([, v]) => v !== undefined)));
  if (raw.password === undefined && env.PBXFLOW_PASSWORD) raw.password = env.PBXFLOW_PASSWORD;
  try {
    return settingsToConfig(platform, ps.specs, ps.read(raw, 'cli'), raw);
  } catch (err) {
    throw asFlagError(err, platform);
  }
}

/** `--ca`: the PEM itself, or a file holding it (as `listen` always took it). */
function caOf(v: string | boolean | undefined): string | undefined {
  if (typeof v !== 'string' || !v) return undefined;
  if (v.includes('-----BEGIN')) return v;
  try {
    return readFileSync(v, 'utf8');
  } catch (err) {
    return bad(`cannot read ${v}: ${(err as Error).message}`);
  }
}

/**
 * A platform's flags, older words included, -> the checked ConnectionConfig (the one path of `listen` and `call`
 * on every platform). Throws PbxError INVALID_INPUT naming the flag.
 */
export function platformConfig(platform: Platform, given: Flags, env: NodeJS.ProcessEnv = process.env, more: Record<string, unknown> = {}): ConnectionConfig {
  const words = OLDER_WORDS[platform];
  const r = words ? words.rewrite(given, env) : { flags: given, env };
  const flags = { ...r.flags };
  const ca = caOf(flags.ca);
  if (ca !== undefined) flags.ca = ca;
  return configFromFlags(platform, flags, r.env, { ...r.more, ...more });
}
