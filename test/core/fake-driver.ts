/** A scripted fake platform driver for the supervisor's tests (no simulator, no socket), and their small waits. */
import type { LoginContext, PlatformDriver, StreamEnd, StreamSink } from '../../shared/connection/driver';
import type { PbxEvent } from '../../shared/model/events';
import { PbxError } from '../../shared/errors';

export interface Session { id: number; alive: boolean }

/** A driver whose steps are scripted per test; it counts every call. */
export class FakeDriver implements PlatformDriver<Session> {
  logins: LoginContext[] = [];
  streams = 0;
  resyncs = 0;
  executed: string[] = [];
  shutdowns = 0;
  /** What login does on attempt n (1-based). */
  loginStep: (n: number) => Promise<void> = async () => undefined;
  /** What a stream does: call sink.up() or not, then end. */
  streamStep: (sink: StreamSink, signal: AbortSignal, n: number) => Promise<StreamEnd> = (_s, signal) => untilAborted(signal);
  sessionUsable = (s: Session) => s.alive;

  async login(ctx: LoginContext): Promise<Session> {
    this.logins.push(ctx);
    await this.loginStep(this.logins.length);
    return { id: this.logins.length, alive: true };
  }

  openStream(_s: Session, sink: StreamSink, signal: AbortSignal, _server = 0): Promise<StreamEnd> {
    this.streams++;
    return this.streamStep(sink, signal, this.streams);
  }

  async resync(): Promise<PbxEvent[]> {
    this.resyncs++;
    return [];
  }

  async execute(s: Session, op: string): Promise<unknown> {
    this.executed.push(`${op}@${s.id}`);
    return { ok: true };
  }

  supports(op: string): boolean {
    return op === 'makeCall';
  }

  async shutdown(): Promise<void> {
    this.shutdowns++;
  }
}

export function untilAborted(signal: AbortSignal): Promise<StreamEnd> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve({ kind: 'aborted' });
    signal.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/** A driver whose resync must succeed before it counts as connected ('reopen'), and whose first resync fails. */
export function firstResyncFails(): FakeDriver & { resyncRequired: 'reopen' } {
  const d = new FakeDriver() as FakeDriver & { resyncRequired: 'reopen' };
  d.resyncRequired = 'reopen';
  d.resync = async () => {
    d.resyncs++;
    if (d.resyncs === 1) throw new PbxError('PBX', 'calls unreadable');
    return [];
  };
  d.streamStep = async (sink, signal) => (sink.up(), untilAborted(signal));
  return d;
}
