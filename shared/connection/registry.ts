/**
 * One connection per credential, shared and reference-counted: several triggers or Node-RED nodes on one PBX
 * share one session and one event channel; the last one to leave closes it.
 */
import { createHash } from 'node:crypto';
import { PbxError } from '../errors';
import type { Platform } from '../model/events';
import type { ConnectionConfig, ConnectionFactory, PbxConnection } from './types';

export interface Lease {
  readonly connection: PbxConnection;
  /** Give the connection back; closes it when no one else holds it. Safe to call twice. */
  release(): Promise<void>;
}

const factories = new Map<Platform, ConnectionFactory>();
const live = new Map<string, { connection: PbxConnection; holders: number }>();

export function registerPlatform(platform: Platform, factory: ConnectionFactory): void {
  factories.set(platform, factory);
}

export function registeredPlatforms(): Platform[] {
  return [...factories.keys()];
}

/** Identity of a credential: same settings (password included, hashed) share a connection. */
export function configKey(c: ConnectionConfig): string {
  const parts = [c.platform, c.url, c.secondaryUrl, c.login, c.password, c.sessionKind, (c.users ?? []).join(','), c.urlKind,
    c.tls?.rejectUnauthorized, c.tls?.ca, JSON.stringify(c.extra ?? {})];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export function acquireConnection(config: ConnectionConfig): Lease {
  const factory = factories.get(config.platform);
  if (!factory) throw new PbxError('UNSUPPORTED', `Platform "${config.platform}" is not available in this version`);
  const key = configKey(config);
  let entry = live.get(key);
  if (!entry) {
    entry = { connection: factory(config), holders: 0 };
    live.set(key, entry);
  }
  entry.holders++;
  const held = entry;
  let released = false;
  return {
    connection: held.connection,
    async release() {
      if (released) return;
      released = true;
      held.holders--;
      if (held.holders === 0 && live.get(key) === held) {
        live.delete(key);
        await held.connection.close();
      }
    },
  };
}

/** Open connections (for tests and diagnostics). */
export function openConnectionCount(): number {
  return live.size;
}
