/**
 * The Asterisk driver: the AMI protocol steps for the supervisor, nothing of the life cycle.
 *
 *   login      connect (TCP 5038 / TLS 5039), banner, Challenge + Login (MD5) or Login (plain) with an `Events` mask
 *              limited to what the call model needs; AuthError when Asterisk refuses the secret
 *   openStream the socket's events already flow through the pipeline; the stream is "up" at FullyBooted (or after a
 *              deadline for users without the `system` class); it ends on EOF, error, an unanswered Ping or Shutdown
 *   resync     CoreShowChannels (calls), ExtensionStateList and DeviceStateList (user/device/DND/forward states),
 *              QueueStatus (members): calls that vanished end once, live ones are not announced twice
 *   execute    operations.ts
 */
import { zeroStats, type DriverStats } from '../../connection/stats';
import type { ConnectionWarning } from '../../connection/types';
import type { LoginContext, OperationContext, PlatformDriver, StreamEnd, StreamSink } from '../../connection/driver';
import { PbxError } from '../../errors';
import type { PbxEvent } from '../../model/events';
import type { OperationName } from '../../operations/catalogue';
import { ASTERISK_OPERATIONS, runOperation } from './operations';
import { AsteriskPipeline } from './pipeline';
import { AmiSession } from './session';
import { amiAddress, type AsteriskSettings } from './settings';

/** The AMI event classes the call model reads (no `dialplan`: VarSet/Newexten are most of the traffic). */
export const EVENT_MASK = 'call,agent,system';

export type AsteriskStats = DriverStats<'logins' | 'sessions' | 'messages' | 'badMessages'>;

export class AsteriskDriver implements PlatformDriver<AmiSession> {
  readonly pipeline: AsteriskPipeline;
  readonly stats: AsteriskStats = zeroStats(['logins', 'sessions', 'messages', 'badMessages']);
  private sink?: StreamSink;
  private current?: AmiSession;

  constructor(private readonly s: AsteriskSettings, private readonly report: (kind: ConnectionWarning['kind'], message: string) => void) {
    this.pipeline = new AsteriskPipeline({
      users: s.users,
      internalContexts: s.internalContexts,
      callTtlMs: s.callTtlMs,
      route: (m) => this.current?.route(m) ?? false,
      onBadMessage: (why) => {
        this.stats.badMessages++;
        this.report('decode', `skipped part of an AMI message: ${why}`);
      },
      onWarning: (m) => this.report('decode', m),
    });
  }

  async login(ctx: LoginContext): Promise<AmiSession> {
    this.stats.logins++;
    ctx.secret(this.s.password);
    const { host, port, tls } = amiAddress(this.s.url);
    const session = await AmiSession.open({
      host, port, tls, rejectUnauthorized: !this.s.insecure, timeoutMs: this.s.requestTimeoutMs, keepaliveMs: this.s.keepaliveMs,
      pipeline: this.pipeline,
      deliver: (events) => this.sink?.deliver(events),
      warn: (m) => this.report('channel', m),
    }, ctx.signal);
    this.current = session;
    this.stats.sessions++;
    try {
      await session.login(this.s.login, this.s.password, this.s.authType as 'md5' | 'plain', EVENT_MASK);
    } catch (err) {
      session.destroy('login failed');
      throw err;
    }
    return session;
  }

  sessionUsable(session: AmiSession): boolean {
    return !session.closed;
  }

  holdSession(session: AmiSession, signal: AbortSignal): Promise<StreamEnd> {
    return untilEnd(session, signal);
  }

  async openStream(session: AmiSession, sink: StreamSink, signal: AbortSignal): Promise<StreamEnd> {
    this.sink = sink;
    try {
      // FullyBooted says Asterisk is ready to be asked (it follows the login at once on a running server).
      void session.waitBooted(this.s.requestTimeoutMs).then((booted) => {
        if (session.closed) return;
        if (!booted) sink.warn({ kind: 'session', message: 'no FullyBooted event (does the AMI user read the system class?): resyncing anyway' });
        sink.up();
      });
      return await untilEnd(session, signal);
    } finally {
      if (this.sink === sink) this.sink = undefined;
    }
  }

  async resync(session: AmiSession, users: readonly string[]): Promise<PbxEvent[]> {
    const channels = await session.action('CoreShowChannels', {}, { list: true });
    const out = this.pipeline.pushObservations(this.pipeline.normalizer.resync(channels.events, users.length ? users : this.s.users));
    // States are a bonus: a server without these actions (or the class to run them) still has its calls.
    for (const [action, headers] of [['ExtensionStateList', {}], ['DeviceStateList', {}], ['QueueStatus', {}]] as const) {
      try {
        const a = await session.action(action, headers, { list: true });
        for (const m of a.events) out.push(...this.pipeline.pushMessage(m));
      } catch (err) {
        this.report('resync', `${action} failed: ${(err as Error).message}`);
      }
    }
    return out;
  }

  supports(operation: OperationName): boolean {
    return ASTERISK_OPERATIONS[operation] !== undefined;
  }

  execute(session: AmiSession, operation: OperationName, input: Record<string, unknown>, ctx: OperationContext): Promise<unknown> {
    const user = ctx.user || this.s.users[0] || '';
    if (!user && operation !== 'searchDirectory') return Promise.reject(new PbxError('INVALID_INPUT', 'say which extension the operation is for (user), or list the monitored extensions'));
    return runOperation(operation, input, { session, pipeline: this.pipeline, settings: this.s, user });
  }

  sweep(): PbxEvent[] {
    return this.pipeline.sweep();
  }

  rawWanted(wanted: boolean): void {
    this.pipeline.tracker.includeRaw = wanted;
  }

  async shutdown(session: AmiSession | undefined): Promise<void> {
    await session?.logoff();
    if (this.current && this.current !== session) this.current.destroy('closed');
  }
}

function untilEnd(session: AmiSession, signal: AbortSignal): Promise<StreamEnd> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ kind: 'aborted' });
    const onAbort = () => resolve({ kind: 'aborted' });
    signal.addEventListener('abort', onAbort, { once: true });
    void session.ended.then((e) => {
      signal.removeEventListener('abort', onAbort);
      resolve(e);
    });
  });
}
