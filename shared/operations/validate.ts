import { PbxError } from '../errors';
import { operationSpec, type OperationSpec } from './catalogue';

/** Checks an operation's input against its catalogue entry; returns the input with defaults applied. */
export function validateInput(operation: string, input: Record<string, unknown>): Record<string, unknown> {
  const spec: OperationSpec | undefined = operationSpec(operation);
  if (!spec) throw new PbxError('UNSUPPORTED', `Unknown operation "${operation}"`);
  const out: Record<string, unknown> = {};
  for (const f of spec.fields) {
    let v = input[f.name];
    if (v === undefined || v === null || v === '') v = f.default;
    if (f.required && (v === undefined || v === null || v === '')) {
      throw new PbxError('INVALID_INPUT', `${spec.displayName}: "${f.displayName}" is required (${f.description})`);
    }
    if (v === undefined) continue;
    if (f.type === 'number' && typeof v !== 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new PbxError('INVALID_INPUT', `${spec.displayName}: "${f.displayName}" must be a number`);
      v = n;
    }
    if (f.type === 'boolean' && typeof v !== 'boolean') v = v === 'true' || v === true || v === 1 || v === '1';
    if (f.type === 'string' && typeof v !== 'string') v = String(v);
    if (f.type === 'options' && f.options && !f.options.some((o) => o.value === v)) {
      throw new PbxError('INVALID_INPUT', `${spec.displayName}: "${f.displayName}" must be one of ${f.options.map((o) => o.value).join(', ')}`);
    }
    out[f.name] = v;
  }
  return out;
}
