/**
 * Where an action node's operation inputs come from, in this order (documented in each node's help):
 *   1. the node's own setting for the field (any typed input: string, number, msg., flow., global., env, JSONata);
 *   2. `msg.<field>` (e.g. `msg.destination`);
 *   3. `msg.payload.<field>` when `msg.payload` is an object;
 *   4. for `callId` only: `msg.payload.call.id` (what the pbxflow-event node sends);
 *   5. the catalogue default.
 * No validation here: the core validates every input against the catalogue.
 */
import type { FieldSpec } from '../../shared/operations/catalogue';
import type { NodeMessage, PropertyType, RedApi } from './red';

export interface TypedValue {
  /** value */
  v?: unknown;
  /** typed-input type */
  t?: PropertyType;
}

export type ParamSettings = Record<string, TypedValue | undefined>;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

export function evaluate(RED: RedApi, node: object, setting: TypedValue | undefined, msg: NodeMessage): Promise<unknown> {
  if (!setting || isEmpty(setting.v) && (setting.t ?? 'str') !== 'env') return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(setting.v, setting.t ?? 'str', node, msg, (err, value) => (err ? reject(err) : resolve(value)));
  });
}

export function fromMessage(field: string, msg: NodeMessage): unknown {
  if (!isEmpty(msg[field])) return msg[field];
  const payload = msg.payload;
  if (isObject(payload)) {
    if (!isEmpty(payload[field])) return payload[field];
    if (field === 'callId' && isObject(payload.call) && !isEmpty(payload.call.id)) return payload.call.id;
  }
  return undefined;
}

export async function resolveInputs(
  RED: RedApi,
  node: object,
  fields: readonly FieldSpec[],
  settings: ParamSettings,
  msg: NodeMessage,
): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = {};
  for (const f of fields) {
    let value = await evaluate(RED, node, settings[f.name], msg);
    if (isEmpty(value)) value = fromMessage(f.name, msg);
    if (!isEmpty(value)) input[f.name] = value;
  }
  return input;
}
