/**
 * AMI framing: text in, messages out, at line speed. A message is `Key: Value` lines ended by CRLF (a bare LF is
 * accepted, as Asterisk does on input) and closed by an empty line; the server's first line is its banner
 * (`Asterisk Call Manager/<version>`), which has no `Key: Value` form. Repeated keys are kept (`ChanVariable`,
 * `Variable`); a value may itself hold `": "`. Buffers are bounded: an over-long line or a message with too many
 * lines is cut and the message is marked `bad`, never a crash or an unbounded buffer.
 *
 * Also the encoder for actions (CRLF, one header per line, values cleaned of line breaks).
 */
import { StringDecoder } from 'node:string_decoder';

export class AmiMessage {
  /** First value of each key, with Asterisk's spelling. */
  readonly fields: Record<string, string> = Object.create(null) as Record<string, string>;
  /** Later values of repeated keys, in order. */
  repeats?: Array<[string, string]>;
  /** Lines without `Key: Value` form (Command output in Asterisk 13's `Response: Follows` block). */
  output?: string[];
  /** Why part of the message was dropped (a line too long, too many lines, a line with no colon). */
  bad?: string;
  lines = 0;

  get(key: string): string | undefined {
    return this.fields[key];
  }

  /** Every value of `key` (repeated headers), in order. */
  all(key: string): string[] {
    const first = this.fields[key];
    if (first === undefined) return [];
    const out = [first];
    if (this.repeats) for (const [k, v] of this.repeats) if (k === key) out.push(v);
    return out;
  }

  get event(): string | undefined {
    return this.fields.Event;
  }

  get response(): string | undefined {
    return this.fields.Response;
  }

  get actionId(): string | undefined {
    return this.fields.ActionID;
  }
}

export interface AmiDecoderOptions {
  /** Longest line kept (characters); longer ones are cut and the message marked bad. Default 64 KiB. */
  maxLine?: number;
  /** Most lines one message keeps. Default 1000. */
  maxLines?: number;
}

export type BannerHandler = (banner: string) => void;

/** Bytes (or text) in, whole messages out through `onMessage`; keeps only the unfinished tail between chunks. */
export class AmiDecoder {
  private readonly text = new StringDecoder('utf8');
  private tail = '';
  private skipping = false;
  private msg?: AmiMessage;
  private bannerSeen: boolean;
  private readonly maxLine: number;
  private readonly maxLines: number;
  /** Messages decoded so far. */
  count = 0;

  constructor(
    private readonly onMessage: (m: AmiMessage) => void,
    o: AmiDecoderOptions & { onBanner?: BannerHandler; expectBanner?: boolean } = {},
  ) {
    this.maxLine = o.maxLine ?? 65_536;
    this.maxLines = o.maxLines ?? 1000;
    this.onBanner = o.onBanner;
    this.bannerSeen = o.expectBanner === false;
  }

  private readonly onBanner?: BannerHandler;

  pushBytes(chunk: Buffer): void {
    this.push(this.text.write(chunk));
  }

  /** Text in; every message it completes goes to `onMessage` before this returns. */
  push(chunk: string): void {
    const data = this.tail.length > 0 ? this.tail + chunk : chunk;
    let pos = 0;
    let nl = data.indexOf('\n', pos);
    while (nl !== -1) {
      let end = nl;
      if (end > pos && data.charCodeAt(end - 1) === 13) end--;
      if (this.skipping) this.skipping = false;
      else if (end === pos) this.finish();
      else this.line(data, pos, end);
      pos = nl + 1;
      nl = data.indexOf('\n', pos);
    }
    const rest = data.length - pos;
    if (rest > this.maxLine) {
      // A line longer than any we keep: drop what we have, skip to its end.
      this.mark('a line longer than the limit was cut');
      this.tail = '';
      this.skipping = true;
    } else this.tail = rest === 0 ? '' : pos === 0 ? data : data.slice(pos);
  }

  /** End of input: a last message without its closing empty line still counts (replays of captures). */
  end(): void {
    const rest = this.tail + this.text.end();
    this.tail = '';
    if (rest.length > 0 && !this.skipping) this.push(`${rest}\n`);
    this.finish();
  }

  private line(data: string, start: number, end: number): void {
    if (!this.bannerSeen && !this.msg) {
      this.bannerSeen = true;
      if (data.startsWith('Asterisk Call Manager/', start)) {
        this.onBanner?.(data.slice(start, end));
        return;
      }
    }
    const m = (this.msg ??= new AmiMessage());
    if (++m.lines > this.maxLines) {
      m.bad ??= `more than ${this.maxLines} lines in one message`;
      return;
    }
    if (end - start > this.maxLine) {
      m.bad ??= 'a line longer than the limit was cut';
      return;
    }
    const colon = data.indexOf(':', start);
    if (colon === -1 || colon >= end || colon === start) {
      if (m.fields.Response === 'Follows') (m.output ??= []).push(data.slice(start, end));
      else m.bad ??= `a line that is not "Key: Value": ${data.slice(start, Math.min(end, start + 60))}`;
      return;
    }
    const key = data.slice(start, colon);
    const vs = data.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
    const value = vs >= end ? '' : data.slice(vs, end);
    if (m.fields[key] === undefined) m.fields[key] = value;
    else (m.repeats ??= []).push([key, value]);
  }

  private mark(why: string): void {
    const m = (this.msg ??= new AmiMessage());
    m.bad ??= why;
  }

  private finish(): void {
    const m = this.msg;
    if (!m) return;
    this.msg = undefined;
    this.count++;
    this.onMessage(m);
  }
}

/** One action as AMI text: `Action` first, CRLF line ends, an empty line at the end. Line breaks in values are cut. */
export function encodeAction(action: string, headers: Record<string, string | number | boolean | string[] | undefined>): string {
  let out = `Action: ${clean(action)}\r\n`;
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out += `${k}: ${clean(x)}\r\n`;
    else out += `${k}: ${clean(String(v))}\r\n`;
  }
  return `${out}\r\n`;
}

/** A message as AMI text (the simulator's writer). */
export function encodeMessage(pairs: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  let out = '';
  for (const [k, v] of pairs) if (v !== undefined) out += `${k}: ${clean(String(v))}\r\n`;
  return `${out}\r\n`;
}

const clean = (v: string): string => (v.includes('\n') || v.includes('\r') ? v.replace(/[\r\n]+/g, ' ') : v);
