/**
 * A short stable id from the parts that identify an event at its source.
 * Not a security hash: a fast 64-bit string hash (two independent 32-bit FNV-1a lanes) is enough to tell
 * events apart and costs far less than a crypto digest per event.
 */
export function eventId(parts: ReadonlyArray<string | number | undefined>): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let p = 0; p < parts.length; p++) {
    const s = parts[p] === undefined ? '' : String(parts[p]);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    h1 = Math.imul(h1 ^ 0x1f, 0x01000193);
    h2 = Math.imul(h2 ^ 0x1f, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
