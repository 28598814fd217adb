/**
 * The one check of operation inputs, for every host (n8n, Node-RED, the CLI) and every platform: each field of the
 * operation's catalogue entry is checked for its type and a sane size before anything is sent, and refused with an
 * `InputError` naming the field (its label and its catalogue name). A value is never turned into text by
 * `String()` (an object would dial "[object Object]").
 */
import { InputError, PbxError } from '../errors';
import { operationSpec, type FieldSpec, type OperationSpec } from './catalogue';

/** Longest text a field takes unless its catalogue entry says otherwise: numbers, ids, logins, names. */
export const DEFAULT_MAX_LENGTH = 256;
/** Longest JSON text (or serialized object) a `json` field takes unless its entry says otherwise. */
export const DEFAULT_MAX_JSON = 100_000;
/** Numbers with no range of their own stay within this (ids and counts, never astronomical). */
const MAX_ABS_NUMBER = 1e12;

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'number') return Number.isFinite(v) ? 'a number' : String(v);
  return `a ${typeof v}`;
}

/** Checks an operation's input against its catalogue entry; returns the input with defaults applied. */
export function validateInput(operation: string, input: Record<string, unknown>): Record<string, unknown> {
  const spec: OperationSpec | undefined = operationSpec(operation);
  if (!spec) throw new PbxError('UNSUPPORTED', `Unknown operation "${operation}"`);
  if (input !== undefined && (input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw new InputError(operation, '', `${spec.displayName}: the input must be an object of fields, got ${kindOf(input)}`);
  }
  const given = input ?? {};
  const out: Record<string, unknown> = {};
  for (const f of spec.fields) {
    let v = Object.hasOwn(given, f.name) ? given[f.name] : undefined;
    if (v === undefined || v === null || v === '') v = f.default;
    if (f.required && (v === undefined || v === null || v === '')) {
      throw new InputError(operation, f.name, `${spec.displayName}: "${f.displayName}" is required (${f.description})`);
    }
    if (v === undefined) continue;
    out[f.name] = checkField(spec, f, v);
  }
  return out;
}

function checkField(spec: OperationSpec, f: FieldSpec, v: unknown): unknown {
  const refuse = (what: string) => new InputError(spec.name, f.name, `${spec.displayName}: "${f.displayName}" (${f.name}) ${what}`);
  switch (f.type) {
    case 'string': {
      // A number or a boolean from an expression reads as its text; anything else is a mistake, not a value.
      let t: string;
      if (typeof v === 'string') t = v;
      else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') t = String(v);
      else throw refuse(`must be text, got ${kindOf(v)}`);
      const max = f.maxLength ?? DEFAULT_MAX_LENGTH;
      if (t.length > max) throw refuse(`is too long: ${t.length} characters, at most ${max}`);
      if (!f.multiline && /[\u0000-\u0008\u000a-\u001f\u007f]/.test(t)) throw refuse('must be one line of text (no line breaks or control characters)');
      return t;
    }
    case 'number': {
      let n: number;
      if (typeof v === 'number') n = v;
      else if (typeof v === 'string' && v.trim() !== '' && v.length <= 32) n = Number(v);
      else throw refuse(`must be a number, got ${kindOf(v)}`);
      if (!Number.isFinite(n)) throw refuse('must be a number');
      if (f.min !== undefined && n < f.min) throw refuse(`must be at least ${f.min}, got ${n}`);
      if (f.max !== undefined && n > f.max) throw refuse(`must be at most ${f.max}, got ${n}`);
      if (Math.abs(n) > MAX_ABS_NUMBER) throw refuse(`is out of range: ${n}`);
      return n;
    }
    case 'boolean': {
      if (typeof v === 'boolean') return v;
      if (v === 1 || v === 0) return v === 1;
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (TRUE.has(t)) return true;
        if (FALSE.has(t)) return false;
      }
      throw refuse(`must be true or false, got ${typeof v === 'string' ? `"${v.slice(0, 40)}"` : kindOf(v)}`);
    }
    case 'options': {
      if (typeof v !== 'string' || !f.options?.some((o) => o.value === v)) {
        throw refuse(`must be one of ${(f.options ?? []).map((o) => o.value).join(', ')}${typeof v === 'string' ? '' : `, got ${kindOf(v)}`}`);
      }
      return v;
    }
    case 'json': {
      // JSON text, or the object / list itself (an expression's result); the platform reads its content.
      const max = f.maxLength ?? DEFAULT_MAX_JSON;
      if (typeof v === 'string') {
        if (v.length > max) throw refuse(`is too long: ${v.length} characters, at most ${max}`);
        return v;
      }
      if (v !== null && typeof v === 'object') {
        let size: number;
        try {
          size = JSON.stringify(v)?.length ?? 0;
        } catch {
          throw refuse('must be JSON (it cannot be serialized)');
        }
        if (size > max) throw refuse(`is too large: ${size} characters of JSON, at most ${max}`);
        return v;
      }
      throw refuse(`must be JSON text, an object or a list, got ${kindOf(v)}`);
    }
    default:
      return v;
  }
}
