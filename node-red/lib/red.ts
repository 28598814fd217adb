/**
 * The slice of the Node-RED runtime API these nodes use (Node-RED ships no TypeScript types).
 * Kept minimal and structural so the nodes compile strictly without a dependency on @types/node-red.
 */

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  topic?: string;
  [key: string]: unknown;
}

export type SendFn = (msg: NodeMessage | Array<NodeMessage | null> | null) => void;
export type DoneFn = (err?: Error) => void;

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [key: string]: unknown;
}

export interface RedNode {
  readonly id: string;
  readonly type: string;
  name?: string;
  credentials?: Record<string, string | undefined>;
  on(event: 'input', handler: (msg: NodeMessage, send: SendFn, done: DoneFn) => void | Promise<void>): void;
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
  status(status: NodeStatus): void;
  send(msg: NodeMessage | Array<NodeMessage | null> | null): void;
  log(msg: string): void;
  warn(msg: string): void;
  error(err: string | Error, msg?: NodeMessage): void;
}

export type PropertyType = 'str' | 'num' | 'bool' | 'json' | 'msg' | 'flow' | 'global' | 'env' | 'jsonata' | 'date' | 'bin' | 're' | string;

export interface RedApi {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    registerType(type: string, ctor: new (def: never) => object, options?: { credentials?: Record<string, { type: 'text' | 'password' }> }): void;
    getNode(id: string): object | null;
  };
  util: {
    evaluateNodeProperty(
      value: unknown,
      type: PropertyType,
      node: object,
      msg: NodeMessage,
      callback: (err: Error | null, result: unknown) => void,
    ): void;
  };
  httpAdmin?: { get(path: string, ...handlers: Array<(req: unknown, res: JsonResponse, next?: () => void) => void>): void };
  auth?: { needsPermission(permission: string): (req: unknown, res: JsonResponse, next?: () => void) => void };
  _(key: string, substitutions?: Record<string, unknown>): string;
}

export interface JsonResponse {
  json(body: unknown): void;
}

/** `this` inside a node constructor: the object Node-RED turned into a node with `createNode`. */
export function asNode<T extends object>(self: T): T & RedNode {
  return self as T & RedNode;
}
