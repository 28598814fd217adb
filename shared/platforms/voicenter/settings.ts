/**
 * Voicenter settings, as data: what the n8n credential, the Node-RED connection and the CLI flags show, and what
 * the driver gets, checked before anything opens. Nothing here imports the driver (nor an HTTP or socket library).
 */
import type { ConnectionConfig } from '../../connection/types';
import { PbxError } from '../../errors';
import {
  caSetting, callTtlSetting, insecureSetting, rawOfConfig, requestTimeoutSetting, retrySettings, schemaReader,
  type SettingSpec, type SettingsOf, type SettingsReader,
} from '../../connection/settings';

/** Voicenter's public endpoints (from its Events SDK's default options; see login.ts). */
export const DEFAULT_LOGIN_URL = 'https://loginapi.voicenter.co.il/monitorAPI/Login';
export const DEFAULT_MONITOR_URL = 'https://monitorapi.voicenter.co.il/monitorAPI/getMonitorUrls';

const HTTP = ['http', 'https'] as const;

export const VOICENTER_SETTINGS = [
  { key: 'loginType', type: 'enum', default: 'user', limits: { values: ['user', 'account', 'token'] },
    label: { n8n: 'Log In With', nodeRed: 'Log in with', cli: 'login-type' },
    description: 'user: email and password; account: account username and password; token: an API token' },
  { key: 'login', type: 'string', limits: { maxLength: 256 },
    label: { n8n: 'Email', nodeRed: 'Email or username', cli: 'login' },
    description: 'The email (user) or the account username (account); not used with a token' },
  { key: 'password', type: 'string', required: true, secret: true, limits: { maxLength: 8192 },
    label: { n8n: 'Password', nodeRed: 'Password or token', cli: 'password' },
    description: 'The password, or the API token (token)' },
  { key: 'url', type: 'url', default: DEFAULT_LOGIN_URL, limits: { schemes: HTTP },
    label: { n8n: 'Login API URL', nodeRed: 'Login API URL', cli: 'login-url' },
    description: "Voicenter's login service; empty for the public one" },
  { key: 'serverUrl', type: 'url', limits: { schemes: HTTP },
    label: { n8n: 'Event Server URL', nodeRed: 'Event server URL', cli: 'server' },
    description: 'A fixed real-time events server (skips discovery); empty for the ones the login returns' },
  { key: 'socketVersion', type: 'enum', default: 'auto', limits: { values: ['auto', '2', '4'] },
    label: { n8n: 'socket.io Version', nodeRed: 'socket.io version', cli: 'socket-version' },
    description: 'auto: as the server announces' },
  { key: 'useLoginApi', type: 'boolean', default: false,
    label: { n8n: 'Exchange Token Through Login API', nodeRed: 'Exchange token through login API', cli: 'use-login-api' },
    description: 'token: exchange the token through the login API (else it goes straight to the socket)' },
  { key: 'refreshUrl', type: 'url', limits: { schemes: HTTP },
    label: { n8n: 'Token Refresh URL', nodeRed: 'Token refresh URL', cli: 'refresh-url' },
    description: 'Where tokens are refreshed; empty: next to the login API' },
  { key: 'monitorUrl', type: 'url', default: DEFAULT_MONITOR_URL, limits: { schemes: HTTP },
    label: { n8n: 'Server Discovery URL', nodeRed: 'Server discovery URL', cli: 'monitor-url' },
    description: 'Where the list of event servers is asked for' },
  insecureSetting('HTTPS: accept a certificate that cannot be verified (test servers only)'),
  caSetting('PEM of a private certificate authority to trust'),
  { key: 'keepaliveMs', type: 'number', default: 60_000, limits: { min: 50, max: 3_600_000 },
    label: { n8n: 'Keepalive (ms)', nodeRed: 'Keepalive (ms)', cli: 'keepalive-ms' },
    description: 'A keepalive after this much silence; no answer within as long again ends the socket' },
  { key: 'idleResyncMs', type: 'number', default: 300_000, limits: { min: 0, max: 86_400_000 },
    label: { n8n: 'Idle Resync (ms)', nodeRed: 'Idle resync (ms)', cli: 'idle-resync-ms' },
    description: 'No data event this long: ask for a fresh snapshot (0: never)' },
  { key: 'refreshFloorMs', type: 'number', default: 2_000, limits: { min: 1, max: 3_600_000 },
    label: { n8n: 'Token Refresh Floor (ms)', nodeRed: 'Token refresh floor (ms)', cli: 'refresh-floor-ms' },
    description: 'Least time between two token refreshes' },
  { key: 'refreshWindowMs', type: 'number', default: 60_000, limits: { min: 1, max: 86_400_000 },
    label: { n8n: 'Token Refresh Window (ms)', nodeRed: 'Token refresh window (ms)', cli: 'refresh-window-ms' },
    description: 'The window of the refresh ceiling (a minute)' },
  { key: 'refreshesPerWindow', type: 'number', default: 10, limits: { min: 1, max: 1000 },
    label: { n8n: 'Token Refreshes Per Window', nodeRed: 'Token refreshes per window', cli: 'refreshes-per-window' },
    description: 'Most token refreshes in one window, whatever the server says of expiry' },
  requestTimeoutSetting('Deadline of each HTTP request, of the socket connect and of the socket login'),
  ...retrySettings('A socket up this long restarts the retry delays from the first'),
  callTtlSetting,
] as const satisfies readonly SettingSpec[];

export type VoicenterSettings = SettingsOf<typeof VOICENTER_SETTINGS>;

/** The schema under the name every platform's settings module exports. */
export const settings = VOICENTER_SETTINGS;

export type { SettingsReader };

const { read, label } = schemaReader(VOICENTER_SETTINGS);

/** The raw record a ConnectionConfig stands for (core fields first, `extra` for the platform's own). */
export const rawOf = (config: ConnectionConfig): Record<string, unknown> => rawOfConfig(config);

/**
 * Checked settings, or throws PbxError INVALID_INPUT naming the field as `host` labels it. Beyond the schema: the
 * login a login type needs, and retry delays in order.
 */
export function voicenterSettings(raw: Record<string, unknown>, host: SettingsReader = 'cli'): VoicenterSettings {
  const s = read(raw, host);
  if (s.loginType !== 'token' && !s.login) {
    throw new PbxError('INVALID_INPUT', `${label('login', host)} is required (${s.loginType === 'user' ? 'the email' : 'the account username'})`);
  }
  return s;
}
