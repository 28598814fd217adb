/**
 * Asterisk (AMI) settings, as data: what the n8n credential, the Node-RED connection and the CLI flags show, and
 * what the driver gets, checked before anything opens. Nothing here imports the driver.
 */
import type { ConnectionConfig } from '../../connection/types';
import { PbxError } from '../../errors';
import { readSettings, type SettingHost, type SettingSpec, type SettingsOf } from '../../connection/settings';

export const ASTERISK_SETTINGS = [
  { key: 'url', type: 'url', required: true, limits: { schemes: ['tcp', 'tls'] },
    label: { n8n: 'AMI Address', nodeRed: 'AMI address', cli: 'url' },
    description: 'tcp://host:5038, or tls://host:5039 for AMI over TLS' },
  { key: 'login', type: 'string', required: true, limits: { maxLength: 80 },
    label: { n8n: 'AMI Username', nodeRed: 'AMI user', cli: 'login' },
    description: 'The manager.conf user (read = call,agent,system; write = originate,call,agent,system)' },
  { key: 'password', type: 'string', required: true, secret: true, limits: { maxLength: 256 },
    label: { n8n: 'AMI Secret', nodeRed: 'AMI secret', cli: 'password' },
    description: 'Its secret' },
  { key: 'authType', type: 'enum', default: 'md5', limits: { values: ['md5', 'plain'] },
    label: { n8n: 'Login Method', nodeRed: 'Login method', cli: 'auth' },
    description: 'md5: challenge-response (the secret never crosses the network); plain: the secret as is' },
  { key: 'users', type: 'list', default: [], limits: { max: 5000, maxLength: 64 },
    label: { n8n: 'Monitored Extensions', nodeRed: 'Extensions', cli: 'users' },
    description: 'Extensions whose calls become events (empty: every extension seen)' },
  { key: 'internalContexts', type: 'list', default: ['from-internal'], limits: { max: 50, maxLength: 80 },
    label: { n8n: 'Internal Contexts', nodeRed: 'Internal contexts', cli: 'internal-contexts' },
    description: 'Dialplan contexts of the phones (FreePBX: from-internal); others are trunks' },
  { key: 'originateContext', type: 'string', default: 'from-internal', limits: { maxLength: 80 },
    label: { n8n: 'Dial Context', nodeRed: 'Dial context', cli: 'context' },
    description: 'Context for Make Call and transfers (FreePBX: from-internal)' },
  { key: 'channelTech', type: 'enum', default: 'PJSIP', limits: { values: ['PJSIP', 'SIP', 'IAX2', 'DAHDI'] },
    label: { n8n: 'Phone Technology', nodeRed: 'Phone technology', cli: 'tech' },
    description: "How an extension's phone is dialled (PJSIP/201)" },
  { key: 'insecure', type: 'boolean', default: false,
    label: { n8n: 'Ignore SSL Issues (Insecure)', nodeRed: 'Accept any certificate', cli: 'insecure' },
    description: 'TLS: accept a certificate that cannot be verified (test servers only)' },
  { key: 'keepaliveMs', type: 'number', default: 20_000, limits: { min: 50, max: 600_000 },
    label: { n8n: 'Keepalive (ms)', nodeRed: 'Keepalive (ms)', cli: 'keepalive-ms' },
    description: 'Ping after this much silence; no answer within the request timeout ends the link' },
  { key: 'requestTimeoutMs', type: 'number', default: 10_000, limits: { min: 50, max: 300_000 },
    label: { n8n: 'Request Timeout (ms)', nodeRed: 'Request timeout (ms)', cli: 'timeout-ms' },
    description: 'Deadline of each action (and of the login)' },
  { key: 'backoffInitialMs', type: 'number', default: 500, limits: { min: 1, max: 600_000 },
    label: { n8n: 'First Retry Delay (ms)', nodeRed: 'First retry delay (ms)', cli: 'backoff-ms' },
    description: 'First reconnect delay (it doubles up to the maximum)' },
  { key: 'backoffMaxMs', type: 'number', default: 30_000, limits: { min: 1, max: 3_600_000 },
    label: { n8n: 'Max Retry Delay (ms)', nodeRed: 'Max retry delay (ms)', cli: 'backoff-max-ms' },
    description: 'Longest reconnect delay' },
  { key: 'healthyAfterMs', type: 'number', default: 10_000, limits: { min: 0, max: 3_600_000 },
    label: { n8n: 'Healthy After (ms)', nodeRed: 'Healthy after (ms)', cli: 'healthy-after-ms' },
    description: 'A link up this long restarts the retry delays from the first' },
  { key: 'callTtlMs', type: 'number', default: 4 * 3600_000, limits: { min: 1000 },
    label: { n8n: 'Call Expiry (ms)', nodeRed: 'Call expiry (ms)', cli: 'call-ttl-ms' },
    description: 'A call with no news this long ends (endReason unknown)' },
] as const satisfies readonly SettingSpec[];

export type AsteriskSettings = SettingsOf<typeof ASTERISK_SETTINGS>;

/** The raw record a ConnectionConfig stands for (core fields first, `extra` for the platform's own). */
export function rawOf(config: ConnectionConfig): Record<string, unknown> {
  return {
    ...config.extra,
    url: config.url,
    login: config.login,
    password: config.password,
    users: config.users,
    insecure: config.tls?.rejectUnauthorized === false ? true : config.extra?.insecure,
    requestTimeoutMs: config.requestTimeoutMs ?? config.extra?.requestTimeoutMs,
    callTtlMs: config.callTtlMs ?? config.extra?.callTtlMs,
  };
}

/** Checked settings, or throws PbxError INVALID_INPUT naming the field as `host` labels it. */
export function asteriskSettings(raw: Record<string, unknown>, host: SettingHost = 'cli'): AsteriskSettings {
  const s = readSettings(ASTERISK_SETTINGS, raw, host);
  if (s instanceof PbxError) throw s;
  if (s.backoffMaxMs < s.backoffInitialMs) {
    throw new PbxError('INVALID_INPUT', `${ASTERISK_SETTINGS[12].label[host]} must not be below ${ASTERISK_SETTINGS[11].label[host]}`);
  }
  return s;
}

/** Host and port of the AMI address; the default port follows the scheme (5038 TCP, 5039 TLS). */
export function amiAddress(url: string): { host: string; port: number; tls: boolean } {
  const u = new URL(url);
  const tls = u.protocol === 'tls:';
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : tls ? 5039 : 5038, tls };
}
