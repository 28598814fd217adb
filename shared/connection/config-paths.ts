/**
 * Errors for a program that built a ConnectionConfig itself (no host form): each setting named by where it sits
 * in the config (`url`, `extra.loginType`, `tls.rejectUnauthorized`) rather than by a host's label.
 */
import type { SettingSpec } from './settings';

/** Keys a ConnectionConfig holds at its top level; the others sit in `extra`. */
const TOP_LEVEL = new Set(['url', 'secondaryUrl', 'login', 'password', 'users', 'urlKind', 'requestTimeoutMs', 'callTtlMs']);
const IN_TLS: Record<string, string> = { insecure: 'tls.rejectUnauthorized', ca: 'tls.ca' };

/** Where `key` sits in a ConnectionConfig. */
export function configPath(key: string): string {
  return IN_TLS[key] ?? (TOP_LEVEL.has(key) ? key : `extra.${key}`);
}

/** `specs` with every CLI label replaced by the setting's config path (read them with host `cli`). */
export function labelledByConfigPath<const S extends readonly SettingSpec[]>(specs: S): S {
  return specs.map((s) => ({ ...s, label: { ...s.label, cli: configPath(s.key) } })) as unknown as S;
}
