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
  users?: string;
  urlKind?: 'public' | 'private';
  verifyCertificate?: boolean;
  ca?: string;
  requestTimeout?: number | string;
  extra?: string;
  /** O2G call-center pilots to watch: "5000=Support, 5001". */
  pilots?: string;
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
}

export function toConnectionConfig(def: ConnectionNodeDef, credentials: Record<string, string | undefined> = {}): ConnectionConfig {
  const list = (s?: string) => (s ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  const timeout = Number(def.requestTimeout);
  let extra: Record<string, unknown> | undefined;
  if (def.extra && def.extra.trim()) {
    const parsed: unknown = JSON.parse(def.extra);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) extra = parsed as Record<string, unknown>;
  }
  if (def.pilots && def.pilots.trim()) extra = { ...extra, pilots: def.pilots.trim() };
  return {
    platform: def.platform,
    url: (def.url ?? '').trim(),
    secondaryUrl: def.secondaryUrl?.trim() || undefined,
    login: credentials.login ?? '',
    password: credentials.password ?? '',
    sessionKind: def.sessionKind === 'admin' ? 'admin' : 'user',
    users: list(def.users).length ? list(def.users) : undefined,
    urlKind: def.urlKind === 'private' ? 'private' : 'public',
    tls: { rejectUnauthorized: def.verifyCertificate !== false, ca: def.ca?.trim() || undefined },
    requestTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : undefined,
    extra,
  };
}

/** Resolves after `p` or after `ms`, whichever comes first (closing must never hang Node-RED). */
export function withinTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([p.then(() => undefined, () => undefined), timeout]).finally(() => clearTimeout(timer));
}

