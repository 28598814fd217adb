/**
 * A platform's settings as data: each setting's key, type, whether it is required, its default, whether it is a
 * secret, its limits and the label each host shows. `readSettings` checks a raw record against the schema before
 * anything opens, and its errors name the field as the host that asked labels it, so n8n, Node-RED and the CLI
 * give the same verdict in their own words.
 */
import { PbxError } from '../errors';
import type { ConnectionConfig } from './types';
import type { Platform } from '../model/events';

export type SettingHost = 'n8n' | 'nodeRed' | 'cli';

export type SettingType = 'string' | 'number' | 'boolean' | 'enum' | 'list' | 'url';

export interface SettingSpec<K extends string = string, T extends SettingType = SettingType> {
  key: K;
  type: T;
  required?: boolean;
  default?: T extends 'number' ? number : T extends 'boolean' ? boolean : T extends 'list' ? string[] : string;
  /** Stored encrypted by the hosts, never printed; the connection scrubs it from every message. */
  secret?: boolean;
  limits?: {
    min?: number;
    max?: number;
    /** Longest text (or list item). */
    maxLength?: number;
    /** `enum`: the allowed values. */
    values?: readonly string[];
    /** `url`: the allowed schemes, without `:`. */
    schemes?: readonly string[];
  };
  /** The field's label per host (the CLI's is its flag, without `--`). */
  label: Record<SettingHost, string>;
  /** The name a host stores the field under when it is not `key` (saved n8n credentials, Node-RED flows). */
  name?: Partial<Record<Exclude<SettingHost, 'cli'>, string>>;
  /** The config always carries it, default included: a mode whose fallback in older cores differs (ALE urlKind). */
  always?: boolean;
  description: string;
}

type ValueOf<S extends SettingSpec> = S['type'] extends 'number' ? number
  : S['type'] extends 'boolean' ? boolean
    : S['type'] extends 'list' ? string[]
      : string;

/** Whether a spec's key is always in the checked settings: required, or given a default. */
type AlwaysPresent<S> = S extends { required: true } ? true : S extends { default: NonNullable<unknown> } ? true : false;

/**
 * The typed settings a schema stands for: required or defaulted keys are always present, the others optional.
 * (Tested on the spec's own shape: a const spec without `default` has no such member, and indexing it gave
 * `unknown`, which made every such key required.)
 */
export type SettingsOf<Specs extends readonly SettingSpec[]> = {
  [S in Specs[number] as AlwaysPresent<S> extends true ? S['key'] : never]: ValueOf<S>;
} & {
  [S in Specs[number] as AlwaysPresent<S> extends true ? never : S['key']]?: ValueOf<S>;
};

/**
 * Specs every platform shares, written once: the retry delays (the one capped back-off), the healthy clock, the
 * call expiry, the request deadline and TLS trust. A platform spreads them into its schema where its form shows
 * them and words the descriptions that depend on what its link is.
 */
export const retrySettings = (healthyDescription: string) => [
  { key: 'backoffInitialMs', type: 'number', default: 500, limits: { min: 1, max: 600_000 },
    label: { n8n: 'First Retry Delay (ms)', nodeRed: 'First retry delay (ms)', cli: 'backoff-ms' },
    description: 'First reconnect delay (it doubles up to the maximum)' },
  { key: 'backoffMaxMs', type: 'number', default: 30_000, limits: { min: 1, max: 3_600_000 },
    label: { n8n: 'Max Retry Delay (ms)', nodeRed: 'Max retry delay (ms)', cli: 'backoff-max-ms' },
    description: 'Longest reconnect delay' },
  { key: 'healthyAfterMs', type: 'number', default: 10_000, limits: { min: 0, max: 3_600_000 },
    label: { n8n: 'Healthy After (ms)', nodeRed: 'Healthy after (ms)', cli: 'healthy-after-ms' },
    description: healthyDescription },
] as const satisfies readonly SettingSpec[];

/** The supervisor's retry and deadline options, from the common settings above (one mapping for every platform). */
export const retryOptions = (s: { backoffInitialMs: number; backoffMaxMs: number; healthyAfterMs: number; requestTimeoutMs: number }) => ({
  backoff: { initialMs: s.backoffInitialMs, maxMs: s.backoffMaxMs },
  healthyAfterMs: s.healthyAfterMs,
  sessionTimeoutMs: s.requestTimeoutMs,
});

export const callTtlSetting = {
  key: 'callTtlMs', type: 'number', default: 4 * 3600_000, limits: { min: 1000 },
  label: { n8n: 'Call Expiry (ms)', nodeRed: 'Call expiry (ms)', cli: 'call-ttl-ms' },
  description: 'A call with no news this long ends (endReason unknown)',
} as const satisfies SettingSpec;

export const requestTimeoutSetting = (description: string) => ({
  key: 'requestTimeoutMs', type: 'number', default: 10_000, limits: { min: 50, max: 300_000 },
  label: { n8n: 'Request Timeout (ms)', nodeRed: 'Request timeout (ms)', cli: 'timeout-ms' },
  description,
}) as const satisfies SettingSpec;

export const insecureSetting = (description: string) => ({
  key: 'insecure', type: 'boolean', default: false,
  label: { n8n: 'Ignore SSL Issues (Insecure)', nodeRed: 'Accept any certificate', cli: 'insecure' },
  description,
}) as const satisfies SettingSpec;

export const caSetting = (description: string) => ({
  key: 'ca', type: 'string', limits: { maxLength: 65_536 },
  label: { n8n: 'CA Certificate', nodeRed: 'CA certificate', cli: 'ca' },
  description,
}) as const satisfies SettingSpec;

const DEFAULT_MAX_LENGTH = 4096;

/**
 * `raw` (a host's form values, a ConnectionConfig flattened) checked against `specs`: the typed settings, or a
 * PbxError INVALID_INPUT naming the first wrong field by `host`'s label. Unknown keys are ignored (hosts carry
 * their own); empty texts count as absent. Never echoes a secret's value.
 */
export function readSettings<const Specs extends readonly SettingSpec[]>(
  specs: Specs, raw: Record<string, unknown>, host: SettingHost = 'cli',
): SettingsOf<Specs> | PbxError {
  const out: Record<string, unknown> = {};
  for (const s of specs) {
    const label = s.label[host];
    const v = raw[s.key];
    const absent = v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
    if (absent) {
      if (s.required) return new PbxError('INVALID_INPUT', `${label} is required`);
      if (s.default !== undefined) out[s.key] = Array.isArray(s.default) ? [...s.default] : s.default;
      continue;
    }
    const r = readOne(s, v, label);
    if (r instanceof PbxError) return r;
    out[s.key] = r;
  }
  return out as SettingsOf<Specs>;
}

function readOne(s: SettingSpec, v: unknown, label: string): unknown {
  const lim = s.limits ?? {};
  const maxLength = lim.maxLength ?? DEFAULT_MAX_LENGTH;
  const shown = (x: string) => (s.secret ? '' : ` (got "${x.length > 40 ? `${x.slice(0, 40)}…` : x}")`);
  switch (s.type) {
    case 'number': {
      const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
      if (!Number.isFinite(n)) return new PbxError('INVALID_INPUT', `${label} must be a number${typeof v === 'string' ? shown(v) : ''}`);
      if ((lim.min !== undefined && n < lim.min) || (lim.max !== undefined && n > lim.max)) {
        return new PbxError('INVALID_INPUT', `${label} must be between ${lim.min ?? '-∞'} and ${lim.max ?? '∞'} (got ${n})`);
      }
      return n;
    }
    case 'boolean': {
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === '1' || v === 1) return true;
      if (v === 'false' || v === '0' || v === 0) return false;
      return new PbxError('INVALID_INPUT', `${label} must be true or false`);
    }
    case 'list': {
      const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : undefined;
      if (!items) return new PbxError('INVALID_INPUT', `${label} must be a comma-separated list`);
      const out: string[] = [];
      for (const it of items) {
        if (typeof it !== 'string' && typeof it !== 'number') return new PbxError('INVALID_INPUT', `${label} must be a list of texts`);
        const t = String(it).trim();
        if (t.length > maxLength) return new PbxError('INVALID_INPUT', `${label}: an item is longer than ${maxLength} characters`);
        if (t) out.push(t);
      }
      if (lim.max !== undefined && out.length > lim.max) return new PbxError('INVALID_INPUT', `${label}: at most ${lim.max} items`);
      return out;
    }
    default: {
      if (typeof v !== 'string' && typeof v !== 'number') return new PbxError('INVALID_INPUT', `${label} must be a text`);
      const t = String(v).trim();
      if (t.length > maxLength) return new PbxError('INVALID_INPUT', `${label} is longer than ${maxLength} characters`);
      if (s.type === 'enum' && lim.values && !lim.values.includes(t)) {
        return new PbxError('INVALID_INPUT', `${label} must be one of ${lim.values.join(', ')}${shown(t)}`);
      }
      if (s.type === 'url') {
        let u: URL;
        try {
          u = new URL(t);
        } catch {
          return new PbxError('INVALID_INPUT', `${label} must be a URL${shown(t)}`);
        }
        const scheme = u.protocol.replace(/:$/, '');
        if (lim.schemes && !lim.schemes.includes(scheme)) {
          return new PbxError('INVALID_INPUT', `${label} must start with ${lim.schemes.map((x) => `${x}://`).join(' or ')}${shown(t)}`);
        }
      }
      return s.type === 'string' && s.secret ? String(v) : t; // a secret keeps its spaces
    }
  }
}

/** The usage line of one setting for the CLI (`--flag <type>`), from the schema. */
export function cliUsage(specs: readonly SettingSpec[]): string {
  return specs.map((s) => {
    const arg = s.type === 'boolean' ? '' : s.type === 'enum' ? ` ${s.limits?.values?.join('|') ?? 'VALUE'}` : ` ${s.type === 'list' ? 'a,b' : s.type.toUpperCase()}`;
    const flag = `--${s.label.cli}${arg}`;
    const dflt = s.default !== undefined && s.default !== '' && !(Array.isArray(s.default) && s.default.length === 0) ? ` (default ${String(s.default)})` : '';
    return `  ${s.required ? flag : `[${flag}]`}  ${s.description}${dflt}`;
  }).join('\n');
}

/** The field name `host` stores a setting under. */
export const fieldName = (s: SettingSpec, host: Exclude<SettingHost, 'cli'>): string => s.name?.[host] ?? s.key;

const isAbsent = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

/**
 * The one mapping from checked settings to a ConnectionConfig, for every host: each setting the host was given
 * (`raw`), plus the `always` ones, goes where configPath() says (top level, `tls`, or `extra`); a default the host
 * did not give stays out (the platform reads the same schema's default), so equal settings give equal configs
 * whichever host holds them. A URL loses its trailing slashes; `url`, `login` and `password` are always present.
 */
export function settingsToConfig(platform: Platform, specs: readonly SettingSpec[], checked: Record<string, unknown>, raw: Record<string, unknown>): ConnectionConfig {
  const config: ConnectionConfig = { platform, url: '', login: '', password: '' };
  const extra: Record<string, unknown> = {};
  for (const s of specs) {
    const v = checked[s.key];
    if (v === undefined || (!s.always && isAbsent(raw[s.key]))) continue;
    if (s.key === 'insecure') {
      if (v === true) config.tls = { ...config.tls, rejectUnauthorized: false };
      continue;
    }
    if (s.key === 'ca') {
      config.tls = { ...config.tls, ca: v as string };
      continue;
    }
    const value = s.type === 'url' && typeof v === 'string' ? v.replace(/\/+$/, '') : v;
    const path = s.key === 'sessionKind' ? 'sessionKind' : configPath(s.key);
    if (path.startsWith('extra.')) extra[s.key] = value;
    else (config as unknown as Record<string, unknown>)[path] = value;
  }
  if (Object.keys(extra).length) config.extra = extra;
  return config;
}

/** Keys a ConnectionConfig holds at its top level; the others sit in `extra`. */
const TOP_LEVEL = new Set(['url', 'secondaryUrl', 'login', 'password', 'users', 'urlKind', 'requestTimeoutMs', 'callTtlMs']);
const IN_TLS: Record<string, string> = { insecure: 'tls.rejectUnauthorized', ca: 'tls.ca' };

/** Where `key` sits in a ConnectionConfig. */
export function configPath(key: string): string {
  return IN_TLS[key] ?? (TOP_LEVEL.has(key) ? key : `extra.${key}`);
}

/**
 * `specs` with every CLI label replaced by the setting's config path (read them with host `cli`): the errors for a
 * program that built a ConnectionConfig itself (no host form) name `url`, `extra.loginType`, `tls.rejectUnauthorized`.
 */
export function labelledByConfigPath<const S extends readonly SettingSpec[]>(specs: S): S {
  return specs.map((s) => ({ ...s, label: { ...s.label, cli: configPath(s.key) } })) as unknown as S;
}

/** The raw record a ConnectionConfig stands for: its `extra`, then the core fields every platform reads. */
export function rawOfConfig(config: ConnectionConfig): Record<string, unknown> {
  return {
    ...config.extra,
    url: config.url,
    login: config.login,
    password: config.password,
    users: Array.isArray(config.users) ? config.users : undefined,
    insecure: config.tls?.rejectUnauthorized === false ? true : config.extra?.insecure,
    ca: typeof config.tls?.ca === 'string' ? config.tls.ca : config.extra?.ca,
    requestTimeoutMs: config.requestTimeoutMs ?? config.extra?.requestTimeoutMs,
    callTtlMs: config.callTtlMs ?? config.extra?.callTtlMs,
  };
}

/** Who reads a platform's settings: a host (its labels), or a program with a ConnectionConfig (config paths). */
export type SettingsReader = SettingHost | 'config';

/**
 * One schema read for every kind of reader: the checked settings, with the rule every schema holding the retry
 * delays shares (the maximum not below the first); `label` names a field as that reader does, for a platform's
 * own rules across fields. Throws PbxError INVALID_INPUT.
 */
export function schemaReader<const Specs extends readonly SettingSpec[]>(specs: Specs) {
  const byConfigPath = labelledByConfigPath(specs);
  const specsFor = (reader: SettingsReader): Specs => (reader === 'config' ? byConfigPath : specs);
  const hostOf = (reader: SettingsReader): SettingHost => (reader === 'config' ? 'cli' : reader);
  const label = (key: string, reader: SettingsReader = 'cli'): string =>
    specsFor(reader).find((s) => s.key === key)!.label[hostOf(reader)];
  const read = (raw: Record<string, unknown>, reader: SettingsReader = 'cli'): SettingsOf<Specs> => {
    const s = readSettings(specsFor(reader), raw, hostOf(reader));
    if (s instanceof PbxError) throw s;
    const r = s as Record<string, unknown>;
    if (typeof r.backoffMaxMs === 'number' && typeof r.backoffInitialMs === 'number' && r.backoffMaxMs < r.backoffInitialMs) {
      throw new PbxError('INVALID_INPUT', `${label('backoffMaxMs', reader)} must not be below ${label('backoffInitialMs', reader)}`);
    }
    return s;
  };
  return { read, label };
}
