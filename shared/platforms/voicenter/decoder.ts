/**
 * Voicenter decoder: one socket.io event as the Real Time API doc prints it (`["ExtensionEvent", {...}]`) in,
 * `{ name, payload }` out. The live client receives the same pair from socket.io already parsed, so only the
 * replay path (CLI, fixtures, bench) goes through the text form.
 */
import { DecodeError } from '../../errors';
import { isRecord } from '../../model/fields';

export interface VoicenterEvent {
  /** socket.io event name: `ExtensionEvent`, `QueueEvent`, `loginStatus`, `AllExtensionsStatus`... */
  name: string;
  payload: Record<string, unknown>;
}

const MAX_NAME = 64;

/** One line holding a socket.io event array. Returns undefined for a blank line; throws DecodeError otherwise. */
export function decodeVoicenterLine(line: string): VoicenterEvent | undefined {
  // Lines from a capture are already trimmed: copying each one again is a visible share of the pipeline.
  const text = line.length > 1 && line.charCodeAt(0) === 91 /* [ */ && line.charCodeAt(line.length - 1) === 93 /* ] */ ? line : line.trim();
  if (text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DecodeError(`malformed JSON: ${(err as Error).message}`, text);
  }
  return decodeVoicenterArray(value, text);
}

/** A parsed socket.io event array (`[name, payload]`). */
export function decodeVoicenterArray(value: unknown, text?: string): VoicenterEvent {
  if (!Array.isArray(value) || value.length < 1 || value.length > 2) {
    throw new DecodeError('a Voicenter event must be a socket.io event array ["Name", {...}]', text ?? safeText(value));
  }
  return decodeVoicenterPair(value[0], value[1], text);
}

/** An event name and its payload as socket.io hands them to a listener. */
export function decodeVoicenterPair(name: unknown, payload: unknown, text?: string): VoicenterEvent {
  if (typeof name !== 'string' || name === '' || name.length > MAX_NAME) {
    throw new DecodeError('the event name must be a short non-empty string', text ?? safeText([name, payload]));
  }
  if (payload === undefined || payload === null) return { name, payload: {} };
  if (!isRecord(payload)) throw new DecodeError(`${name}: the payload must be a JSON object`, text ?? safeText([name, payload]));
  return { name, payload };
}

function safeText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return '[unprintable]';
  }
}
