/**
 * TelServices settings, as data: what the n8n credential, the Node-RED connection and the CLI flags show, and what
 * the driver gets, checked before anything opens (Node-RED passes whatever the editor holds). Nothing here imports
 * the driver or opens a socket.
 */
import type { ConnectionConfig } from '../../connection/types';
import {
  caSetting, callTtlSetting, insecureSetting, rawOfConfig, requestTimeoutSetting, retrySettings, schemaReader,
  type SettingSpec, type SettingsOf, type SettingsReader,
} from '../../connection/settings';
import { PbxError } from '../../errors';

/** A device number as TelServices takes it (digits and dial characters; the CLI checks its flags with it too). */
export const DEVICE_NUMBER = /^[\w+*#.-]{1,32}$/;

export const TELSERVICES_SETTINGS = [
  { key: 'url', type: 'url', required: true, limits: { schemes: ['tcp', 'http', 'https'] },
    label: { n8n: 'URL', nodeRed: 'URL', cli: 'url' },
    description: 'The TelServices interface: tcp://host:port, or http://host:port for its HTTP form (https:// behind TLS; no default port)' },
  { key: 'login', type: 'string', limits: { maxLength: 256 },
    label: { n8n: 'Login', nodeRed: 'User ID', cli: 'login' },
    description: 'TelServer user ID, when the interface asks for one' },
  { key: 'password', type: 'string', secret: true, limits: { maxLength: 256 },
    label: { n8n: 'Password', nodeRed: 'Password', cli: 'password' },
    description: 'Its password' },
  { key: 'users', type: 'list', required: true, limits: { max: 1000, maxLength: 32 },
    label: { n8n: 'Devices', nodeRed: 'Devices', cli: 'devices' },
    description: 'Device numbers to monitor and act for (one session and one UDP port each)' },
  { key: 'eventSource', type: 'enum', default: 'udp', limits: { values: ['udp', 'poll'] },
    label: { n8n: 'Events By', nodeRed: 'Events by', cli: 'event-source' },
    description: 'udp: TelServer sends them; poll: a snapshot long poll (when UDP cannot reach us: NAT, firewall)' },
  { key: 'udpPort', type: 'number', default: 0, limits: { min: 0, max: 65_535 },
    label: { n8n: 'UDP Port', nodeRed: 'UDP port', cli: 'udp-port' },
    description: 'First local port TelServer sends events to (one per device); 0 for any free port' },
  { key: 'udpHost', type: 'string', limits: { maxLength: 255 },
    label: { n8n: 'UDP Address', nodeRed: 'UDP address', cli: 'udp-host' },
    description: 'Local address TelServer reaches (and the event ports bind to); empty: the one that reaches TelServer' },
  { key: 'endOfMessage', type: 'string', limits: { maxLength: 16 },
    label: { n8n: 'End of Message', nodeRed: 'End of message', cli: 'end-of-message' },
    description: 'The gateway\'s message terminator on TCP (empty: the default)' },
  { key: 'sessionTimeoutSeconds', type: 'number', limits: { min: 1, max: 86_400 },
    label: { n8n: 'Session Timeout (s)', nodeRed: 'Session timeout (s)', cli: 'session-timeout-s' },
    description: 'Asked of TelServer at openSession; the keep-alive follows it (a third of it)' },
  { key: 'keepAliveMs', type: 'number', limits: { min: 50, max: 3_600_000 },
    label: { n8n: 'Keep-Alive (ms)', nodeRed: 'Keep-alive (ms)', cli: 'keepalive-ms' },
    description: 'A snapshot of each device this long after its last one (default: a third of the session timeout, else 60 s)' },
  { key: 'pollTimeoutSeconds', type: 'number', default: 30, limits: { min: 1, max: 600 },
    label: { n8n: 'Poll Timeout (s)', nodeRed: 'Poll timeout (s)', cli: 'poll-timeout-s' },
    description: 'poll: how long one snapshot long poll waits for an event' },
  { key: 'eventUpdate', type: 'enum', default: 'full', limits: { values: ['full', 'restricted'] },
    label: { n8n: 'Event Detail', nodeRed: 'Event detail', cli: 'event-update' },
    description: 'Asked of TelServer at openSession' },
  { key: 'makeCallShortcut', type: 'boolean', default: false,
    label: { n8n: 'Make Call Shortcut', nodeRed: 'Make call shortcut', cli: 'make-call-shortcut' },
    description: 'HTTP: Make Call through the gateway\'s makeCall shortcut' },
  { key: 'connectTimeoutMs', type: 'number', default: 5000, limits: { min: 50, max: 120_000 },
    label: { n8n: 'Connect Timeout (ms)', nodeRed: 'Connect timeout (ms)', cli: 'connect-timeout-ms' },
    description: 'Deadline of each connection to TelServer' },
  { key: 'acceptEventsFromAnyHost', type: 'boolean', default: false,
    label: { n8n: 'Accept Events From Any Host', nodeRed: 'Accept events from any host', cli: 'accept-any-host' },
    description: 'Take UDP events from any address (default: only TelServer\'s)' },
  { key: 'snapshotMinIntervalMs', type: 'number', default: 6000, limits: { min: 100, max: 600_000 },
    label: { n8n: 'Snapshot Interval (ms)', nodeRed: 'Snapshot interval (ms)', cli: 'snapshot-min-interval-ms' },
    description: 'Least time between two snapshots of one device asked for by events' },
  { key: 'maxCallsPerDevice', type: 'number', default: 50, limits: { min: 1, max: 10_000 },
    label: { n8n: 'Max Calls per Device', nodeRed: 'Max calls per device', cli: 'max-calls-per-device' },
    description: 'Most calls followed per device; more are refused with a warning' },
  { key: 'maxCalls', type: 'number', default: 1000, limits: { min: 1, max: 1_000_000 },
    label: { n8n: 'Max Calls', nodeRed: 'Max calls', cli: 'max-calls' },
    description: 'Most calls followed over all devices' },
  insecureSetting('HTTPS: accept a certificate that cannot be verified (test servers only)'),
  caSetting('HTTPS: PEM of a private certificate authority to trust'),
  requestTimeoutSetting('Deadline of each answer from TelServer'),
  ...retrySettings('Sessions up this long restart the retry delays from the first'),
  callTtlSetting,
] as const satisfies readonly SettingSpec[];

export type TelServicesSettings = SettingsOf<typeof TELSERVICES_SETTINGS>;

/** The schema under the name every platform's settings module exports. */
export const settings = TELSERVICES_SETTINGS;

export type { SettingsReader };

const { read, label } = schemaReader(TELSERVICES_SETTINGS);

/** The raw record a ConnectionConfig stands for (core fields first, `extra` for the platform's own). */
export const rawOf = (config: ConnectionConfig): Record<string, unknown> => rawOfConfig(config);

/**
 * Checked settings, or throws PbxError INVALID_INPUT naming the field as `reader` labels it. Beyond the schema:
 * each device a device number (listed once), retry delays in order.
 */
export function telServicesSettings(raw: Record<string, unknown>, reader: SettingsReader = 'cli'): TelServicesSettings {
  const s = read(raw, reader);
  const bad = s.users.find((d) => !DEVICE_NUMBER.test(d));
  if (bad) throw new PbxError('INVALID_INPUT', `${label('users', reader)}: "${bad.slice(0, 40)}" is not a device number`);
  // A terminator is often whitespace ("\r\n"), which the schema's reading trims away: taken as given.
  const eom = raw.endOfMessage;
  const out: TelServicesSettings = { ...s, users: [...new Set(s.users)] };
  if (typeof eom === 'string' && eom !== '') out.endOfMessage = eom;
  else delete out.endOfMessage;
  return out;
}

/** The keep-alive period: set, or a third of the session timeout (the session times out without a request), else 60 s. */
export function keepAliveOf(s: Pick<TelServicesSettings, 'keepAliveMs' | 'sessionTimeoutSeconds'>): number {
  if (s.keepAliveMs !== undefined) return s.keepAliveMs;
  return s.sessionTimeoutSeconds ? Math.max(1000, Math.floor((s.sessionTimeoutSeconds * 1000) / 3)) : 60_000;
}
