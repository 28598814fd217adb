/** Pure helpers of the pbxflow-connection config node (kept apart: the node file has a single `export =`). */
import type { ConnectionConfig, PbxConnection } from '../../shared/connection/types';
import type { Platform } from '../../shared/model/events';
import type { NodeDef, NodeStatus, RedNode } from './red';
import type { UiState } from './status';

/** Node-RED gives a node 15 s to close; leave margin. */
export const CLOSE_TIMEOUT_MS = 10_000;

export interface ConnectionNodeDef extends NodeDef {
  platform: Platform;
  url: string;
  secondaryUrl?: string;
  sessionKind?: 'user' | 'admin';
  /** Logins/extensions an administrator session monitors ("201, 202"). Not `users`: the editor reserves that name. */
  monitoredUsers?: string;
  /** The same, as flows saved before 0.2 stored it (read only). */
  users?: unknown;
  urlKind?: 'public' | 'private';
  verifyCertificate?: boolean;
  ca?: string;
  requestTimeout?: number | string;
  extra?: string;
  /** O2G call-center pilots to watch: "5000=Support, 5001". */
  pilots?: string;
  /** TelServices: device numbers to monitor ("3102, 3103"), event source and UDP settings. */
  devices?: string;
  eventSource?: 'udp' | 'poll';
  udpPort?: number | string;
  udpHost?: string;
  /** Voicenter: how `login`/`password` are read, a fixed event server, the socket.io version. */
  loginType?: 'user' | 'account' | 'token';
  serverUrl?: string;
  socketVersion?: 'auto' | '2' | '4';
}

/** A node that uses the connection: it gets status updates while registered. */
export interface ConnectionUser {
  status(status: NodeStatus): void;
}

/** What the event and action nodes see of the config node. */
export interface PbxConnectionNode extends RedNode {
  /** Joins the shared connection (connecting it if this is the first user). Undefined when it cannot be opened. */
  register(user: ConnectionUser): PbxConnection | undefined;
  /** Leaves; the last one out releases the connection. */
  deregister(user: ConnectionUser): Promise<void>;
  readonly uiState: UiState;
  /** For the editor's pickers (values and names only). */
  lookup(kind: LookupKind, query: string, user?: string): Promise<LookupItem[]>;
  /** The same with a note for the editor when the list is short (see lib/picker.ts). */
  pick(kind: LookupKind, query: string, user?: string): Promise<import('./picker').PickerAnswer>;
}

export type LookupKind = 'users' | 'devices' | 'pilots';
export interface LookupItem {
  value: string;
  label?: string;
}

/** A picker must answer while the user types. */
export const LOOKUP_TIMEOUT_MS = 5_000;

export const listOf = (s: unknown): string[] => (typeof s === 'string' ? s : '').split(',').map((u) => u.trim()).filter(Boolean);
/** Logins, extensions, device numbers: separated by commas, semicolons or spaces. */
const list = (s: unknown): string[] => (typeof s === 'string' ? s : '').split(/[,;\s]+/).map((u) => u.trim()).filter(Boolean);

/** `searchDirectory` result -> its contacts (shape checked: it is server data). */
export function directoryContacts(result: unknown): Array<{ login?: string; number?: string; name?: string }> {
  const contacts = (result as { contacts?: unknown } | undefined)?.contacts;
  if (!Array.isArray(contacts)) return [];
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return contacts
    .filter((c): c is Record<string, unknown> => !!c && typeof c === 'object')
    .map((c) => ({ login: text(c.login), number: text(c.number), name: text(c.name) ?? ([text(c.firstName), text(c.lastName)].filter(Boolean).join(' ') || undefined) }));
}

/** `p`, or a TIMEOUT rejection after `ms`. */
export function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The monitored users of a connection node, from the current property or the one earlier versions saved. */
export function monitoredUsers(def: ConnectionNodeDef): string[] {
  const raw = typeof def.monitoredUsers === 'string' && def.monitoredUsers.trim() ? def.monitoredUsers : typeof def.users === 'string' ? def.users : '';
  return list(raw);
}

/** TelServices: the device numbers a connection node monitors. */
export const monitoredDevices = (def: ConnectionNodeDef): string[] => list(def.devices);

/** Why this configuration cannot work at all, in plain words (undefined when it can). */
export function configProblem(def: ConnectionNodeDef): 'noUsers' | undefined {
  // An administrator login has no phone of its own: without users there is nothing to monitor or act for, and
  // the PBX refuses the subscription.
  if (def.sessionKind === 'admin' && ['opentouch', 'o2g'].includes(def.platform) && monitoredUsers(def).length === 0) return 'noUsers';
  return undefined;
}

export function toConnectionConfig(def: ConnectionNodeDef, credentials: Record<string, string | undefined> = {}): ConnectionConfig {
  const timeout = Number(def.requestTimeout);
  let extra: Record<string, unknown> | undefined;
  if (def.extra && def.extra.trim()) {
    const parsed: unknown = JSON.parse(def.extra);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) extra = parsed as Record<string, unknown>;
  }
  if (def.pilots && def.pilots.trim() && def.platform === 'o2g') extra = { ...extra, pilots: def.pilots.trim() };
  if (def.platform === 'telservices') return telServicesConfig(def, credentials, extra, timeout);
  if (def.platform === 'voicenter') return voicenterConfig(def, credentials, extra, timeout);
  return {
    platform: def.platform,
    url: (def.url ?? '').trim(),
    secondaryUrl: def.secondaryUrl?.trim() || undefined,
    login: credentials.login ?? '',
    password: credentials.password ?? '',
    sessionKind: def.sessionKind === 'admin' ? 'admin' : 'user',
    // Asterisk's extensions share the TelServices devices field.
    users: (def.platform === 'asterisk' ? monitoredDevices(def) : monitoredUsers(def)).length ? (def.platform === 'asterisk' ? monitoredDevices(def) : monitoredUsers(def)) : undefined,
    urlKind: def.urlKind === 'private' ? 'private' : 'public',
    tls: tlsOf(def),
    requestTimeoutMs: timeoutMs(timeout),
    extra,
  };
}

/**
 * Certificate settings as the other hosts give them: verification is the core's default, so only "off" is said.
 * Settings that mean the same are the same (n8n, Node-RED and the CLI on one account share one connection).
 */
const tlsOf = (def: ConnectionNodeDef): ConnectionConfig['tls'] => ({
  ...(def.verifyCertificate === false ? { rejectUnauthorized: false } : {}),
  ca: def.ca?.trim() || undefined,
});

const timeoutMs = (t: number): number | undefined => (Number.isFinite(t) && t > 0 ? t * 1000 : undefined);

/** TelServices, as COMMON's ConnectionConfig contract has it: devices in `users`, transport settings in `extra`. */
function telServicesConfig(def: ConnectionNodeDef, c: Record<string, string | undefined>, extra: Record<string, unknown> | undefined, timeout: number): ConnectionConfig {
  const e: Record<string, unknown> = { ...extra };
  const port = Number(def.udpPort);
  if (String(def.udpPort ?? '').trim() && Number.isInteger(port) && port > 0 && port < 65536) e.udpPort = port;
  if (def.udpHost?.trim()) e.udpHost = def.udpHost.trim();
  if (def.eventSource === 'poll' || def.eventSource === 'udp') e.eventSource = def.eventSource;
  const devices = monitoredDevices(def);
  return {
    platform: 'telservices',
    url: (def.url ?? '').trim(),
    login: c.login ?? '',
    password: c.password ?? '',
    ...(devices.length ? { users: devices } : {}),
    requestTimeoutMs: timeoutMs(timeout),
    extra: e,
  };
}

/** Voicenter: login API base URL (empty: Voicenter's public one), login type and socket settings in `extra`. */
function voicenterConfig(def: ConnectionNodeDef, c: Record<string, string | undefined>, extra: Record<string, unknown> | undefined, timeout: number): ConnectionConfig {
  const e: Record<string, unknown> = { ...extra, loginType: def.loginType === 'account' || def.loginType === 'token' ? def.loginType : 'user' };
  if (def.serverUrl?.trim()) e.serverUrl = def.serverUrl.trim();
  if (def.socketVersion === '2' || def.socketVersion === '4') e.socketVersion = def.socketVersion;
  return {
    platform: 'voicenter',
    url: (def.url ?? '').trim(),
    login: c.login ?? '',
    password: c.password ?? '',
    tls: tlsOf(def),
    requestTimeoutMs: timeoutMs(timeout),
    extra: e,
  };
}

/** Resolves after `p` or after `ms`, whichever comes first (closing must never hang Node-RED). */
export function withinTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  return withDeadline(p, ms).then(() => undefined, () => undefined);
}

