/**
 * Mutations of real event lines, the way a broken or hostile server would send them: truncated lines, fields of
 * the wrong type, prototype keys, huge strings, deep nesting, extreme numbers and times. Seeded, so a failure
 * can be replayed. Shared by the fuzz test and `bench/fuzz.ts`.
 */

/** A small seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype'];
const NOW = Date.now();

function deep(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Values that have broken decoders before. `big` allows the costly ones (huge strings, deep nesting). */
function badValue(r: () => number, big: boolean): unknown {
  const pick = Math.floor(r() * (big ? 24 : 22));
  switch (pick) {
    case 0: return { toString: 1 };
    case 1: return { valueOf: 1, toString: 1 };
    case 2: return [];
    case 3: return null;
    case 4: return 1e20;
    case 5: return -1e17;
    case 6: return NOW * 1000; // a clock in microseconds
    case 7: return NOW * 1000 + Math.floor(r() * 1e9);
    case 8: return Number.MAX_VALUE;
    case 9: return -0;
    case 10: return true;
    case 11: return '';
    case 12: return PROTO_KEYS[Math.floor(r() * PROTO_KEYS.length)];
    case 13: return { __proto__x: 1, constructor: { prototype: 1 } };
    case 14: return [{ toString: 1 }, null, 5];
    case 15: return 'RINGING_INCOMING';
    case 16: return '2024-13-45T99:99:99Z';
    case 17: return 1.5;
    case 18: return { deviceId: { toString: 1 }, state: { valueOf: 1 } };
    case 19: return [{ participantId: { toString: 1 }, identity: { id: { phoneNumber: 7 } } }];
    case 20: return 'x'.repeat(1 + Math.floor(r() * 2000));
    case 21: return '\u0000\ud800\uffff';
    case 22: return 'y'.repeat(100_000 + Math.floor(r() * 100_000));
    default: return deep(200 + Math.floor(r() * 2000));
  }
}

/** Every (object, key) pair in a parsed event, to pick a place to mutate. */
function slots(v: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]>, depth = 0): typeof out {
  if (depth > 8 || v === null || typeof v !== 'object') return out;
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([v, i]); slots(x, out, depth + 1); });
  else for (const k of Object.keys(v)) { out.push([v as Record<string, unknown>, k]); slots((v as Record<string, unknown>)[k], out, depth + 1); }
  return out;
}

/** One mutated version of `line` (a JSON object text). */
export function mutate(line: string, r: () => number, big = false): string {
  const kind = r();
  if (kind < 0.12) return line.slice(0, Math.floor(r() * line.length)); // truncated
  if (kind < 0.15) return `${line}${line.slice(0, Math.floor(r() * line.length))}`; // two lines run together
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return line;
  }
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const s = slots(o, []);
    if (s.length === 0) break;
    const [holder, key] = s[Math.floor(r() * s.length)];
    const what = r();
    if (what < 0.7) (holder as Record<string, unknown>)[key as string] = badValue(r, big);
    else if (what < 0.85 && !Array.isArray(holder)) {
      // A prototype key as an own property (JSON.parse makes `__proto__` one too).
      Object.defineProperty(holder, PROTO_KEYS[Math.floor(r() * PROTO_KEYS.length)], { value: badValue(r, false), enumerable: true, configurable: true, writable: true });
    } else if (Array.isArray(holder)) holder.splice(key as number, 1);
    else delete (holder as Record<string, unknown>)[key as string];
  }
  // Top-level fields the decoder reads get special attention.
  if (r() < 0.3 && o && typeof o === 'object' && !Array.isArray(o)) {
    const top = ['loginName', 'callRef', 'time', 'eventName', 'cause', 'eventId', 'name', 'id'][Math.floor(r() * 8)];
    (o as Record<string, unknown>)[top] = badValue(r, false);
  }
  return JSON.stringify(o);
}
