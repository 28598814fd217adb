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
import { CLOSE_TIMEOUT_MS, configProblem, toConnectionConfig, type LookupItem, type LookupKind, withinTimeout, type ConnectionNodeDef, type ConnectionUser, type PbxConnectionNode } from './lib/config';
import { pick, PickerSession, type PickerAnswer } from './lib/picker';
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

    // For the editor's pickers: what this connection knows, and what the PBX lists, through a session of these
    // settings (the nodes' own connection when open; else one opened for the lists, as for a new administrator
    // connection whose users are still to be picked).
    const pickerSession = new PickerSession(() => toConnectionConfig(def, node.credentials));
    this.pick = (kind: LookupKind, query: string, user?: string): Promise<PickerAnswer> => pick(def, node.credentials?.login, pickerSession, kind, query, user);
    this.lookup = async (kind: LookupKind, query: string, user?: string): Promise<LookupItem[]> => (await this.pick(kind, query, user)).items;

    node.on('close', (_removed: boolean, done: () => void) => {
      users.clear();
      Promise.all([release(), withinTimeout(pickerSession.close(), CLOSE_TIMEOUT_MS)]).then(() => done(), done);
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
    // secret), with a note when the list is short. An undeployed connection answers an empty list: free text.
    route('/pbxflow/lookup/:id', (req, res) => {
      const r = req as { params?: { id?: string }; query?: { kind?: unknown; q?: unknown; user?: unknown } };
      const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : '');
      const kind = (['users', 'devices', 'pilots'] as const).find((k) => k === r.query?.kind) ?? 'users';
      const target = RED.nodes.getNode(text(r.params?.id)) as PbxConnectionNode | null;
      if (!target || typeof target.pick !== 'function') return res.json({ available: false, items: [], note: 'Deploy the connection first: its lists come from the PBX. Type the value meanwhile.' });
      target.pick(kind, text(r.query?.q), text(r.query?.user) || undefined).then(
        (answer) => res.json(answer),
        () => res.json({ available: false, items: [] }),
      );
    });
  }
};

type AdminHandler = (req: unknown, res: { json(b: unknown): void }) => void;
