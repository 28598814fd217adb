/**
 * The one place that turns an n8n credential into the core's `ConnectionConfig`, through the platform's settings
 * schema (shared/platforms/<p>/settings.ts): field names, checks and the mapping are the schema's.
 * Secrets stay inside the returned config (the core never puts them in messages).
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { ConnectionConfig } from '../../shared/connection/types';
import { fieldName, settingsToConfig, type SettingSpec } from '../../shared/connection/settings';
import { PbxError, SERVER_URL_SCHEMES } from '../../shared/errors';
import { PLATFORM_SETTINGS } from '../../shared/platforms/settings';
import type { Platform } from '../../shared/model/events';
import { CredentialFieldError, urlProblem } from './errors';
import { settingFieldLabel } from './credential-labels';
import { platformEntry } from './platforms';

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v).trim());

/** "201, 202\n203" -> ["201", "202", "203"]. */
export function splitList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(str).filter(Boolean);
  return str(v).split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean);
}

/**
 * The credential's fields, by the names the schema gives them for n8n, as the raw settings record. Lists are split
 * on commas, semicolons or spaces, as this form always took them; a Voicenter token has no login.
 */
function rawOf(platform: Platform, specs: readonly SettingSpec[], c: ICredentialDataDecryptedObject): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const s of specs) {
    const v = c[fieldName(s, 'n8n')];
    raw[s.key] = s.type === 'list' && v !== undefined ? splitList(v) : s.secret ? v : typeof v === 'string' ? v.trim() : v;
  }
  if (platform === 'voicenter' && raw.loginType === 'token') delete raw.login;
  return raw;
}

/** The field as the credential form labels it (the schema's n8n label: the form is built from it). */
const label = (platform: Platform, field: string): string => settingFieldLabel(platform, field) ?? field;

/** "Open the credential, correct X: how". */
function fixIn(platform: Platform, field: string, how?: string): string {
  const name = platformEntry(platform)?.displayName ?? platform;
  return `Open the ${name} credential and ${how ? `fill in "${label(platform, field)}": ${how}` : `correct "${label(platform, field)}"`}`;
}

export function toConnectionConfig(platform: Platform, credential: ICredentialDataDecryptedObject): ConnectionConfig {
  const ps = PLATFORM_SETTINGS[platform];
  if (!ps) throw new PbxError('UNSUPPORTED', `The PBX platform "${platform}" is not supported by this version of the package`);
  const raw = rawOf(platform, ps.specs, credential);
  const url = typeof raw.url === 'string' ? raw.url.replace(/\/+$/, '') : '';
  // Said before any request, in words: "Invalid URL for GET" is all the HTTP layer would say.
  const problem = url || platform !== 'voicenter' ? urlProblem(url, SERVER_URL_SCHEMES[platform] ?? ['https']) : undefined;
  if (problem) throw new CredentialFieldError(problem, fixIn(platform, 'url'));
  const users = Array.isArray(raw.users) ? raw.users : [];
  if (platform === 'telservices' && !users.length) {
    throw new CredentialFieldError(`No device to monitor: "${label(platform, 'users')}" of the TelServices credential is empty`, fixIn(platform, 'users', 'list the device numbers, e.g. 3102, 3103'));
  }
  if (raw.sessionKind === 'admin' && (platform === 'opentouch' || platform === 'o2g') && !users.length) {
    throw new CredentialFieldError(
      `An administrator session needs the users to monitor: "${label(platform, 'users')}" is empty (an administrator login has no phone of its own, so the PBX would refuse the subscription)`,
      fixIn(platform, 'users', 'list their logins or extensions, e.g. alice, bob, 203; or set "Session Kind" to User to use the login\'s own phone'),
    );
  }
  // The platform's schema checks the rest, naming the field as this form labels it.
  let checked: Record<string, unknown> | PbxError;
  try {
    checked = ps.read(raw, 'n8n');
  } catch (err) {
    checked = err instanceof PbxError ? err : new PbxError('INVALID_INPUT', String(err));
  }
  if (checked instanceof PbxError) {
    const message = checked.message;
    const field = ps.specs.find((s) => message.startsWith(s.label.n8n));
    throw new CredentialFieldError(message, field ? fixIn(platform, fieldName(field, 'n8n')) : `Open the ${platformEntry(platform)?.displayName ?? platform} credential and correct it`);
  }
  return settingsToConfig(platform, ps.specs, checked, raw);
}
