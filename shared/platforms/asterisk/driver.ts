/**
 * The Asterisk driver: the AMI protocol steps for the supervisor, nothing of the life cycle.
 *
 *   login      connect (TCP 5038 / TLS 5039), banner, Challenge + Login (MD5) or Login (plain) with an `Events` mask
 *              limited to what the call model needs; AuthError when Asterisk refuses the secret
 *   openStream the socket's events already flow through the pipeline; the stream is "up" at FullyBooted (or after a
 *              deadline for users without the `system` class); it ends on EOF, error, an unanswered Ping or Shutdown;
 *              a successful `Reload` (AST:main/loader.c, one per module) is followed by one resync of the burst: a
 *              reloaded queues.conf or dialplan changes members and hints without any other event
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

/** A `core reload` sends one Reload per module within moments: one resync for the burst. */
const RELOAD_SETTLE_MS = 100;

export class AsteriskDriver implements PlatformDriver<AmiSession> {
  readonly pipeline: AsteriskPipeline;
  readonly stats: AsteriskStats = zeroStats(['logins', 'sessions', 'messages', 'badMessages']);
  private sink?: StreamSink;
  private current?: AmiSession;
  /** The monitored users the supervisor last resynced with (a reload's resync uses them too). */
  private users: readonly string[] = [];
  private reload?: { timer?: NodeJS.Timeout; running: boolean; again: boolean };

  constructor(private readonly s: AsteriskSettings, private readonly report: (kind: ConnectionWarning['kind'], message: string) => void) {
    this.pipeline = new AsteriskPipeline({
      users: s.users,
      internalContexts: s.internalContexts,
      callTtlMs: s.callTtlMs,
      route: (m) => {
        if (m.fields.Event === 'Reload' && (m.fields.Status ?? '0') === '0') this.reloaded();
        return this.current?.route(m) ?? false;
      },
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
      host, port, tls, rejectUnauthorized: !this.s.insecure, ca: this.s.ca, timeoutMs: this.s.requestTimeoutMs, keepaliveMs: this.s.keepaliveMs,
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
    this.users = users;
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
    // FreePBX's forward on no answer (AstDB CFU/<ext>) raises no AMI event: read it for the monitored users, so a
    // leg that times out can name where the call goes next.
    for (const user of users.length ? users : this.s.users) {
      try {
        const a = await session.action('DBGet', { Family: 'CFU', Key: user }, { list: true });
        this.pipeline.normalizer.setNoAnswerForward(user, a.events.find((m) => m.fields.Event === 'DBGetResponse')?.fields.Val);
      } catch {
        this.pipeline.normalizer.setNoAnswerForward(user, undefined); // no such key: no forward on no answer
      }
    }
    return out;
  }

  /** Asterisk reloaded a module: once the burst settles, resync the live stream (coalesced, never two at once). */
  private reloaded(): void {
    const r = (this.reload ??= { running: false, again: false });
    if (r.running) {
      r.again = true;
      return;
    }
    if (r.timer) return;
    r.timer = setTimeout(() => void this.resyncAfterReload(r), RELOAD_SETTLE_MS);
    r.timer.unref();
  }

  private async resyncAfterReload(r: NonNullable<AsteriskDriver['reload']>): Promise<void> {
    r.timer = undefined;
    const session = this.current;
    const sink = this.sink;
    if (!session || session.closed || !sink) return;
    r.running = true;
    try {
      const events = await this.resync(session, this.users);
      if (this.sink === sink && !session.closed && events.length) sink.deliver(events);
    } catch (err) {
      if (!session.closed) this.report('resync', `resync after a reload failed: ${(err as Error).message}`);
    } finally {
      r.running = false;
      if (r.again) {
        r.again = false;
        this.reloaded();
      }
    }
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
    clearTimeout(this.reload?.timer);
    this.reload = undefined;
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
