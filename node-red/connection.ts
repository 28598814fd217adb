/**
 * pbxflow-connection: the config node. Owns ONE shared PBX connection (through the core's ref-counted registry)
 * for every node that uses it, fans connection state out to their status dots, and releases the connection when
 * the last user leaves or on redeploy. Reconnection with back-off is the core's job, not this wrapper's.
 */
import '../shared/platforms';
import { acquireConnection, type Lease } from '../shared/connection/registry';
import type { ConnectionConfig, PbxConnection } from '../shared/connection/types';
import { EVENT_TYPES, type ConnectionStateInfo } from '../shared/model/events';
import { OPERATIONS } from '../shared/operations/catalogue';
import { CALENDAR_SYNC } from './lib/calendar';
import { CLOSE_TIMEOUT_MS, toConnectionConfig, withinTimeout, type ConnectionNodeDef, type ConnectionUser, type PbxConnectionNode } from './lib/config';
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

    node.on('close', (_removed: boolean, done: () => void) => {
      users.clear();
      release().then(done, done);
    });
  }

  RED.nodes.registerType('pbxflow-connection', ConnectionNode as unknown as new (def: never) => object, {
    credentials: { login: { type: 'text' }, password: { type: 'password' } },
  });

  // The editor builds the action nodes' operation lists and fields from the shared catalogue, so the n8n and
  // Node-RED UIs never drift. Read-only, no secrets.
  if (RED.httpAdmin) {
    const guard = RED.auth?.needsPermission('pbxflow-connection.read');
    const handler = (_req: unknown, res: { json(b: unknown): void }) => res.json({ operations: [...OPERATIONS, CALENDAR_SYNC], eventTypes: EVENT_TYPES });
    if (guard) RED.httpAdmin.get('/pbxflow/operations', guard, handler);
    else RED.httpAdmin.get('/pbxflow/operations', handler);
  }
};
