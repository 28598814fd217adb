/**
 * TelServices codec on fast-xml-parser, both directions, driven by `schema.ts`:
 *  - out: no prolog, no namespaces, no attributes, no whitespace; enumerations and booleans as empty elements
 *    (`<state><on/></state>`, `<isOutgoing><true/></isOutgoing>`); fields in the spec's order.
 *  - in: whitespace and line breaks tolerated, a prolog tolerated, DOCTYPE refused (no entity games); every field
 *    type-checked (shared/model/fields); unknown elements kept under `extra`; a malformed document is a DecodeError.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { DecodeError, PbxError } from '../../errors';
import { excerpt } from '../../connection/line-guard';
import { int, isRecord, text } from '../../model/fields';
import { ERROR, EVENT, REQUESTS, RESULT, type RequestName, type Schema } from './schema';
import type { ResultMap, ResultName, TsEvent, TsEventBody, TsRequest, TsReturn } from './types';
import { telServicesError } from './errors';

type Obj = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  removeNSPrefix: true,
  processEntities: true,
  htmlEntities: false,
});
const builder = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: true, processEntities: true });

/** Longest document accepted (a UDP datagram is at most 64 KiB; a history result may be longer). */
export const MAX_DOCUMENT = 4 * 1024 * 1024;
const NAME = /^[A-Za-z][\w-]{0,63}$/;

/** Parses one XML document (one PDU). Throws DecodeError when it is not well-formed. */
export function parseXml(xml: string): Obj {
  const doc = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (doc.length > MAX_DOCUMENT) throw new DecodeError(`document too long (${doc.length} characters)`, doc.slice(0, 120));
  if (/<!DOCTYPE/i.test(doc)) throw new DecodeError('document with a DOCTYPE (not allowed in TelServices)', doc);
  const valid = XMLValidator.validate(doc);
  if (valid !== true) throw new DecodeError(`malformed XML (${valid.err.msg.slice(0, 100)} at line ${valid.err.line})`, doc);
  const out = parser.parse(doc) as unknown;
  if (!isRecord(out)) throw new DecodeError('not an XML document', doc);
  return out;
}

/**
 * Splits received bytes into PDUs: on the configured end-of-message sequence, or (none configured) after each
 * closing root element, so two documents in one datagram still come apart.
 */
export function splitPdus(chunk: string, endOfMessage?: string): string[] {
  // The usual datagram: one document, no sequence configured.
  if (!endOfMessage && chunk.indexOf('</TelService') === chunk.lastIndexOf('</TelService')) {
    const t = chunk.trim();
    return t ? [t] : [];
  }
  const parts = endOfMessage ? chunk.split(endOfMessage) : chunk.split(/(?<=<\/TelService(?:Event|Return|Request)\s*>)/);
  const out: string[] = [];
  for (const p of parts) {
    const t = p.trim();
    if (t) out.push(t);
  }
  return out;
}

// ---- decoding -------------------------------------------------------------------------------------------

function bad(path: string, why: string): never {
  throw new DecodeError(`${path}: ${why}`);
}

function enumName(v: unknown, path: string): string {
  if (typeof v === 'string' && NAME.test(v)) return v; // tolerate `<state>on</state>`
  if (!isRecord(v)) return bad(path, 'expected an enumerated value');
  const keys = Object.keys(v);
  if (keys.length !== 1 || !NAME.test(keys[0])) return bad(path, `expected one enumerated value, got ${keys.length}`);
  return keys[0];
}

export function decodeValue(s: Schema, v: unknown, path: string): unknown {
  if (Array.isArray(v)) v = v[0]; // a repeated single field: the first counts
  switch (s.t) {
    case 'text': {
      const t = text(v);
      return t === undefined ? bad(path, 'expected text') : t;
    }
    case 'int': {
      const n = int(v, 0);
      return n === undefined ? bad(path, 'expected a whole number') : n;
    }
    case 'bool': {
      if (v === 'true' || v === 'false') return v === 'true';
      const b = enumName(v, path);
      if (b !== 'true' && b !== 'false') bad(path, `expected <true/> or <false/>, got <${b}/>`);
      return b === 'true';
    }
    case 'enum':
      return enumName(v, path);
    case 'flags': {
      if (v === '' || v === undefined) return [];
      if (!isRecord(v)) return bad(path, 'expected a list of values');
      return Object.keys(v).filter((k) => NAME.test(k));
    }
    case 'list': {
      if (v === '' || v === undefined) return [];
      if (!isRecord(v)) return bad(path, 'expected a list');
      const items: unknown[] = [];
      for (const k of Object.keys(v)) {
        if (k !== s.item && !s.itemAny) continue;
        const x = v[k];
        if (Array.isArray(x)) for (const i of x) items.push(i);
        else items.push(x);
      }
      return items.map((i, n) => decodeValue(s.of, i, `${path}[${n}]`));
    }
    case 'seq': {
      if (v === '' || v === undefined) v = {};
      if (!isRecord(v)) return bad(path, 'expected elements');
      const out: Obj = {};
      let extra: Obj | undefined;
      for (const k of Object.keys(v)) {
        const f = s.fields[k];
        if (f) {
          try {
            out[k] = decodeValue(f, v[k], `${path}.${k}`);
          } catch (err) {
            // A required field must be right; an optional one that is not is kept raw rather than fatal.
            if (s.required?.includes(k)) throw err;
            (extra ??= {})[k] = v[k];
          }
        } else if (s.open && typeof v[k] === 'string') out[k] = text(v[k]);
        else (extra ??= {})[k] = v[k];
      }
      for (const r of s.required ?? []) if (out[r] === undefined) bad(path, `<${r}> is missing`);
      if (extra) out.extra = extra;
      return out;
    }
    case 'choice': {
      const name = enumName(v, path);
      const opt = s.options[name];
      const inner = (v as Obj)[name];
      if (opt === undefined) return { name, value: inner, unknown: true };
      return { name, value: opt === null ? true : decodeValue(opt, inner, `${path}.${name}`) };
    }
  }
}

function rootOf(doc: Obj, root: string, xml: string): unknown {
  const keys = Object.keys(doc);
  if (keys.length !== 1 || keys[0] !== root) throw new DecodeError(`expected a <${root}> document, got <${keys.join('>, <') || 'nothing'}>`, xml);
  const body = doc[root];
  if (Array.isArray(body)) throw new DecodeError(`several <${root}> documents in one PDU`, xml);
  return body;
}

/** One `<TelServiceEvent>`. Throws DecodeError (with an excerpt) when it is malformed or lacks a required field. */
export function decodeEvent(xml: string): TsEvent {
  const body = rootOf(parseXml(xml), 'TelServiceEvent', xml);
  return withExcerpt(xml, () => {
    if (!isRecord(body)) bad('TelServiceEvent', 'empty');
    const out: TsEvent = { event: decodeValue(EVENT, body.event, 'event') as TsEventBody };
    if (body.deviceNumber !== undefined) {
      const d = text(Array.isArray(body.deviceNumber) ? body.deviceNumber[0] : body.deviceNumber);
      if (d === undefined) bad('deviceNumber', 'expected text');
      if (d) out.deviceNumber = d;
    }
    for (const k of Object.keys(body)) if (k !== 'event' && k !== 'deviceNumber') (out.extra ??= {})[k] = body[k];
    return out;
  });
}

/** One `<TelServiceReturn>`: a result, or the error name. */
export function decodeReturn(xml: string): TsReturn {
  const body = rootOf(parseXml(xml), 'TelServiceReturn', xml);
  return withExcerpt(xml, () => {
    if (!isRecord(body)) bad('TelServiceReturn', 'empty');
    if (body.error !== undefined) return { ok: false, error: decodeValue(ERROR, body.error, 'error') as string };
    if (body.result === undefined) bad('TelServiceReturn', 'neither <result> nor <error>');
    const r = decodeValue(RESULT, body.result, 'result') as { name: string; value: unknown };
    return { ok: true, name: r.name, value: r.value };
  });
}

/** One `<TelServiceRequest>` (the simulator's side). */
export function decodeRequest(xml: string): TsRequest {
  const body = rootOf(parseXml(xml), 'TelServiceRequest', xml);
  return withExcerpt(xml, () => {
    if (!isRecord(body)) bad('TelServiceRequest', 'empty');
    const keys = Object.keys(body);
    if (keys.length !== 1) bad('TelServiceRequest', `expected one service, got ${keys.length}`);
    const service = keys[0];
    const s = REQUESTS[service];
    if (!s) throw new DecodeError(`unknown service <${service.slice(0, 64)}>`, xml);
    return { service: service as RequestName, params: decodeValue(s, body[service], service) as Obj };
  });
}

/** The value of a result, checked to be the one the request expects; `<error>` becomes its typed error. */
export function expectResult<K extends ResultName>(ret: TsReturn, name: K, what: string): ResultMap[K] {
  if (!ret.ok) throw telServicesError(ret.error, what);
  if (ret.name !== name) throw new PbxError('PBX', `${what}: TelServer answered <${ret.name}> where <${name}> was expected`);
  return ret.value as ResultMap[K];
}

function withExcerpt<T>(xml: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof DecodeError && err.excerpt === undefined) throw new DecodeError(err.message, excerpt(xml, 120));
    throw err;
  }
}

// ---- encoding -------------------------------------------------------------------------------------------

function invalid(path: string, why: string): never {
  throw new PbxError('INVALID_INPUT', `${path}: ${why}`);
}

export function encodeValue(s: Schema, v: unknown, path: string): unknown {
  switch (s.t) {
    case 'text': {
      if (typeof v === 'string') return v;
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      return invalid(path, 'expected text');
    }
    case 'int': {
      const n = int(v, 0);
      return n === undefined ? invalid(path, 'expected a whole number >= 0') : String(n);
    }
    case 'bool':
      if (typeof v !== 'boolean') invalid(path, 'expected true or false');
      return { [v ? 'true' : 'false']: '' };
    case 'enum':
      if (typeof v !== 'string' || !s.values.includes(v)) invalid(path, `expected one of ${s.values.join(', ')}`);
      return { [v as string]: '' };
    case 'flags': {
      if (!Array.isArray(v)) return invalid(path, 'expected a list');
      if (v.length === 0) return '';
      const o: Obj = {};
      for (const x of v) {
        if (typeof x !== 'string' || !s.values.includes(x)) invalid(path, `expected values among ${s.values.join(', ')}`);
        o[x as string] = '';
      }
      return o;
    }
    case 'list': {
      if (!Array.isArray(v)) return invalid(path, 'expected a list');
      if (v.length === 0) return '';
      return { [s.item]: v.map((x, i) => encodeValue(s.of, x, `${path}[${i}]`)) };
    }
    case 'seq': {
      if (!isRecord(v)) return invalid(path, 'expected an object');
      const out: Obj = {};
      // Open sequences (statistics) keep the order they were given in: their field tables are lost.
      for (const k of s.open ? Object.keys(v) : Object.keys(s.fields)) {
        if (!(k in s.fields)) {
          if (k !== 'extra' && NAME.test(k) && (typeof v[k] === 'string' || typeof v[k] === 'number')) out[k] = String(v[k]);
          continue;
        }
        const x = v[k];
        if (x === undefined || x === null) {
          if (s.required?.includes(k)) invalid(`${path}.${k}`, 'is required');
          continue;
        }
        out[k] = encodeValue(s.fields[k], x, `${path}.${k}`);
      }
      if (s.open) for (const r of s.required ?? []) if (v[r] === undefined) invalid(`${path}.${r}`, 'is required');
      return Object.keys(out).length ? out : '';
    }
    case 'choice': {
      if (!isRecord(v) || typeof v.name !== 'string' || !(v.name in s.options)) return invalid(path, `expected one of ${Object.keys(s.options).join(', ')}`);
      const opt = s.options[v.name];
      return { [v.name]: opt === null ? '' : encodeValue(opt, v.value, `${path}.${v.name}`) };
    }
  }
}

const build = (doc: Obj): string => builder.build(doc) as string;

/** A `<TelServiceRequest>` for `service` with `params` (checked against the spec's parameter list). */
export function encodeRequest(service: RequestName, params: Record<string, unknown>): string {
  const s = REQUESTS[service];
  if (!s) throw new PbxError('UNSUPPORTED', `unknown TelServices service ${service}`);
  const body = encodeValue(s, params, service);
  return build({ TelServiceRequest: { [service]: body } });
}

/** A `<TelServiceReturn>` (the simulator's side). */
export function encodeReturn(ret: TsReturn): string {
  if (!ret.ok) return build({ TelServiceReturn: { error: encodeValue(ERROR, ret.error, 'error') } });
  return build({ TelServiceReturn: { result: encodeValue(RESULT, { name: ret.name, value: ret.value }, 'result') } });
}

/** A `<TelServiceEvent>` (the simulator's side). */
export function encodeEvent(ev: TsEvent): string {
  const body: Obj = {};
  if (ev.deviceNumber !== undefined) body.deviceNumber = ev.deviceNumber;
  body.event = encodeValue(EVENT, ev.event, 'event');
  return build({ TelServiceEvent: body });
}
