/**
 * One connection per credential, shared and reference-counted: several triggers or Node-RED nodes on one PBX
 * share one session and one event channel. When the last holder lets go, the connection lingers warm for a while
 * (default 60 s) before it logs out, so that n8n actions, which acquire and release once per execution, reuse one
 * session instead of logging in each time. A process about to exit (the CLI) sets the linger to 0 or calls
 * `releaseAll()`.
 */
import { createHash } from 'node:crypto';
import { PbxError } from '../errors';
import type { Platform } from '../model/events';
import type { ConnectionConfig, ConnectionFactory, PbxConnection } from './types';

export interface Lease {
  readonly connection: PbxConnection;
  /** Give the connection back; when no one else holds it, it closes after the linger. Safe to call twice. */
  release(): Promise<void>;
}

export interface RegistryOptions {
  /**
   * How long a connection nobody holds stays open (ms) before it logs out; 0 closes at once. Precedence:
   * `ConnectionConfig.lingerMs`, then this, then the `PBXFLOW_LINGER_MS` environment variable, then 60 s.
   */
  lingerMs?: number;
}

export const DEFAULT_LINGER_MS = 60_000;

interface Entry {
  connection: PbxConnection;
  holders: number;
  /** `ConnectionConfig.lingerMs` of the last acquirer, if it set one; the registry's default otherwise. */
  ownLinger?: number;
  timer?: NodeJS.Timeout;
}

const factories = new Map<Platform, ConnectionFactory>();
const live = new Map<string, Entry>();
let configured: number | undefined;
/** The process is shutting down: releases close at once, lingering connections close now. */
let exiting = false;
const hooked = new Set<string>();

/**
 * A lingering connection must not outlive its process with its session still open on the PBX (a licensed seat
 * until it times out). `beforeExit` (nothing else to do: lingering connections hold no ref) closes them; so does
 * SIGTERM / SIGINT, but only in hosts that handle those signals themselves (n8n, Node-RED), since a listener of
 * ours would otherwise cancel the default exit.
 */
function hookExit(): void {
  if (!hooked.has('beforeExit')) {
    hooked.add('beforeExit');
    process.once('beforeExit', () => void closeLingering());
  }
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    if (hooked.has(sig) || process.listenerCount(sig) === 0) continue;
    hooked.add(sig);
    process.prependOnceListener(sig, () => {
      exiting = true;
      void closeLingering();
    });
  }
}

export function registerPlatform(platform: Platform, factory: ConnectionFactory): void {
  factories.set(platform, factory);
}

export function registeredPlatforms(): Platform[] {
  return [...factories.keys()];
}

/** Sets registry-wide defaults (`lingerMs`); `lingerMs: undefined` goes back to the environment / default. */
export function configureRegistry(o: RegistryOptions): void {
  configured = validMs(o.lingerMs);
}

const validMs = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
};

/** The linger that applies to `config` (see `RegistryOptions.lingerMs`). */
export function lingerFor(config: ConnectionConfig): number {
  return validMs(config.lingerMs) ?? defaultLinger();
}

/** The registry's linger for configs that set none. */
function defaultLinger(): number {
  return configured ?? validMs(process.env.PBXFLOW_LINGER_MS) ?? DEFAULT_LINGER_MS;
}

/** Identity of a credential: same settings (password included, hashed) share a connection. */
export function configKey(c: ConnectionConfig): string {
  const parts = [c.platform, c.url, c.secondaryUrl, c.login, c.password, c.sessionKind, (c.users ?? []).join(','), c.urlKind,
    c.tls?.rejectUnauthorized, c.tls?.ca, JSON.stringify(c.extra ?? {})];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** An unheld connection does not keep the process alive while it lingers (platforms that support it). */
function keepAlive(c: PbxConnection, on: boolean): void {
  (c as { keepProcessAlive?: (on: boolean) => void }).keepProcessAlive?.(on);
}

async function closeEntry(key: string, entry: Entry): Promise<void> {
  clearTimeout(entry.timer);
  entry.timer = undefined;
  if (live.get(key) === entry) live.delete(key);
  await entry.connection.close();
}

export function acquireConnection(config: ConnectionConfig): Lease {
  const factory = factories.get(config.platform);
  if (!factory) throw new PbxError('UNSUPPORTED', `Platform "${config.platform}" is not available in this version`);
  const key = configKey(config);
  let entry = live.get(key);
  if (entry && entry.holders === 0 && entry.connection.state === 'failed') {
    // A connection that stopped for good (refused account) is not handed out again: a new one tries afresh.
    void closeEntry(key, entry);
    entry = undefined;
  }
  if (!entry) {
    entry = { connection: factory(config), holders: 0 };
    live.set(key, entry);
  }
  if (entry.timer) {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    keepAlive(entry.connection, true);
  }
  entry.ownLinger = validMs(config.lingerMs);
  entry.holders++;
  const held = entry;
  let released = false;
  return {
    connection: held.connection,
    async release() {
      if (released) return;
      released = true;
      held.holders--;
      if (held.holders > 0 || live.get(key) !== held) return;
      // Read now, not at acquire time: a `configureRegistry` since then applies.
      const lingerMs = held.ownLinger ?? defaultLinger();
      if (lingerMs <= 0 || exiting || held.connection.state === 'failed') {
        await closeEntry(key, held);
        return;
      }
      hookExit();
      held.timer = setTimeout(() => {
        if (held.holders === 0) void closeEntry(key, held);
      }, lingerMs);
      held.timer.unref();
      keepAlive(held.connection, false);
    },
  };
}

/** Closes every connection now, held or lingering (a process about to exit). Leases still out become no-ops. */
export async function releaseAll(): Promise<void> {
  await Promise.allSettled([...live.entries()].map(([key, entry]) => closeEntry(key, entry)));
}

/** Closes the connections nobody holds (lingering ones) now. */
export async function closeLingering(): Promise<void> {
  await Promise.allSettled([...live.entries()].filter(([, e]) => e.holders === 0).map(([key, entry]) => closeEntry(key, entry)));
}

/** Open connections, held or lingering (for tests and diagnostics). */
export function openConnectionCount(): number {
  return live.size;
}

/** Open connections someone holds (lingering ones left out). */
export function heldConnectionCount(): number {
  let n = 0;
  for (const e of live.values()) if (e.holders > 0) n++;
  return n;
}
