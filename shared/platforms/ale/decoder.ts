/**
 * ALE event decoder: one line of the event channel in, one event in the public `On*` form out.
 * Accepts both dialects: OpenTouch/O2G public (`eventName`, `loginName`) and O2G internal (`name: RTSM_*`, `id`).
 */
import { DecodeError } from '../../errors';

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

/** RTSM_* names of the O2G internal form and their public names. */
const RTSM_NAMES: Record<string, string> = {
  RTSM_CALL_CREATED: 'OnCallCreated',
  RTSM_CALL_MODIFIED: 'OnCallModified',
  RTSM_CALL_REMOVED: 'OnCallRemoved',
  RTSM_PARTICIPANT_REMOVED: 'OnCallModified',
  RTSM_USER_STATE_MODIFIED: 'OnUserStateModified',
  RTSM_DEVICE_STATE_MODIFIED: 'OnDeviceStateModified',
  RTSM_TELEPHONY_STATE: 'OnTelephonyState',
};

/** Parse one line. Returns `undefined` for keepalive/blank lines; throws `DecodeError` on bad input. */
export function decodeAleLine(line: string): AleEvent | undefined {
  const text = line.length > 0 && line.charCodeAt(0) === 123 /* { */ && line.charCodeAt(line.length - 1) === 125 ? line : line.trim();
  if (text === '' || text === '{}' || text === 'keepalive') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DecodeError(`malformed JSON: ${(err as Error).message}`, text);
  }
  return decodeAleObject(value, text);
}

export function decodeAleObject(value: unknown, text?: string): AleEvent | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DecodeError('an event must be a JSON object', text);
  }
  const o = value as Record<string, unknown>;
  if (typeof o.eventName === 'string') return o as AleEvent;
  if (typeof o.name === 'string' && o.name.startsWith('RTSM_')) return fromRtsm(o);
  if (Object.keys(o).length === 0) return undefined; // keepalive
  throw new DecodeError('not an ALE event (no eventName)', text);
}

/** Rewrites the internal O2G form into the public one so one normalizer serves both. */
function fromRtsm(o: Record<string, unknown>): AleEvent {
  const name = o.name as string;
  const eventName = RTSM_NAMES[name] ?? `On${name.slice(5).toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}`;
  // Add the public names to the parsed object rather than copy it: it is ours, and copying costs per event.
  const e = o as AleEvent;
  e.eventName = eventName;
  e.loginName = typeof o.id === 'string' ? o.id : undefined;
  if (name === 'RTSM_PARTICIPANT_REMOVED') e.removedParticipantIds = o.participantIds;
  if (name === 'RTSM_USER_STATE_MODIFIED') e.state = o.userState;
  return e;
}
