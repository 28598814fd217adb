/**
 * Splits the event channel's byte stream into lines. A line (or a UTF-8 character) may be cut across chunks;
 * the remainder waits for the next chunk. Empty lines and CRs are dropped. A line longer than `maxLine` is
 * dropped whole (counted in `dropped`): its tail is not a line of its own, so nothing after the cut is emitted
 * until the next newline.
 */
import { StringDecoder } from 'node:string_decoder';

const MAX_LINE = 4 * 1024 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  /** Inside an oversized line: skip up to the next newline. */
  private skipping = false;
  /** Oversized lines dropped so far. */
  dropped = 0;

  constructor(private readonly maxLine = MAX_LINE) {}

  /** Feeds a chunk; returns the complete lines it finished. */
  push(chunk: Buffer | string): string[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (this.skipping) {
      const nl = text.indexOf('\n');
      if (nl < 0) return [];
      this.skipping = false;
      text = text.slice(nl + 1);
    }
    const parts = (this.rest + text).split('\n');
    this.rest = parts.pop() ?? '';
    // A peer that never sends a newline must not grow memory without bound.
    if (this.rest.length > this.maxLine) {
      this.rest = '';
      this.skipping = true;
      this.dropped++;
    }
    const out: string[] = [];
    for (const p of parts) {
      const line = p.endsWith('\r') ? p.slice(0, -1) : p;
      if (line.length > this.maxLine) this.dropped++;
      else if (line.trim() !== '') out.push(line);
    }
    return out;
  }

  /** At the end of the stream: the last line if it never got its newline. */
  end(): string[] {
    const last = this.rest + this.decoder.end();
    this.rest = '';
    if (this.skipping) {
      this.skipping = false;
      return [];
    }
    return last.trim() !== '' && last.length <= this.maxLine ? [last] : [];
  }
}
