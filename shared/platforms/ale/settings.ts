/**
 * ALE (OpenTouch, O2G) settings, as data: what the n8n credential, the Node-RED connection and the CLI flags show,
 * and what the connection gets, checked before anything opens. Keys are where the setting sits in a
 * ConnectionConfig (top level, `tls`, or `extra`: see `configPath` in shared/connection/settings.ts). Nothing here imports the
 * connection.
 */
import type { ConnectionConfig } from '../../connection/types';
import { callTtlSetting, rawOfConfig, retrySettings, schemaReader, type SettingSpec, type SettingsOf, type SettingsReader } from '../../connection/settings';

const HTTP = ['https', 'http'] as const;

export const ALE_SETTINGS = [
  { key: 'url', type: 'url', required: true, limits: { schemes: HTTP },
    label: { n8n: 'Server URL', nodeRed: 'Address', cli: 'url' },
    description: 'Base URL of the PBX API (scheme, host and port, no path)' },
  { key: 'secondaryUrl', type: 'url', limits: { schemes: HTTP },
    label: { n8n: 'Secondary Server URL', nodeRed: 'Standby address', cli: 'secondary-url' },
    description: 'Standby server of a high-availability pair; empty if there is none' },
  { key: 'login', type: 'string', required: true, limits: { maxLength: 256 },
    label: { n8n: 'Login', nodeRed: 'Login', cli: 'login' },
    description: 'Login name of the user or administrator' },
  { key: 'password', type: 'string', required: true, secret: true, limits: { maxLength: 1024 },
    label: { n8n: 'Password', nodeRed: 'Password', cli: 'password' },
    description: 'Its password' },
  { key: 'sessionKind', type: 'enum', default: 'user', always: true, limits: { values: ['user', 'admin'] },
    label: { n8n: 'Session Kind', nodeRed: 'Session', cli: 'session' },
    description: "user: the login's own calls and settings; admin: an administrator session monitoring the users" },
  { key: 'users', type: 'list', default: [], limits: { max: 5000, maxLength: 128 },
    label: { n8n: 'Monitored Users', nodeRed: 'Users', cli: 'users' }, name: { nodeRed: 'monitoredUsers' },
    description: 'Logins or extensions the administrator session monitors' },
  // One default for every host (issue 20): `public`, what every saved n8n credential and Node-RED flow has used.
  { key: 'urlKind', type: 'enum', default: 'public', always: true, limits: { values: ['public', 'private'] },
    label: { n8n: 'URLs to Use', nodeRed: 'URLs', cli: 'url-kind' },
    description: 'Which of the URLs the server announces to use: public (internet) or private (LAN)' },
  { key: 'pilots', type: 'string', limits: { maxLength: 4096 },
    label: { n8n: 'Call-Center Queues (Pilots)', nodeRed: 'Queues (pilots)', cli: 'pilots' },
    description: 'O2G: call-center pilot numbers whose queue events you want, each optionally named: 5000=Support, 5001' },
  { key: 'insecure', type: 'boolean', default: false,
    label: { n8n: 'Ignore SSL Issues (Self-Signed)', nodeRed: 'Verify certificate', cli: 'insecure' }, name: { n8n: 'allowUnauthorizedCerts' },
    description: 'Accept a certificate that cannot be verified (test servers only; prefer a custom CA)' },
  { key: 'ca', type: 'string', limits: { maxLength: 65_536 },
    label: { n8n: 'Custom CA Certificate', nodeRed: 'CA certificate', cli: 'ca' }, name: { n8n: 'caCertificate' },
    description: 'PEM of the CA that signed the PBX certificate, when it is not a public CA' },
  { key: 'requestTimeoutMs', type: 'number', default: 10_000, limits: { min: 50, max: 300_000 },
    label: { n8n: 'Request Timeout (ms)', nodeRed: 'Request timeout', cli: 'timeout' },
    description: 'Deadline of each request' },
  ...retrySettings('A stream up this long restarts the retry delays from the first'),
  callTtlSetting,
  { key: 'applicationName', type: 'string', default: 'pbxflow', limits: { maxLength: 64 },
    label: { n8n: 'Application Name', nodeRed: 'Application name', cli: 'application-name' },
    description: 'The application name the session is opened with' },
  { key: 'resyncConcurrency', type: 'number', default: 16, limits: { min: 1, max: 256 },
    label: { n8n: 'Resync Concurrency', nodeRed: 'Resync concurrency', cli: 'resync-concurrency' },
    description: 'Per-user requests in flight during a resync' },
  { key: 'routingTimeoutMs', type: 'number', limits: { min: 50, max: 300_000 },
    label: { n8n: 'Routing Timeout (ms)', nodeRed: 'Routing timeout (ms)', cli: 'routing-timeout-ms' },
    description: 'Deadline of a routing change' },
  { key: 'channelIdleTimeoutMs', type: 'number', limits: { min: 1000, max: 3_600_000 },
    label: { n8n: 'Event Channel Idle Timeout (ms)', nodeRed: 'Event channel idle timeout (ms)', cli: 'channel-idle-timeout-ms' },
    description: 'An event channel silent this long is reopened' },
  { key: 'failoverAfterChannelErrors', type: 'number', default: 2, limits: { min: 1, max: 100 },
    label: { n8n: 'Fail Over After Errors', nodeRed: 'Fail over after errors', cli: 'failover-after' },
    description: 'Event-channel failures in a row before the standby server is tried' },
  { key: 'subscriptionIdsPerSelector', type: 'number', limits: { min: 1, max: 10_000 },
    label: { n8n: 'Logins per Selector', nodeRed: 'Logins per selector', cli: 'ids-per-selector' },
    description: 'Split subscription selectors for a server that limits their size' },
  { key: 'eventPackages', type: 'list', limits: { max: 50, maxLength: 64 },
    label: { n8n: 'Event Packages', nodeRed: 'Event packages', cli: 'event-packages' },
    description: 'The event packages subscribed to (default: those the platform needs)' },
  { key: 'channelTimeoutMinutes', type: 'number', default: 10, limits: { min: 1, max: 1440 },
    label: { n8n: 'Channel Timeout (min)', nodeRed: 'Channel timeout (min)', cli: 'channel-timeout-min' },
    description: 'Subscription: the event channel timeout asked of the server' },
  { key: 'channelKeepaliveMinutes', type: 'number', default: 1, limits: { min: 1, max: 60 },
    label: { n8n: 'Channel Keepalive (min)', nodeRed: 'Channel keepalive (min)', cli: 'channel-keepalive-min' },
    description: 'Subscription: the keepalive interval asked of the server' },
] as const satisfies readonly SettingSpec[];

export type AleSettings = SettingsOf<typeof ALE_SETTINGS>;

/** The schema under the name every platform's settings module exports. */
export const settings = ALE_SETTINGS;

/** Who reads the settings: a host (its labels), or a program with a ConnectionConfig (`extra.pilots`). */
export type { SettingsReader };

const { read } = schemaReader(ALE_SETTINGS);

/**
 * The raw record a ConnectionConfig stands for (core fields first, `extra` for the platform's own). A program may
 * give `extra.pilots` as `{ "5000": "Support" }` or `["5000"]`: it is read as the text the hosts collect.
 */
export function rawOf(config: ConnectionConfig): Record<string, unknown> {
  return {
    ...rawOfConfig(config),
    secondaryUrl: config.secondaryUrl,
    sessionKind: config.sessionKind,
    urlKind: config.urlKind,
    pilots: pilotsText(config.extra?.pilots),
  };
}

/** `{ "5000": "Support" }` or `["5000"]` as `5000=Support` / `5000`; a name loses the separators of that text. */
function pilotsText(p: unknown): unknown {
  const item = (n: unknown, name: unknown) => {
    const num = String(n).trim();
    const label = typeof name === 'string' ? name.replace(/\s*[,;\n]+\s*/g, ' ').trim() : '';
    return label ? `${num}=${label}` : num;
  };
  if (Array.isArray(p)) return p.map((n) => item(n, undefined)).join(', ');
  if (p !== null && typeof p === 'object') return Object.entries(p).map(([n, name]) => item(n, name)).join(', ');
  return p;
}

/**
 * Checked settings, or throws PbxError INVALID_INPUT naming the field as `reader` labels it. Beyond the schema:
 * retry delays in order. (An administrator session without users can still act for a named user; only its events
 * need users: `usersMissing` says so for the hosts that listen.)
 */
export function aleSettings(raw: Record<string, unknown>, reader: SettingsReader = 'cli'): AleSettings {
  const s = read(raw, reader);
  return { ...s, users: [...new Set(s.users)] };
}

/**
 * The checked settings as the ConnectionConfig the subscription code reads (`subscription.ts`, `selector-split.ts`):
 * every value checked, defaults filled in.
 */
export function checkedConfig(platform: 'opentouch' | 'o2g', s: AleSettings): ConnectionConfig {
  const { url, secondaryUrl, login, password, sessionKind, users, urlKind, insecure, ca, requestTimeoutMs, callTtlMs, ...extra } = s;
  return {
    platform, url, secondaryUrl, login, password, sessionKind: sessionKind as 'user' | 'admin', users, urlKind: urlKind as 'public' | 'private',
    requestTimeoutMs, callTtlMs, tls: { rejectUnauthorized: !insecure, ...(ca ? { ca } : {}) }, extra,
  };
}

/** An administrator session with no users: it has no phone of its own, so the PBX refuses its subscription. */
export const usersMissing = (s: Pick<AleSettings, 'sessionKind' | 'users'>): boolean => s.sessionKind === 'admin' && s.users.length === 0;
