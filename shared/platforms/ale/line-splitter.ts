/**
 * Splits the event channel's byte stream into lines. A line (or a UTF-8 character) may be cut across chunks;
 * the remainder waits for the next chunk. Empty lines and CRs are dropped.
 */
import { StringDecoder } from 'node:string_decoder';

const MAX_LINE = 4 * 1024 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  /** Feeds a chunk; returns the complete lines it finished. */
  push(chunk: Buffer | string): string[] {
    const text = this.rest + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    // A peer that never sends a newline must not grow memory without bound.
    if (this.rest.length > MAX_LINE) this.rest = '';
    const out: string[] = [];
    for (const p of parts) {
      const line = p.endsWith('\r') ? p.slice(0, -1) : p;
      if (line.trim() !== '') out.push(line);
    }
    return out;
  }

  /** At the end of the stream: the last line if it never got its newline. */
  end(): string[] {
    const last = this.rest + this.decoder.end();
    this.rest = '';
    return last.trim() !== '' ? [last] : [];
  }
}
