/**
 * One factory for every action node (call, routing, messaging, directory, agent): the node maps its settings and
 * the incoming msg to an operation of the shared catalogue, runs it on the shared connection, and puts the result
 * in `msg.payload`. Errors go to `done(err)` so Catch nodes fire. No protocol logic here.
 */
import { PbxError } from '../../shared/errors';
import { OPERATIONS, operationSpec, type OperationName, type OperationSpec, type Resource } from '../../shared/operations/catalogue';
import type { PbxConnectionNode } from './config';
import { evaluate, resolveInputs, type ParamSettings } from './params';
import { asNode, type DoneFn, type NodeDef, type NodeMessage, type NodeStatus, type RedApi, type SendFn } from './red';
import { errorStatus } from './status';

export interface ActionNodeDef extends NodeDef {
  connection: string;
  operation: string;
  params?: ParamSettings;
  /** Act for this user (admin sessions): value and typed-input type. */
  user?: string;
  userType?: string;
}

/** Extra operations a node adds on top of the catalogue (e.g. the routing node's calendar sync). */
export interface LocalOperation {
  name: string;
  run(ctx: { RED: RedApi; node: object; msg: NodeMessage; settings: ParamSettings; connection: import('../../shared/connection/types').PbxConnection; user?: string }): Promise<unknown>;
}

export function operationsOf(resources: readonly Resource[]): OperationSpec[] {
  return (OPERATIONS as readonly unknown[] as OperationSpec[]).filter((o) => resources.includes(o.resource));
}

/**
 * The constructor of an action node over some catalogue resources (plus node-local operations). Each node file
 * registers it under its own type name, so `RED.nodes.registerType('pbxflow-…')` stays readable where it is.
 */
export function actionNode(RED: RedApi, resources: readonly Resource[], local: LocalOperation[] = []): new (def: never) => object {
  const allowed = new Set<string>([...operationsOf(resources).map((o) => o.name), ...local.map((l) => l.name)]);

  function ActionNode(this: object, def: ActionNodeDef) {
    RED.nodes.createNode(this, def);
    const node = asNode(this);
    const config = RED.nodes.getNode(def.connection) as PbxConnectionNode | null;
    const me = { status: (s: NodeStatus) => node.status(s) };
    if (!config) {
      node.status({ fill: 'red', shape: 'ring', text: 'status.noConnection' });
    }
    const connection = config?.register(me);

    node.on('input', async (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      try {
        if (!config || !connection) throw new PbxError('INVALID_INPUT', RED._('errors.noConnection'));
        const requested = typeof msg.operation === 'string' && msg.operation ? msg.operation : def.operation;
        if (!allowed.has(requested)) {
          throw new PbxError('INVALID_INPUT', `Operation "${requested}" is not one of this node's operations (${[...allowed].join(', ')})`);
        }
        const settings = (requested === def.operation ? def.params : undefined) ?? {};
        const userValue = (await evaluate(RED, node, { v: def.user, t: def.userType || 'str' }, msg)) ?? msg.user;
        const user = typeof userValue === 'string' && userValue ? userValue : undefined;
        const localOp = local.find((l) => l.name === requested);
        let result: unknown;
        if (localOp) {
          result = await localOp.run({ RED, node, msg, settings, connection, user });
        } else {
          const spec = operationSpec(requested)!;
          if (!connection.supports(requested as OperationName)) {
            throw new PbxError('UNSUPPORTED', `"${spec.displayName}" is not available on ${connection.platform}`);
          }
          const input = await resolveInputs(RED, node, spec.fields, settings, msg);
          result = await connection.execute(requested as OperationName, input, user ? { user } : {});
        }
        msg.payload = result;
        send(msg);
        if (config.uiState === 'connected') node.status({ fill: 'green', shape: 'dot', text: 'status.connected' });
        done();
      } catch (err) {
        node.status(errorStatus(err));
        done(err instanceof Error ? err : new Error(String(err)));
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      if (config) config.deregister(me).then(done, done);
      else done();
    });
  }

  return ActionNode as unknown as new (def: never) => object;
}
