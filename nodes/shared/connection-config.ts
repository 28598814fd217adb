/**
 * The one place that turns an n8n credential into the core's `ConnectionConfig`.
 * Secrets stay inside the returned config (the core never puts them in messages).
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { ConnectionConfig } from '../../shared/connection/types';
import { PbxError } from '../../shared/errors';
import type { Platform } from '../../shared/model/events';
import { CredentialFieldError, urlProblem } from './errors';
import { credentialFieldLabel } from './credential-labels';
import { platformEntry } from './platforms';

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v).trim());

/** "201, 202\n203" -> ["201", "202", "203"]. */
export function splitList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(str).filter(Boolean);
  return str(v).split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean);
}

/** Fields every credential of this package has (see `credentials/shared/common.ts`). */
function common(platform: Platform, c: ICredentialDataDecryptedObject): ConnectionConfig {
  const config: ConnectionConfig = {
    platform,
    url: str(c.url).replace(/\/+$/, ''),
    login: str(c.login),
    password: typeof c.password === 'string' ? c.password : '',
  };
  const secondary = str(c.secondaryUrl).replace(/\/+$/, '');
  if (secondary) config.secondaryUrl = secondary;
  const ca = str(c.caCertificate);
  if (c.allowUnauthorizedCerts === true || ca) {
    config.tls = {};
    if (c.allowUnauthorizedCerts === true) config.tls.rejectUnauthorized = false;
    if (ca) config.tls.ca = ca;
  }
  return config;
}

type Mapper = (c: ICredentialDataDecryptedObject) => ConnectionConfig;

/** ALE (OpenTouch, O2G): session kind, monitored users, public/private URLs. */
const ale = (platform: Platform): Mapper => (c) => {
  const config = common(platform, c);
  config.sessionKind = c.sessionKind === 'admin' ? 'admin' : 'user';
  const users = splitList(c.users);
  if (users.length) config.users = users;
  config.urlKind = c.urlKind === 'private' ? 'private' : 'public';
  // The core reads the text as typed: "5000=Support, 5001".
  const pilots = str(c.pilots);
  if (pilots) config.extra = { ...config.extra, pilots };
  return config;
};

/** TelServices, per COMMON's contract: devices in `users`, transport settings in `extra`. */
const telservices: Mapper = (c) => {
  const extra: Record<string, unknown> = { eventSource: c.eventSource === 'poll' ? 'poll' : 'udp' };
  const port = Number(c.udpPort);
  if (Number.isInteger(port) && port > 0 && port < 65536) extra.udpPort = port;
  if (str(c.udpHost)) extra.udpHost = str(c.udpHost);
  const config = common('telservices', c);
  const devices = splitList(c.users);
  if (devices.length) config.users = devices;
  config.extra = extra;
  return config;
};

/** Voicenter: the login type says how `login`/`password` are read; an empty URL means Voicenter's public one. */
const voicenter: Mapper = (c) => {
  const loginType = c.loginType === 'account' || c.loginType === 'token' ? c.loginType : 'user';
  const extra: Record<string, unknown> = { loginType };
  if (str(c.serverUrl)) extra.serverUrl = str(c.serverUrl);
  if (c.socketVersion === '2' || c.socketVersion === '4') extra.socketVersion = c.socketVersion;
  const config = common('voicenter', c);
  if (loginType === 'token') config.login = '';
  config.extra = extra;
  return config;
};

/** Asterisk (AMI): extensions in `users`; its own settings in `extra` (checked by its settings schema). */
const asterisk: Mapper = (c) => {
  const config = common('asterisk', c);
  const users = splitList(c.users);
  if (users.length) config.users = users;
  config.extra = { authType: c.authType === 'plain' ? 'plain' : 'md5', insecure: c.insecure === true };
  return config;
};

const MAPPERS: Partial<Record<Platform, Mapper>> = {
  opentouch: ale('opentouch'),
  o2g: ale('o2g'),
  telservices,
  voicenter,
  asterisk,
};

/** URL schemes each platform's credential accepts. */
const SCHEMES: Partial<Record<Platform, readonly string[]>> = { opentouch: ['https', 'http'], o2g: ['https', 'http'], telservices: ['tcp', 'http'], voicenter: ['https', 'http'], asterisk: ['tcp', 'tls'] };

/** The field as the credential form labels it. */
const label = (platform: Platform, field: string): string => credentialFieldLabel(platformEntry(platform)?.credentialType ?? '', field) ?? field;

/** "Open the credential, correct X: how". */
function fixIn(platform: Platform, field: string, how?: string): string {
  const name = platformEntry(platform)?.displayName ?? platform;
  return `Open the ${name} credential and ${how ? `fill in "${label(platform, field)}": ${how}` : `correct "${label(platform, field)}"`}`;
}

export function toConnectionConfig(platform: Platform, credential: ICredentialDataDecryptedObject): ConnectionConfig {
  const map = MAPPERS[platform];
  if (!map) throw new PbxError('UNSUPPORTED', `The PBX platform "${platform}" is not supported by this version of the package`);
  const config = map(credential);
  // Said before any request, in words: "Invalid URL for GET" is all the HTTP layer would say.
  const problem = config.url || platform !== 'voicenter' ? urlProblem(config.url, SCHEMES[platform] ?? ['https']) : undefined;
  if (problem) throw new CredentialFieldError(problem, fixIn(platform, 'url'));
  if (platform === 'telservices' && !config.users?.length) {
    throw new CredentialFieldError(`No device to monitor: "${label(platform, 'users')}" of the TelServices credential is empty`, fixIn(platform, 'users', 'list the device numbers, e.g. 3102, 3103'));
  }
  if (config.sessionKind === 'admin' && (platform === 'opentouch' || platform === 'o2g') && !config.users?.length) {
    throw new CredentialFieldError(
      `An administrator session needs the users to monitor: "${label(platform, 'users')}" is empty (an administrator login has no phone of its own, so the PBX would refuse the subscription)`,
      fixIn(platform, 'users', 'list their logins or extensions, e.g. alice, bob, 203; or set "Session Kind" to User to use the login\'s own phone'),
    );
  }
  return config;
}
