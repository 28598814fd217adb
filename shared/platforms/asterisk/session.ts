/**
 * One AMI session: a TCP or TLS socket read at line speed into the pipeline, actions matched to their answers by
 * ActionID (list answers collected until their `…Complete` event), a Ping keepalive with a deadline (a half-open
 * link is noticed), and how the session ended, in the supervisor's words. No retry here: the supervisor decides.
 */
import { createHash } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { StreamEnd } from '../../connection/driver';
import { AuthError, networkProblem, PbxApiError, PbxError, tlsProblem } from '../../errors';
import { encodeAction, type AmiMessage } from './codec';
import type { AsteriskPipeline } from './pipeline';

export interface SessionOptions {
  host: string;
  port: number;
  tls: boolean;
  rejectUnauthorized: boolean;
  /** PEM of a private certificate authority to trust, beside the system's. */
  ca?: string;
  timeoutMs: number;
  keepaliveMs: number;
  pipeline: AsteriskPipeline;
  /** Events out of the pipeline (already tracked). */
  deliver: (events: import('../../model/events').PbxEvent[]) => void;
  warn: (message: string) => void;
}

export interface ActionAnswer {
  response: AmiMessage;
  /** List items, or the awaited event (OriginateResponse). */
  events: AmiMessage[];
}

interface Pending {
  resolve: (a: ActionAnswer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  list: boolean;
  /** Wait for this event (same ActionID) after a Success response. */
  until?: string;
  response?: AmiMessage;
  events: AmiMessage[];
}

let sessions = 0;

export class AmiSession {
  banner?: string;
  fullyBooted = false;
  closed = false;
  /** Resolves once, when the session ends (socket closed, Shutdown, keepalive unanswered). */
  readonly ended: Promise<StreamEnd>;
  private end!: (e: StreamEnd) => void;
  private endValue?: StreamEnd;
  private readonly socket: Socket;
  private readonly pending = new Map<string, Pending>();
  private readonly id = ++sessions;
  private seq = 0;
  private lastHeard = Date.now();
  private pinging = false;
  private keepalive?: NodeJS.Timeout;
  private bannerWait?: (b: string) => void;
  private bootWait?: () => void;

  private constructor(private readonly o: SessionOptions, socket: Socket) {
    this.socket = socket;
    this.ended = new Promise((resolve) => (this.end = resolve));
  }

  /** Connects and waits for the banner (within the deadline). Network failures are PbxError NETWORK, in words. */
  static async open(o: SessionOptions, signal: AbortSignal): Promise<AmiSession> {
    const socket = o.tls
      ? tlsConnect({ host: o.host, port: o.port, rejectUnauthorized: o.rejectUnauthorized, ...(o.ca ? { ca: o.ca } : {}), servername: /^[\d.:]+$/.test(o.host) ? undefined : o.host })
      : netConnect({ host: o.host, port: o.port });
    socket.setNoDelay(true);
    const s = new AmiSession(o, socket);
    s.attach();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const banner = new Promise<string>((resolve, reject) => {
      s.bannerWait = resolve;
      timer = setTimeout(() => reject(new PbxError('TIMEOUT', `no AMI banner from ${o.host}:${o.port} within ${o.timeoutMs} ms (is it the AMI port?)`)), o.timeoutMs);
      timer.unref();
      void s.ended.then((e) => reject(new PbxError('NETWORK', `${o.host}:${o.port}: ${e.kind === 'lost' || e.kind === 'ended' ? e.reason : 'closed'}`)));
      onAbort = () => reject(new PbxError('CLOSED', 'closed'));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      s.banner = await banner;
    } catch (err) {
      s.destroy('login did not complete');
      throw err;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort!);
      s.bannerWait = undefined;
    }
    return s;
  }

  private attach(): void {
    const o = this.o;
    o.pipeline.restart((b) => {
      this.banner = b;
      this.bannerWait?.(b);
    });
    this.socket.on('data', (chunk: Buffer) => {
      this.lastHeard = Date.now();
      const events = o.pipeline.pushBytes(chunk);
      if (events.length > 0) o.deliver(events);
    });
    this.socket.on('error', (err: Error) => this.finish({ kind: 'lost', reason: describe(err, o) }));
    this.socket.on('close', () => this.finish({ kind: 'lost', reason: `${o.host}:${o.port} closed the connection` }));
  }

  /** The pipeline's router: answers to our actions are taken here, everything else is an event for the tracker. */
  route(m: AmiMessage): boolean {
    const f = m.fields;
    if (f.Event === 'FullyBooted') {
      this.fullyBooted = true;
      this.bootWait?.();
    } else if (f.Event === 'Shutdown') {
      this.finish({ kind: 'ended', reason: `Asterisk shut down (${f.Shutdown ?? 'cleanly'}${f.Restart === 'True' ? ', restarting' : ''})` });
    }
    const id = f.ActionID;
    if (id === undefined) return false;
    const p = this.pending.get(id);
    if (!p) return f.Event !== undefined && f.EventList === undefined ? false : true;
    if (f.Response !== undefined && !p.response) {
      if (f.Response === 'Error') {
        this.settle(id, new PbxApiError(f.Message ?? 'AMI error', { type: 'Error' }));
        return true;
      }
      p.response = m;
      if (!p.list && !p.until) this.settle(id);
      else if (p.list && f.EventList === undefined && !p.until) this.settle(id); // a list action answered without a list
      return true;
    }
    if (f.Event !== undefined) {
      if (p.until && f.Event === p.until) {
        p.events.push(m);
        this.settle(id);
      } else if (f.EventList === 'Complete') this.settle(id);
      else p.events.push(m);
    }
    return true;
  }

  /** Sends one action; resolves with its answer (and list items), rejects with PbxApiError on `Response: Error`. */
  action(name: string, headers: Record<string, string | number | boolean | string[] | undefined> = {}, o: { list?: boolean; until?: string; timeoutMs?: number } = {}): Promise<ActionAnswer> {
    if (this.closed) return Promise.reject(new PbxError('NETWORK', 'the AMI session is closed', { canRetry: true }));
    const id = `pbxflow-${this.id}-${++this.seq}`;
    return new Promise<ActionAnswer>((resolve, reject) => {
      const timeoutMs = o.timeoutMs ?? this.o.timeoutMs;
      const timer = setTimeout(() => this.settle(id, new PbxError('TIMEOUT', `no answer to ${name} within ${timeoutMs} ms`, { canRetry: true })), timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer, list: o.list === true, until: o.until, events: [] });
      this.socket.write(encodeAction(name, { ActionID: id, ...headers }));
    });
  }

  /** Logs in (MD5 challenge or plain). AuthError for a refused secret (Asterisk then closes the socket). */
  async login(user: string, secret: string, authType: 'md5' | 'plain', events: string): Promise<void> {
    try {
      if (authType === 'md5') {
        const ch = await this.action('Challenge', { AuthType: 'MD5' });
        const challenge = ch.response.fields.Challenge ?? '';
        const key = createHash('md5').update(challenge + secret).digest('hex');
        await this.action('Login', { Username: user, AuthType: 'MD5', Key: key, Events: events });
      } else {
        await this.action('Login', { Username: user, Secret: secret, Events: events });
      }
    } catch (err) {
      if (err instanceof PbxApiError && /authentication/i.test(err.message)) throw new AuthError(`Asterisk refused the AMI login of ${user}: ${err.message}`);
      throw err;
    }
    this.startKeepalive();
  }

  /** Resolves once FullyBooted was seen, or after `ms` (a user without the `system` class never sees it). */
  waitBooted(ms: number): Promise<boolean> {
    if (this.fullyBooted) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      t.unref();
      this.bootWait = () => {
        clearTimeout(t);
        resolve(true);
      };
    });
  }

  /** Ends the session: pending actions fail, the socket is destroyed. */
  destroy(reason: string): void {
    this.finish({ kind: 'lost', reason });
  }

  /** Logoff, then close (best effort, bounded). */
  async logoff(): Promise<void> {
    if (this.closed) return;
    await this.action('Logoff', {}, { timeoutMs: Math.min(this.o.timeoutMs, 1000) }).catch(() => undefined);
    this.finish({ kind: 'aborted' });
  }

  private startKeepalive(): void {
    const every = Math.max(25, Math.floor(this.o.keepaliveMs / 4));
    this.keepalive = setInterval(() => {
      if (this.closed || this.pinging || Date.now() - this.lastHeard < this.o.keepaliveMs) return;
      this.pinging = true;
      this.action('Ping').then(
        () => (this.pinging = false),
        () => this.destroy(`no answer to Ping within ${this.o.timeoutMs} ms (half-open link?)`),
      );
    }, every);
    this.keepalive.unref();
  }

  private settle(id: string, err?: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve({ response: p.response!, events: p.events });
  }

  private finish(e: StreamEnd): void {
    if (this.closed) return;
    this.closed = true;
    this.endValue = e;
    clearInterval(this.keepalive);
    const why = e.kind === 'lost' || e.kind === 'ended' ? e.reason : 'the session was closed';
    for (const id of [...this.pending.keys()]) this.settle(id, new PbxError('NETWORK', `AMI session ended: ${why}`, { canRetry: true }));
    this.socket.destroy();
    this.end(e);
  }

  get endReason(): StreamEnd | undefined {
    return this.endValue;
  }
}

function describe(err: Error, o: SessionOptions): string {
  const code = (err as { code?: string }).code ?? '';
  // A certificate problem in the core's words, with what to do about it (the same hint on every platform).
  const words = (o.tls ? tlsProblem(code) : undefined) ?? networkProblem(`${code} ${err.message}`);
  return `${o.host}:${o.port}: ${words ?? err.message}`;
}
