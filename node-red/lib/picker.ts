/**
 * What the editor's pickers list for a deployed pbxflow-connection: the users it monitors (or its own login), what
 * the PBX directory finds, a user's devices, the queues (pilots) set on it. The PBX is asked through a session of
 * the connection's own settings: shared with the nodes' connection when it is open, else opened for the lists and
 * kept a short while, so typing a name does not log in once per key. Values and display names only, never a secret.
 */
import { acquireConnection, type Lease } from '../../shared/connection/registry';
import type { ConnectionConfig, PbxConnection } from '../../shared/connection/types';
import { directoryContacts, listOf, LOOKUP_TIMEOUT_MS, monitoredDevices, monitoredUsers, withDeadline, type ConnectionNodeDef, type LookupItem, type LookupKind } from './config';

/** How long the lists' own session stays open after the last list (the user is still typing). */
export const PICKER_IDLE_MS = 20_000;

export interface PickerAnswer {
  /** The connection is deployed (its lists can be asked); false: the editor keeps free text only. */
  available: boolean;
  items: LookupItem[];
  /** Why the list is short or empty, in plain words (shown under it). */
  note?: string;
}

const ALE = ['opentouch', 'o2g'];

/** One session of the connection's settings for the lists, closed when idle. */
export class PickerSession {
  private lease?: Lease;
  private idle?: NodeJS.Timeout;

  constructor(private readonly config: () => ConnectionConfig) {}

  async run<T>(fn: (c: PbxConnection) => Promise<T>): Promise<T> {
    this.lease ??= acquireConnection(this.config());
    const connection = this.lease.connection;
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => void this.close(), PICKER_IDLE_MS);
    this.idle.unref();
    await connection.ready(LOOKUP_TIMEOUT_MS);
    return withDeadline(fn(connection), LOOKUP_TIMEOUT_MS);
  }

  async close(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    const held = this.lease;
    this.lease = undefined;
    await held?.release();
  }
}

/** "5000=Support" -> { value, label }. */
function entry(v: string): LookupItem {
  const [value, label] = v.split('=');
  return { value: value!.trim(), ...(label?.trim() ? { label: label.trim() } : {}) };
}

/** The PBX's answer in words the editor can show (the core's errors are scrubbed of secrets). */
const unreachable = (err: unknown): string => `The PBX did not give the list (${(err as Error)?.message === 'timeout' ? 'no answer in time' : (err as Error)?.message ?? 'unknown error'}): type the value.`;

/**
 * The list for one picker. `query`: what the user typed (the directory is searched only with a query: a company
 * directory is not listed whole). `user`: whose devices (an administrator connection acts for many).
 */
export async function pick(def: ConnectionNodeDef, login: string | undefined, session: PickerSession, kind: LookupKind, query: string, user?: string): Promise<PickerAnswer> {
  const q = query.trim().toLowerCase();
  const has = (i: LookupItem) => !q || i.value.toLowerCase().includes(q) || (i.label ?? '').toLowerCase().includes(q);
  const ale = ALE.includes(def.platform);
  const admin = ale && def.sessionKind === 'admin';
  if (kind === 'pilots') {
    // No operation lists a PBX's queues: the ones set on the connection are all there is to offer.
    return { available: true, items: listOf(def.pilots).map(entry).filter(has), note: 'The queues set on the connection (the PBX has no list of them): type another pilot number.' };
  }
  if (kind === 'devices') {
    if (def.platform === 'telservices') return { available: true, items: monitoredDevices(def).map((d) => ({ value: d })).filter(has) };
    const who = user?.trim() || (admin ? '' : login ?? '');
    if (!ale) return { available: true, items: [], note: 'This platform lists no devices: type one.' };
    if (!who) return { available: true, items: [], note: 'Pick the User first: the list shows that user\'s devices.' };
    try {
      const profile = (await session.run((c) => c.execute('getUser', { login: who }))) as { devices?: unknown } | undefined;
      const devices = (Array.isArray(profile?.devices) ? profile.devices : []) as Array<{ id?: unknown; type?: unknown }>;
      const items = devices.filter((d) => typeof d.id === 'string' && d.id).map((d) => ({ value: String(d.id), ...(typeof d.type === 'string' ? { label: d.type.toLowerCase() } : {}) }));
      return { available: true, items: items.filter(has), ...(items.length ? {} : { note: `No devices listed for ${who}: type one.` }) };
    } catch (err) {
      return { available: true, items: [], note: unreachable(err) };
    }
  }
  // Users: an administrator connection's monitored users (TelServices: its devices), a user connection's own login.
  const own = admin ? monitoredUsers(def) : ale ? [login ?? ''].filter(Boolean) : def.platform === 'telservices' ? monitoredDevices(def) : [];
  const items: LookupItem[] = own.map(entry).filter(has);
  const directory = ale || def.platform === 'telservices';
  if (!directory) return { available: true, items, note: 'This platform has no directory to search: type the user.' };
  if (!q) return { available: true, items, note: 'Type part of a name or a number to search the PBX directory.' };
  try {
    const found = await session.run((c) => (c.supports('searchDirectory') ? c.execute('searchDirectory', { query: q, limit: 20 }) : Promise.resolve(undefined)));
    for (const c of directoryContacts(found)) {
      const value = c.login ?? c.number;
      if (value && !items.some((i) => i.value === value)) items.push({ value, ...(c.name ? { label: c.name } : {}) });
    }
    return { available: true, items: items.slice(0, 50) };
  } catch (err) {
    return { available: true, items, note: unreachable(err) };
  }
}
