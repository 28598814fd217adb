/**
 * Pickers backed by the PBX (n8n `resourceLocator` + `listSearch`): users (the credential's monitored users,
 * then the PBX directory) and a user's devices, each with a typed fallback ("By Login or Extension"). A saved
 * plain string (the fields were text before) still works: n8n passes it through unchanged.
 */
import type {
  ICredentialDataDecryptedObject,
  IDataObject,
  ILoadOptionsFunctions,
  INodeListSearchItems,
  INodeListSearchResult,
  INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { Lease } from '../../shared/connection/registry';
import type { PbxConnection } from '../../shared/connection/types';
import type { Platform } from '../../shared/model/events';
import { openLease } from './connection';
import { splitList, toConnectionConfig } from './connection-config';
import { toNodeError } from './errors';
import { platformEntry } from './platforms';

export const SEARCH_USERS = 'searchUsers';
export const SEARCH_DEVICES = 'searchDevices';

/** A user picker: from the PBX, or typed (several separated by commas where `several`). */
export function userLocator(o: { displayName: string; name: string; description: string; several?: boolean; placeholder?: string }): INodeProperties {
  return {
    displayName: o.displayName,
    name: o.name,
    type: 'resourceLocator',
    default: { mode: 'list', value: '' },
    description: o.description,
    modes: [
      {
        displayName: 'From List',
        name: 'list',
        type: 'list',
        placeholder: 'Select a user...',
        typeOptions: { searchListMethod: SEARCH_USERS, searchable: true, searchFilterRequired: false },
      },
      {
        displayName: o.several ? 'By Logins or Extensions' : 'By Login or Extension',
        name: 'id',
        type: 'string',
        placeholder: o.placeholder ?? (o.several ? 'alice, 202' : 'alice'),
      },
    ],
  };
}

/** The device picker (a user's phones), typed as a fallback. */
export function deviceLocator(base: INodeProperties): INodeProperties {
  return {
    ...base,
    type: 'resourceLocator',
    default: { mode: 'list', value: '' },
    modes: [
      { displayName: 'From List', name: 'list', type: 'list', placeholder: 'Select a device...', typeOptions: { searchListMethod: SEARCH_DEVICES, searchable: false } },
      { displayName: 'By Number', name: 'id', type: 'string', placeholder: '201' },
    ],
  };
}

/** The value of a picker parameter, whether saved as a locator or (older workflows) as text. */
export function pickedValue(v: unknown): string {
  if (v && typeof v === 'object' && 'value' in v) return String((v as { value?: unknown }).value ?? '').trim();
  return typeof v === 'string' ? v.trim() : '';
}

/** Runs `fn` with a session of the node's credential (a list is wanted now: the same lease rules as actions). */
async function withConnection<T>(ctx: ILoadOptionsFunctions, fn: (c: PbxConnection, credential: ICredentialDataDecryptedObject, platform: Platform) => Promise<T>): Promise<T> {
  const platform = String(ctx.getCurrentNodeParameter('platform') ?? ctx.getNodeParameter('platform', 'opentouch')) as Platform;
  const entry = platformEntry(platform);
  if (!entry) throw new NodeOperationError(ctx.getNode(), `Unknown platform "${platform}"`);
  const credential = await ctx.getCredentials(entry.credentialType);
  const url = typeof credential.url === 'string' ? credential.url : undefined;
  let lease: Lease;
  try {
    lease = openLease(platform, credential);
  } catch (error) {
    throw toNodeError(ctx.getNode(), error, undefined, url);
  }
  try {
    await lease.connection.ready();
    return await fn(lease.connection, credential, platform);
  } catch (error) {
    // The editor shows the list's error in place of the list: the same words as the node's own errors.
    throw toNodeError(ctx.getNode(), error, undefined, url);
  } finally {
    await lease.release();
  }
}

const matches = (filter: string | undefined, ...texts: Array<string | undefined>): boolean =>
  !filter || texts.some((t) => t?.toLowerCase().includes(filter.toLowerCase()));

/**
 * Monitored users first (an administrator credential's list, or the login itself), then, when a filter is typed,
 * the PBX directory's matches that have a login or a number.
 */
export async function searchUsers(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
  return await withConnection(this, async (connection, credential, platform) => {
    const config = toConnectionConfig(platform, credential);
    const monitored = config.sessionKind === 'admin' || platform === 'telservices' ? (config.users ?? []) : [config.login].filter(Boolean);
    const results: INodeListSearchItems[] = monitored.filter((u) => matches(filter, u)).map((u) => ({ name: `${u} (monitored)`, value: u }));
    const seen = new Set(monitored);
    if (filter && connection.supports('searchDirectory')) {
      // The directory is a help, not a must: a PBX without one still lists the monitored users.
      const found = (await connection.execute('searchDirectory', { query: filter, limit: 20 }).catch(() => undefined)) as { contacts?: unknown } | undefined;
      for (const c of (Array.isArray(found?.contacts) ? found.contacts : []) as Array<{ login?: string; number?: string; name?: string }>) {
        const value = c.login ?? c.number;
        if (!value || seen.has(value)) continue;
        seen.add(value);
        results.push({ name: [c.name, c.login, c.number].filter(Boolean).join(' - '), value });
      }
    }
    return { results };
  });
}

/** The devices of the user the node acts for (Act for User, else the credential's login). */
export async function searchDevices(this: ILoadOptionsFunctions): Promise<INodeListSearchResult> {
  return await withConnection(this, async (connection, credential, platform) => {
    const config = toConnectionConfig(platform, credential);
    const options = (this.getCurrentNodeParameter('options') ?? {}) as IDataObject;
    const user = pickedValue(options.user) || (config.sessionKind === 'admin' ? '' : config.login);
    if (platform === 'telservices') return { results: (config.users ?? []).map((d) => ({ name: d, value: d })) };
    if (!user || !connection.supports('getUser')) return { results: [] };
    const profile = (await connection.execute('getUser', { login: user }, { user })) as { devices?: Array<{ id?: string; type?: string }> } | undefined;
    const results = (profile?.devices ?? []).filter((d) => d.id).map((d) => ({ name: d.type ? `${d.id} (${d.type.toLowerCase()})` : d.id!, value: d.id! }));
    return { results };
  });
}

/** "alice, 202" or a picked user -> the logins, for the trigger's filter. */
export const pickedList = (v: unknown): string[] => splitList(pickedValue(v));
