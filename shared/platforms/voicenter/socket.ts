/**
 * One interface over the two socket.io clients. Voicenter's servers speak Engine.IO v3 (the SDK loads a vendored
 * socket.io 1.3.7 client named by the login answer's `Client` field): socket.io-client 2.x talks to them;
 * 4.x only to a 3.x/4.x server (which may also accept 2.x clients with `allowEIO3`).
 * Both are loaded on first use, not at import: n8n loads every node at start-up.
 *
 * Options as Voicenter's SDK sets them (src/classes/socket-io/socket-io.class.ts `initSocketConnection`):
 * websocket only, no upgrade, forceNew, socket.io's own reconnection off (our loop owns retries), the token in
 * the handshake query.
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
}

export interface VoicenterSocket {
  emit(name: string, payload: unknown): void;
  close(): void;
}

export interface SocketOptions {
  token?: string;
  timeoutMs: number;
  rejectUnauthorized?: boolean;
}

interface RawSocket {
  on(name: string, fn: (...args: unknown[]) => void): unknown;
  emit(name: string, ...args: unknown[]): unknown;
  close(): unknown;
  removeAllListeners?(): unknown;
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
  };
  if (o.token) opts.query = { token: o.token };
  const s = io(url, opts);
  let closed = false;
  const close = (reason: string, refused: boolean) => {
    if (closed) return;
    closed = true;
    s.removeAllListeners?.();
    s.on('error', () => undefined); // a late transport error must not become an unhandled 'error'
    s.close();
    h.closed(reason, refused);
  };
  s.on('connect', () => {
    if (!closed) h.connect();
  });
  for (const name of SERVER_EVENTS) s.on(name, (payload: unknown) => {
    if (!closed) h.event(name, payload);
  });
  // 4.x: middleware refusals and transport failures arrive as connect_error; 2.x: refusals as `error` (a string).
  s.on('connect_error', (err: unknown) => close(`cannot connect: ${messageOf(err)}`, REFUSED.test(messageOf(err))));
  s.on('connect_timeout', () => close('cannot connect: timeout', false));
  s.on('error', (err: unknown) => close(`socket error: ${messageOf(err)}`, REFUSED.test(messageOf(err))));
  s.on('disconnect', (reason: unknown) => close(`disconnected (${messageOf(reason)})`, false));
  return {
    emit: (name, payload) => {
      if (!closed) s.emit(name, payload);
    },
    close: () => close('closed', false),
  };
}

function messageOf(v: unknown): string {
  const m = v instanceof Error ? v.message : typeof v === 'string' ? v : v && typeof v === 'object' && 'message' in v ? String((v as { message: unknown }).message) : String(v);
  return m.slice(0, 200);
}
