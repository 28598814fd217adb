/** Pure helpers of the pbxflow-connection config node (kept apart: the node file has a single `export =`). */
import type { ConnectionConfig, PbxConnection } from '../../shared/connection/types';
import { fieldName, settingsToConfig } from '../../shared/connection/settings';
import { PbxError } from '../../shared/errors';
import type { Platform } from '../../shared/model/events';
import { descriptorOf } from '../../shared/platforms/catalog';
import { PLATFORM_SETTINGS } from '../../shared/platforms/settings';
import { migrateConnection } from './migrations';
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

/** The monitored users of a connection node (a flow saved before 0.2 is migrated first: lib/migrations.ts). */
export function monitoredUsers(def: ConnectionNodeDef): string[] {
  return list(migrateConnection(def).monitoredUsers);
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

/** Node-RED field names that differ from the schema keys (the editor reserves `users`). */
const FIELD: Partial<Record<string, (def: ConnectionNodeDef) => unknown>> = {
  // The form's "devices" field where the platform monitors device numbers (its descriptor says), else "monitoredUsers".
  users: (d) => (descriptorOf(d.platform)?.usersAreDevices ? list(d.devices) : list(d.monitoredUsers)),
  // The form asks "verify certificate" (ticked by default); the schema's setting is its opposite.
  insecure: (d) => (d.verifyCertificate === false ? true : undefined),
  // Seconds in this form.
  requestTimeoutMs: (d) => (Number.isFinite(Number(d.requestTimeout)) && Number(d.requestTimeout) > 0 ? Number(d.requestTimeout) * 1000 : undefined),
};

/**
 * The node's settings through the platform's schema (the one check and mapping every host uses): the JSON
 * "platform settings" first, the form's fields over them. Throws PbxError INVALID_INPUT naming the field as this
 * form labels it, or on JSON that does not parse.
 */
export function toConnectionConfig(saved: ConnectionNodeDef, credentials: Record<string, string | undefined> = {}): ConnectionConfig {
  const def = migrateConnection(saved);
  const ps = PLATFORM_SETTINGS[def.platform];
  if (!ps) throw new PbxError('UNSUPPORTED', `The PBX platform "${def.platform}" is not supported by this version of the package`);
  let extra: Record<string, unknown> = {};
  if (def.extra && def.extra.trim()) {
    const parsed: unknown = JSON.parse(def.extra);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) extra = parsed as Record<string, unknown>;
  }
  const fields = def as unknown as Record<string, unknown>;
  const raw: Record<string, unknown> = { ...extra };
  for (const s of ps.specs) {
    const v = FIELD[s.key] ? FIELD[s.key]!(def) : s.key === 'login' || s.key === 'password' ? credentials[s.key] : fields[fieldName(s, 'nodeRed')];
    if (v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)) raw[s.key] = v;
  }
  if (def.platform !== 'o2g') delete raw.pilots;
  if (def.platform === 'voicenter' && raw.loginType === 'token') delete raw.login;
  const config = settingsToConfig(def.platform, ps.specs, ps.read(raw, 'nodeRed'), raw);
  return { ...config, login: credentials.login ?? '', password: credentials.password ?? '' };
}

/** Resolves after `p` or after `ms`, whichever comes first (closing must never hang Node-RED). */
export function withinTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  return withDeadline(p, ms).then(() => undefined, () => undefined);
}

