/**
 * pbxflow-connection: the config node. Owns ONE shared PBX connection (through the core's ref-counted registry)
 * for every node that uses it, fans connection state out to their status dots, and releases the connection when
 * the last user leaves or on redeploy. Reconnection with back-off is the core's job, not this wrapper's.
 */
import '../shared/platforms';
import { acquireConnection, registeredPlatforms, type Lease } from '../shared/connection/registry';
import type { ConnectionConfig, PbxConnection } from '../shared/connection/types';
import { EVENT_TYPES, type ConnectionStateInfo } from '../shared/model/events';
import { OPERATIONS } from '../shared/operations/catalogue';
import { CALENDAR_SYNC } from './lib/calendar';
import { CLOSE_TIMEOUT_MS, configProblem, directoryContacts, listOf, LOOKUP_TIMEOUT_MS, monitoredDevices, monitoredUsers, toConnectionConfig, withDeadline, type LookupItem, type LookupKind, withinTimeout, type ConnectionNodeDef, type ConnectionUser, type PbxConnectionNode } from './lib/config';
import { asNode, type NodeStatus, type RedApi } from './lib/red';
import { statusFor, type UiState } from './lib/status';

export = function register(RED: RedApi): void {
  function ConnectionNode(this: PbxConnectionNode, def: ConnectionNodeDef) {
    RED.nodes.createNode(this, def);
    const node = asNode(this);
    const users = new Set<ConnectionUser>();
    let lease: Lease | undefined;
    let stopWatching: (() => void) | undefined;
    let stopWarnings: (() => void) | undefined;
    let state: UiState = 'idle';
    let lastStatus: NodeStatus = statusFor('idle');

    const show = (s: UiState, reason?: string) => {
      state = s;
      lastStatus = statusFor(s);
      for (const u of users) u.status(lastStatus);
      if ((s === 'failed' || s === 'error') && reason) node.warn(RED._('errors.failed', { reason }));
    };

    const open = (): PbxConnection | undefined => {
      if (lease) return lease.connection;
      let config: ConnectionConfig;
      if (configProblem(def) === 'noUsers') {
        // Said once in plain words, instead of a subscription the PBX refuses again and again.
        if (state !== 'noUsers') node.warn(RED._('errors.noUsers'));
        show('noUsers');
        return undefined;
      }
      try {
        config = toConnectionConfig(def, node.credentials);
        lease = acquireConnection(config);
      } catch (err) {
        // A bad configuration (unknown platform, invalid JSON) must not crash the runtime: show it and wait.
        show('error', (err as Error).message);
        return undefined;
      }
      const held = lease;
      show(held.connection.state as UiState);
      stopWatching = held.connection.onState((info: ConnectionStateInfo) => {
        if (lease === held) show(info.state, info.reason);
      });
      // Connection-level warnings (reconnect causes, failed resyncs) once, here. Skipped lines are warned by the
      // event nodes, which are the ones whose output may miss something.
      stopWarnings = held.connection.onWarning((w) => {
        if (lease === held && w.kind !== 'decode') node.warn(RED._('errors.warning', { message: w.message }));
      });
      // Surfaces a refused login; the core keeps retrying transient failures with back-off.
      held.connection.ready().then(
        () => {
          if (lease === held) show(held.connection.state as UiState);
        },
        (err: unknown) => {
          if (lease === held) show('error', (err as Error).message);
        },
      );
      return held.connection;
    };

    const release = async (): Promise<void> => {
      const held = lease;
      lease = undefined;
      stopWatching?.();
      stopWatching = undefined;
      stopWarnings?.();
      stopWarnings = undefined;
      state = 'idle';
      if (held) await withinTimeout(held.release(), CLOSE_TIMEOUT_MS);
    };

    this.register = (user: ConnectionUser) => {
      users.add(user);
      const connection = open();
      user.status(lastStatus);
      return connection;
    };

    this.deregister = async (user: ConnectionUser) => {
      users.delete(user);
      if (users.size === 0) await release();
    };

    Object.defineProperty(this, 'uiState', { get: () => state });

    // For the editor's pickers: what this connection knows, plus a directory search on its live session.
    this.lookup = async (kind: LookupKind, query: string): Promise<LookupItem[]> => {
      const q = query.trim().toLowerCase();
      const has = (v: string) => !q || v.toLowerCase().includes(q);
      const own = (kind === 'users' ? monitoredUsers(def) : kind === 'devices' ? monitoredDevices(def) : listOf(def.pilots))
        .map((v) => { const [value, label] = v.split('='); return { value: value!.trim(), ...(label ? { label: label.trim() } : {}) }; });
      const items: LookupItem[] = own.filter((i) => has(i.value) || has(i.label ?? ''));
      const connection = lease?.connection;
      if (kind === 'users' && q && state === 'connected' && connection?.supports('searchDirectory')) {
        const found = await withDeadline(connection.execute('searchDirectory', { query: q, limit: 20 }), LOOKUP_TIMEOUT_MS).catch(() => undefined);
        for (const c of directoryContacts(found)) {
          const value = c.login ?? c.number;
          if (value && !items.some((i) => i.value === value)) items.push({ value, ...(c.name ? { label: c.name } : {}) });
        }
      }
      return items.slice(0, 50);
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      users.clear();
      release().then(done, done);
    });
  }

  RED.nodes.registerType('pbxflow-connection', ConnectionNode as unknown as new (def: never) => object, {
    credentials: { login: { type: 'text' }, password: { type: 'password' } },
  });

  // The editor builds the action nodes' operation lists and fields from the shared catalogue, so the n8n and
  // Node-RED UIs never drift, and offers only the platforms this build registered. Read-only, no secrets.
  if (RED.httpAdmin) {
    const guard = RED.auth?.needsPermission('pbxflow-connection.read');
    const route = (path: string, handler: AdminHandler) => (guard ? RED.httpAdmin!.get(path, guard, handler) : RED.httpAdmin!.get(path, handler));
    route('/pbxflow/operations', (_req, res) => res.json({ operations: [...OPERATIONS, CALENDAR_SYNC], eventTypes: EVENT_TYPES, platforms: registeredPlatforms() }));
    // Pickers: users, devices and pilots known to a deployed connection (values and display names, never a
    // secret). An undeployed or unreachable connection answers an empty list: the editor keeps free text.
    route('/pbxflow/lookup/:id', (req, res) => {
      const r = req as { params?: { id?: string }; query?: { kind?: string; q?: string } };
      const kind = (['users', 'devices', 'pilots'] as const).find((k) => k === r.query?.kind) ?? 'users';
      const target = RED.nodes.getNode(String(r.params?.id ?? '')) as PbxConnectionNode | null;
      if (!target || typeof target.lookup !== 'function') return res.json({ available: false, items: [] });
      target.lookup(kind, String(r.query?.q ?? '')).then(
        (items) => res.json({ available: true, items }),
        () => res.json({ available: false, items: [] }),
      );
    });
  }
};

type AdminHandler = (req: unknown, res: { json(b: unknown): void }) => void;
