/**
 * ALE event decoder: one line of the event channel in, one event in the public `On*` form out.
 * Accepts both dialects: OpenTouch/O2G public (`eventName`, `loginName`) and O2G internal (`name: RTSM_*`, `id`).
 *
 * The event it returns is clean where the normalizer and tracker rely on it: the top-level fields below have the
 * types `AleEvent` says (or are absent), times are plausible epoch ms (else absent: the receive time applies),
 * and nested values are left to the normalizer's own checks (`shared/model/fields.ts`).
 */
import { DecodeError } from '../../errors';
import { MAX_FIELD, eventTime, int, isRecord, text } from '../../model/fields';

/** An ALE event in the public form. Fields follow the OpenTouch/O2G spec; unknown ones are kept. */
export interface AleEvent {
  eventName: string;
  loginName?: string;
  callRef?: string;
  cause?: string;
  /** Epoch ms when the source says (O2G internal form); absent in the public form. */
  time?: number;
  /** O2G per-user sequence number, when present. */
  eventId?: number;
  [k: string]: unknown;
}

/** RTSM_* names of the O2G internal form and their public names (no prototype: `constructor` is no name). */
const RTSM_NAMES: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  RTSM_CALL_CREATED: 'OnCallCreated',
  RTSM_CALL_MODIFIED: 'OnCallModified',
  RTSM_CALL_REMOVED: 'OnCallRemoved',
  RTSM_PARTICIPANT_REMOVED: 'OnCallModified',
  RTSM_USER_STATE_MODIFIED: 'OnUserStateModified',
  RTSM_DEVICE_STATE_MODIFIED: 'OnDeviceStateModified',
  RTSM_TELEPHONY_STATE: 'OnTelephonyState',
});

/** Event names are short identifiers; anything else is not an event name. */
const MAX_NAME = 128;
/** Top-level fields read as plain text (ids, numbers, causes). */
type TextField = 'loginName' | 'callRef' | 'cause' | 'previousCallRef' | 'newDestination' | 'pilot' | 'pilotNumber';

/**
 * Parse one line. Returns `undefined` for keepalive/blank lines; throws `DecodeError` on bad input.
 * `now` is the receive time, against which event times are judged.
 */
export function decodeAleLine(line: string, now: number = Date.now()): AleEvent | undefined {
  const text = line.length > 0 && line.charCodeAt(0) === 123 /* { */ && line.charCodeAt(line.length - 1) === 125 ? line : line.trim();
  if (text === '' || text === '{}' || text === 'keepalive') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // Deep nesting ends here too (RangeError from the parser): still one bad line.
    throw new DecodeError(`malformed JSON: ${(err as Error).message}`, text);
  }
  return decodeAleObject(value, text, now);
}

export function decodeAleObject(value: unknown, text?: string, now: number = Date.now()): AleEvent | undefined {
  if (!isRecord(value)) throw new DecodeError('an event must be a JSON object', text);
  const o = value;
  let e: AleEvent;
  if (typeof o.eventName === 'string') e = o as AleEvent;
  else if (typeof o.name === 'string' && o.name.startsWith('RTSM_')) e = fromRtsm(o);
  else if (Object.keys(o).length === 0) return undefined; // keepalive
  else throw new DecodeError('not an ALE event (no eventName)', text);
  if (e.eventName.length === 0 || e.eventName.length > MAX_NAME) throw new DecodeError('not an ALE event (bad eventName)', text);
  return clean(e, now);
}

/**
 * Gives the top-level fields the types the normalizer expects: text fields become text or go (an object as a
 * `loginName`, `{"toString":1}`, is no login), implausible times go (a clock in microseconds, `1e20`, `-1e17`).
 * Edits the parsed object in place: it is ours, and copying costs per event.
 */
function clean(e: AleEvent, now: number): AleEvent {
  const o = e as Record<string, unknown>;
  // Named reads, not a loop over field names: a keyed lookup per field was a tenth of the pipeline's time.
  if (!plainText(o.loginName)) fixText(o, 'loginName');
  if (!plainText(o.callRef)) fixText(o, 'callRef');
  if (!plainText(o.cause)) fixText(o, 'cause');
  if (!plainText(o.previousCallRef)) fixText(o, 'previousCallRef');
  if (!plainText(o.newDestination)) fixText(o, 'newDestination');
  if (!plainText(o.pilot)) fixText(o, 'pilot');
  if (!plainText(o.pilotNumber)) fixText(o, 'pilotNumber');
  if (o.time !== undefined) {
    const t = eventTime(o.time, now);
    if (t === undefined) delete o.time;
    else o.time = t;
  }
  if (o.eventId !== undefined) {
    const n = int(o.eventId);
    if (n === undefined) delete o.eventId;
    else o.eventId = n;
  }
  return e;
}

/** Absent, or a text of a sane length: nothing to fix (the common case). */
const plainText = (v: unknown): boolean => v === undefined || (typeof v === 'string' && v.length > 0 && v.length <= MAX_FIELD);

/** A text field of another type or size becomes text, or goes (an object as a `loginName` is no login). */
function fixText(o: Record<string, unknown>, k: TextField): void {
  const t = text(o[k]);
  if (t === undefined || t === '') delete o[k];
  else o[k] = t;
}

/** Rewrites the internal O2G form into the public one so one normalizer serves both. */
function fromRtsm(o: Record<string, unknown>): AleEvent {
  const name = o.name as string;
  if (name.length > MAX_NAME) throw new DecodeError('not an ALE event (bad name)', name);
  const eventName = RTSM_NAMES[name] ?? `On${name.slice(5).toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}`;
  // Add the public names to the parsed object rather than copy it: it is ours, and copying costs per event.
  const e = o as AleEvent;
  e.eventName = eventName;
  e.loginName = text(o.id);
  if (name === 'RTSM_PARTICIPANT_REMOVED') e.removedParticipantIds = o.participantIds;
  if (name === 'RTSM_USER_STATE_MODIFIED') e.state = o.userState;
  return e;
}
