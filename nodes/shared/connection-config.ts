/**
 * The one place that turns an n8n credential into the core's `ConnectionConfig`.
 * Secrets stay inside the returned config (the core never puts them in messages).
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { ConnectionConfig } from '../../shared/connection/types';
import type { Platform } from '../../shared/model/events';

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

const MAPPERS: Partial<Record<Platform, Mapper>> = {
  opentouch: ale('opentouch'),
  o2g: ale('o2g'),
};

export function toConnectionConfig(platform: Platform, credential: ICredentialDataDecryptedObject): ConnectionConfig {
  const map = MAPPERS[platform];
  if (!map) throw new Error(`The PBX platform "${platform}" is not supported by this version of the package`);
  return map(credential);
}
