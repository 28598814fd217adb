/**
 * The HTTP chunk event channel: `POST <polling URL>` with an `Accept` of any type, then newline-delimited JSON for as long
 * as the server keeps the response open. One `run()` is one stream; the connection decides what to do when it
 * ends. An idle watchdog catches half-open connections that would otherwise stay silent forever.
 */
import { PbxError } from '../../errors';
import { describe, type HttpClient } from './http';

export type ChannelEnd =
  /** The server ended the stream normally (channel timeout, subscription deleted...). */
  | { kind: 'ended'; lines: number }
  /** The server refused the channel: the subscription or session is gone. */
  | { kind: 'refused'; status: number }
  /** The network failed or the watchdog fired. */
  | { kind: 'error'; error: PbxError; lines: number }
  /** We stopped it. */
  | { kind: 'aborted'; lines: number };

export interface ChannelOptions {
  connectTimeoutMs: number;
  /** Reopen when nothing arrives for this long; 0 disables the watchdog. */
  idleTimeoutMs: number;
  headers?: Record<string, string>;
}

/**
 * Who reads the stream: the raw chunks as they come (the pipeline's entry, `AlePipeline.input`), each call saying
 * how many complete lines it took; `end` takes the last line that never got its newline.
 */
export interface ChannelReader {
  push(chunk: Buffer): number;
  end(): number;
}

export class AleChannel {
  private abortFn?: () => void;
  private aborted = false;

  constructor(private readonly http: HttpClient) {}

  /** One stream. `isStale` is asked once the server answers: an abort requested before `run` is not lost. */
  async run(url: string, o: ChannelOptions, reader: ChannelReader, isStale: () => boolean = () => false): Promise<ChannelEnd> {
    this.aborted = isStale();
    if (this.aborted) return { kind: 'aborted', lines: 0 };
    let lines = 0;
    let opened;
    try {
      opened = await this.http.stream(url, { method: 'POST', headers: { Accept: '*/*', ...(o.headers ?? {}) }, timeoutMs: o.connectTimeoutMs });
    } catch (err) {
      if (this.aborted) return { kind: 'aborted', lines };
      return { kind: 'error', error: err instanceof PbxError ? err : new PbxError('NETWORK', String(err)), lines };
    }
    const { res, abort } = opened;
    if (this.aborted || isStale()) {
      abort();
      return { kind: 'aborted', lines };
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      res.resume();
      abort();
      return { kind: 'refused', status };
    }
    return new Promise<ChannelEnd>((resolve) => {
      let done = false;
      let idle: NodeJS.Timeout | undefined;
      const finish = (end: ChannelEnd) => {
        if (done) return;
        done = true;
        if (idle) clearTimeout(idle);
        this.abortFn = undefined;
        abort();
        resolve(end);
      };
      const arm = () => {
        if (o.idleTimeoutMs <= 0) return;
        if (idle) clearTimeout(idle);
        idle = setTimeout(() => finish({ kind: 'error', error: new PbxError('TIMEOUT', `${describe('POST', url)}: event channel silent for ${o.idleTimeoutMs} ms`, { canRetry: true }), lines }), o.idleTimeoutMs);
        idle.unref();
      };
      this.abortFn = () => finish({ kind: 'aborted', lines });
      arm();
      res.on('data', (chunk: Buffer) => {
        arm();
        lines += reader.push(chunk);
      });
      res.on('end', () => {
        lines += reader.end();
        finish({ kind: 'ended', lines });
      });
      res.on('error', (err: Error & { code?: string }) => finish(this.aborted ? { kind: 'aborted', lines } : { kind: 'error', error: new PbxError('NETWORK', `${describe('POST', url)}: ${err.code ?? 'stream broken'}`, { canRetry: true }), lines }));
      res.on('close', () => {
        if (!res.complete) finish(this.aborted ? { kind: 'aborted', lines } : { kind: 'error', error: new PbxError('NETWORK', `${describe('POST', url)}: connection lost`, { canRetry: true }), lines });
      });
    });
  }

  abort(): void {
    this.aborted = true;
    this.abortFn?.();
  }
}
