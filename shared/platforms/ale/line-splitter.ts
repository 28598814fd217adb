/**
 * Splits the event channel's byte stream into lines. A line (or a UTF-8 character) may be cut across chunks;
 * the remainder waits for the next chunk, as bytes. Empty lines and CRs are dropped. A line longer than `maxLine`
 * (characters; bytes while it waits for its end) is dropped whole (counted in `dropped`): its tail is not a line of
 * its own, so nothing after the cut is emitted until the next newline. Lines are numbered as a file's are (blank
 * ones counted), so a replay can name them.
 *
 * Each chunk's complete lines are decoded in one go and cut as text; only a line that spans chunks is joined as
 * bytes first. No copy of the stream is kept: the parsed events copy what they hold of a line.
 */

export const MAX_LINE = 4 * 1024 * 1024;

const LF = 10;
const CR = 13;

/** Each complete line with its number in the stream (1-based); `tooLong` for a line dropped for its size. */
export interface LineSink {
  line(line: string, n: number): void;
  tooLong?(n: number): void;
}

export class LineSplitter {
  /** The start of a line cut by the end of a chunk (views of the chunks, joined once the line is whole). */
  private rest: Buffer[] = [];
  private restBytes = 0;
  /** The same for text chunks. */
  private restText = '';
  /** Inside an oversized line: skip up to the next newline. */
  private skipping = false;
  /** Newlines seen so far: the number of the last line ended. */
  private ended = 0;
  /** Oversized lines dropped so far. */
  dropped = 0;

  constructor(private readonly maxLine = MAX_LINE) {}

  /** Lines ended so far, blank and oversized ones included (after `finish`, the last one without its newline too). */
  get count(): number {
    return this.ended;
  }

  /** Feeds a chunk; returns the complete lines it finished. */
  push(chunk: Buffer | string): string[] {
    const out: string[] = [];
    this.feed(chunk, { line: (l) => out.push(l) });
    return out;
  }

  /** Feeds a chunk; gives `sink` each complete line it finished, in order. */
  feed(chunk: Buffer | string, sink: LineSink): void {
    if (typeof chunk === 'string') {
      // Text (a replay, a test) is cut as text: no round trip through bytes. After a cut UTF-8 character it joins the bytes.
      if (this.restBytes === 0) return this.feedText(chunk, sink);
      chunk = Buffer.from(chunk, 'utf8');
    } else if (this.restText !== '') {
      this.rest = [Buffer.from(this.restText, 'utf8')];
      this.restBytes = this.rest[0].length;
      this.restText = '';
    }
    const buf = chunk;
    let i = 0;
    if (this.skipping) {
      const nl = buf.indexOf(LF);
      if (nl < 0) return;
      this.skipping = false;
      this.ended++;
      i = nl + 1;
    }
    if (this.restBytes > 0) {
      // The line begun in an earlier chunk: its bytes joined, then decoded.
      const nl = buf.indexOf(LF, i);
      if (nl >= 0) {
        this.rest.push(buf.subarray(i, nl));
        this.emit(this.takeRest(), 0, sink, ++this.ended);
        i = nl + 1;
      }
    }
    const last = this.restBytes > 0 ? -1 : buf.lastIndexOf(LF);
    if (last >= i) {
      // The chunk's complete lines, decoded at once and cut as text: they end with a newline, so no character is cut,
      // and the text's newlines are the bytes' (a newline byte is never part of a UTF-8 character, nor replaced).
      this.cutLines(buf.toString('utf8', i, last + 1), sink);
      i = last + 1;
    }
    if (i < buf.length) {
      this.restBytes += buf.length - i;
      // A peer that never sends a newline must not grow memory without bound.
      if (this.restBytes > this.maxLine) {
        this.rest = [];
        this.restBytes = 0;
        this.skipping = true;
        this.dropped++;
        sink.tooLong?.(this.ended + 1);
      } else this.rest.push(buf.subarray(i));
    }
  }

  /** At the end of the stream: the last line if it never got its newline. */
  end(): string[] {
    const out: string[] = [];
    this.finish({ line: (l) => out.push(l) });
    return out;
  }

  /** At the end of the stream: gives `sink` the last line if it never got its newline. */
  finish(sink: LineSink): void {
    if (this.skipping) {
      this.skipping = false;
      this.ended++;
      return;
    }
    if (this.restText !== '') {
      const last = this.restText;
      this.restText = '';
      this.emitText(last, sink, ++this.ended);
    } else if (this.restBytes > 0) this.emit(this.takeRest(), 0, sink, ++this.ended);
  }

  private feedText(text: string, sink: LineSink): void {
    if (this.skipping) {
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      this.skipping = false;
      this.ended++;
      text = text.slice(nl + 1);
    }
    const parts = text.split('\n');
    if (this.restText !== '') parts[0] = this.restText + parts[0];
    this.restText = parts.pop() ?? '';
    for (const p of parts) this.emitText(p, sink, ++this.ended);
    if (this.restText.length > this.maxLine) {
      this.restText = '';
      this.skipping = true;
      this.dropped++;
      sink.tooLong?.(this.ended + 1);
    }
  }

  /** `text`: whole lines, each ending with its newline. */
  private cutLines(text: string, sink: LineSink): void {
    let j = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', j)) >= 0) {
      this.emitText(text.slice(j, nl), sink, ++this.ended);
      j = nl + 1;
    }
  }

  private emitText(p: string, sink: LineSink, n: number): void {
    const line = p.charCodeAt(p.length - 1) === CR ? p.slice(0, -1) : p;
    if (line.length > this.maxLine) {
      this.dropped++;
      sink.tooLong?.(n);
    } else if (line.charCodeAt(0) === 123 || line.trim() !== '') sink.line(line, n);
  }

  /** The line in `buf` from `start` to `end` (a newline's position, or the end), CR dropped, if it is not blank. */
  private emit(buf: Buffer, start: number, sink: LineSink, n: number, end = buf.length): void {
    if (end > start && buf[end - 1] === CR) end--;
    if (end - start > this.maxLine) {
      this.dropped++;
      sink.tooLong?.(n);
      return;
    }
    const line = buf.toString('utf8', start, end);
    // An event line starts with `{`: only other lines need the look for blanks.
    if (line.charCodeAt(0) === 123 || line.trim() !== '') sink.line(line, n);
  }

  private takeRest(): Buffer {
    const whole = this.rest.length === 1 ? this.rest[0] : Buffer.concat(this.rest);
    this.rest = [];
    this.restBytes = 0;
    return whole;
  }
}
