/**
 * Asterisk (AMI) settings, as data: what the n8n credential, the Node-RED connection and the CLI flags show, and
 * what the driver gets, checked before anything opens. Nothing here imports the driver.
 */
import type { ConnectionConfig } from '../../connection/types';
import {
  caSetting, callTtlSetting, insecureSetting, rawOfConfig, requestTimeoutSetting, retrySettings, schemaReader,
  type SettingHost, type SettingSpec, type SettingsOf,
} from '../../connection/settings';

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
  insecureSetting('TLS: accept a certificate that cannot be verified (test servers only)'),
  caSetting('TLS: PEM of a private certificate authority to trust (FreePBX makes its own)'),
  { key: 'keepaliveMs', type: 'number', default: 20_000, limits: { min: 50, max: 600_000 },
    label: { n8n: 'Keepalive (ms)', nodeRed: 'Keepalive (ms)', cli: 'keepalive-ms' },
    description: 'Ping after this much silence; no answer within the request timeout ends the link' },
  requestTimeoutSetting('Deadline of each action (and of the login)'),
  ...retrySettings('A link up this long restarts the retry delays from the first'),
  callTtlSetting,
] as const satisfies readonly SettingSpec[];

export type AsteriskSettings = SettingsOf<typeof ASTERISK_SETTINGS>;

const reader = schemaReader(ASTERISK_SETTINGS);

/** The raw record a ConnectionConfig stands for (core fields first, `extra` for the platform's own). */
export function rawOf(config: ConnectionConfig): Record<string, unknown> {
  return { ...rawOfConfig(config), users: config.users };
}

/** Checked settings, or throws PbxError INVALID_INPUT naming the field as `host` labels it. */
export function asteriskSettings(raw: Record<string, unknown>, host: SettingHost = 'cli'): AsteriskSettings {
  return reader.read(raw, host);
}

/** Host and port of the AMI address; the default port follows the scheme (5038 TCP, 5039 TLS). */
export function amiAddress(url: string): { host: string; port: number; tls: boolean } {
  const u = new URL(url);
  const tls = u.protocol === 'tls:';
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : tls ? 5039 : 5038, tls };
}
