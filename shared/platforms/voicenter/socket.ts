/**
 * One interface over the two socket.io clients. Voicenter's servers speak Engine.IO v3 (the SDK loads a vendored
 * socket.io 1.3.7 client named by the login answer's `Client` field): socket.io-client 2.x talks to them;
 * 4.x only to a 3.x/4.x server (which may also accept 2.x clients with `allowEIO3`).
 * Both are loaded on first use, not at import: n8n loads every node at start-up.
 *
 * Options as Voicenter's SDK sets them (src/classes/socket-io/socket-io.class.ts `initSocketConnection`):
 * websocket only, no upgrade, forceNew, socket.io's own reconnection off (our loop owns retries), the token in
 * the handshake query.
 *
 * No frame may end the host process. socket.io-client 2.x decodes and dispatches a frame synchronously inside the
 * WebSocket's message handler, and throws there on a frame such as `2{"not":"an array"}` or `2"text"` (its
 * `onevent` applies the payload as an argument list): nothing above it catches, so the process would exit. Like
 * socket.io-client 4.x does itself (its Manager `ondata` has a try/catch, and dispatch runs on a later tick), the
 * Manager's `ondata` is wrapped before the transport opens, and so is every call into our handlers: a throw becomes
 * one `bad(...)` call (the connection warns, rate-limited) and the frame is skipped; the next frames still arrive.
 */
import { PbxError } from '../../errors';
import type { SocketVersion } from './login';

/** Server -> client events the SDK listens to (src/classes/socket-io/socket-io.class.ts `initSocketEvents`, src/enum/events.enum.ts). */
export const SERVER_EVENTS = [
  'loginSuccess', 'loginStatus', 'loginResponse', 'AllExtensionsStatus', 'ExtensionEvent', 'QueueEvent',
  'DialerEvent', 'AllDialersStatus', 'keepaliveResponse', 'ExtensionsUpdated', 'QueuesUpdated', 'DialersUpdated', 'closeme',
] as const;

export interface SocketHandlers {
  connect(): void;
  event(name: string, payload: unknown): void;
  /** The socket is gone (never to come back by itself). `refused`: the server rejected our credentials. */
  closed(reason: string, refused: boolean): void;
  /** A frame the library or a handler could not take: skipped. */
  bad(reason: string): void;
}

export interface VoicenterSocket {
  emit(name: string, payload: unknown): void;
  close(): void;
}

export interface SocketOptions {
  token?: string;
  timeoutMs: number;
  rejectUnauthorized?: boolean;
  /** Extra CA certificate(s), PEM: verification stays on. */
  ca?: string;
}

interface RawSocket {
  on(name: string, fn: (...args: unknown[]) => void): unknown;
  emit(name: string, ...args: unknown[]): unknown;
  close(): unknown;
  removeAllListeners?(): unknown;
  /** The Manager (both majors): `ondata` is what the transport calls per frame, bound when the transport opens. */
  io?: { ondata?: (data: unknown) => void; decoder?: { destroy?(): void; reconstructor?: unknown } };
}
type IoFactory = (url: string, opts: Record<string, unknown>) => RawSocket;

let io2: IoFactory | undefined;
let io4: IoFactory | undefined;

function factory(version: SocketVersion): IoFactory {
  try {
    if (version === '2') {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (io2 ??= require('socket.io-client') as IoFactory);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (io4 ??= (require('socket.io-client-v4') as { io: IoFactory }).io);
  } catch (err) {
    throw new PbxError('UNSUPPORTED', `the socket.io ${version}.x client is not installed (${(err as Error).message.split('\n')[0]})`);
  }
}

const REFUSED = /unauthori[sz]ed|forbidden|invalid token|bad token|authentication|\b401\b|\b403\b/i;

export function openSocket(version: SocketVersion, url: string, o: SocketOptions, h: SocketHandlers): VoicenterSocket {
  const io = factory(version);
  const opts: Record<string, unknown> = {
    transports: ['websocket'],
    upgrade: false,
    forceNew: true,
    reconnection: false,
    timeout: o.timeoutMs,
    rejectUnauthorized: o.rejectUnauthorized !== false,
    // 2.x (engine.io-client 3.x) prefers a global WebSocket, which Node has since 22, and then passes it no TLS
    // options at all (no `ca`, no `rejectUnauthorized`): the `ws` package it ships takes them.
    forceNode: true,
  };
  if (o.ca) opts.ca = o.ca;
  if (o.token) opts.query = { token: o.token };
  const s = io(url, opts);
  let closed = false;
  const bad = (what: string, err: unknown) => {
    try {
      h.bad(`${what}: ${messageOf(err)}`);
    } catch {
      // the report itself must not throw into the library either
    }
  };
  /** Every call from the library into our code: a throw is reported and swallowed, never left to the event loop. */
  const guard = <A extends unknown[]>(what: string, fn: (...a: A) => void) => (...a: A): void => {
    try {
      fn(...a);
    } catch (err) {
      bad(what, err);
    }
  };
  guardDecoder(s, bad);
  const close = (reason: string, refused: boolean) => {
    if (closed) return;
    closed = true;
    s.removeAllListeners?.();
    s.on('error', () => undefined); // a late transport error must not become an unhandled 'error'
    try {
      s.close();
    } catch (err) {
      bad('closing the socket', err);
    }
    h.closed(reason, refused);
  };
  s.on('connect', guard('connect', () => {
    if (!closed) h.connect();
  }));
  for (const name of SERVER_EVENTS) s.on(name, guard(name, (payload: unknown) => {
    if (!closed) h.event(name, payload);
  }));
  // 4.x: middleware refusals and transport failures arrive as connect_error; 2.x: refusals as `error` (a string).
  s.on('connect_error', guard('connect_error', (err: unknown) => close(`cannot connect: ${messageOf(err)}`, REFUSED.test(messageOf(err)))));
  s.on('connect_timeout', guard('connect_timeout', () => close('cannot connect: timeout', false)));
  s.on('error', guard('error', (err: unknown) => close(`socket error: ${messageOf(err)}`, REFUSED.test(messageOf(err)))));
  s.on('disconnect', guard('disconnect', (reason: unknown) => close(`disconnected (${messageOf(reason)})`, false)));
  return {
    emit: (name, payload) => {
      if (!closed) s.emit(name, payload);
    },
    close: () => close('closed', false),
  };
}

/**
 * Wraps the Manager's per-frame entry point. Both majors bind `ondata` when the transport opens (2.x
 * `bind(this, 'ondata')` looks the method up then; 4.x `this.ondata.bind(this)`), which is after `io()` returns,
 * so an own property set here is the one bound. A throw skips the frame; a half-built binary packet is dropped
 * so the decoder starts clean on the next frame.
 */
function guardDecoder(s: RawSocket, bad: (what: string, err: unknown) => void): void {
  const manager = s.io;
  const ondata = manager?.ondata;
  if (!manager || typeof ondata !== 'function') return;
  manager.ondata = function guardedOndata(this: unknown, data: unknown): void {
    try {
      ondata.call(manager, data);
    } catch (err) {
      try {
        const decoder = manager.decoder;
        if (decoder?.reconstructor) {
          decoder.destroy?.();
          decoder.reconstructor = null; // 2.x's destroy leaves it set, and would refuse every text frame after
        }
      } catch {
        // a decoder that cannot even reset: the next bad frame is reported again
      }
      bad('a frame the socket.io client could not decode', err);
    }
  };
}

function messageOf(v: unknown): string {
  const m = v instanceof Error ? v.message : typeof v === 'string' ? v : v && typeof v === 'object' && 'message' in v ? String((v as { message: unknown }).message) : String(v);
  return m.slice(0, 200);
}
