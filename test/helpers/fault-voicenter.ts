/**
 * A fault peer for Voicenter's event socket: a socket.io 2.x server on loopback (Engine.IO v3, as Voicenter's
 * servers) that relays each client to the simulator's socket server as a socket.io 2.x client, event by event, and
 * adds what the simulator has no switch for: raw frames the socket.io parser cannot read, logins left unanswered,
 * a socket dropped at its login or told `ExtensionsUpdated` right after its snapshot, rewritten server events (an unreadable
 * snapshot, an echo), and events held back to arrive late. Point the client at it with `extra.serverUrl`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { SERVER_EVENTS } from '../../shared/platforms/voicenter/socket';

interface IoSocket {
  handshake: { query: Record<string, unknown> };
  conn: { write(data: string): void };
  on(name: string, fn: (...a: unknown[]) => void): void;
  use(fn: (packet: unknown[], next: (err?: Error) => void) => void): void;
  emit(name: string, ...a: unknown[]): void;
  disconnect(close?: boolean): void;
}
interface IoServer {
  on(name: 'connection', fn: (s: IoSocket) => void): void;
  close(cb?: () => void): void;
}
interface IoClient {
  on(name: string, fn: (...a: unknown[]) => void): void;
  emit(name: string, ...a: unknown[]): void;
  close(): void;
}

/** Rewrites one server event on its way to the client: a new payload, `null` to drop it, undefined to keep it. */
export type VcTransform = (name: string, payload: unknown) => unknown;

export interface VoicenterFaultPeer {
  url: string;
  counts: { connections: number; logins: number };
  /** Client sockets open now. */
  readonly clients: number;
  /** A `login` / `loginUser` is not relayed: the server drops the socket instead, before any snapshot. */
  dropOnLogin: boolean;
  /** After relaying `AllExtensionsStatus`: nothing, drop the socket, or send `ExtensionsUpdated`. */
  afterSnapshot: 'none' | 'drop' | 'extensionsUpdated';
  transforms: VcTransform[];
  /** Sends a raw socket.io packet (what follows Engine.IO's `4`) to every client, e.g. `2{"not":"an array"}`. */
  sendRawPacket(packet: string): void;
  /** Sends one event to every client. */
  emit(name: string, payload: unknown): void;
  /** Server events are kept back until `release()`; `filter` says which. */
  hold(filter?: (name: string, payload: unknown) => boolean): void;
  release(): void;
  /** Every client socket is dropped by the server. */
  drop(): void;
  close(): Promise<void>;
}

export async function startVoicenterFaultPeer(upstreamUrl: string): Promise<VoicenterFaultPeer> {
  const ioServer = require('socket.io-v2') as (srv: Server, o: Record<string, unknown>) => IoServer;
  const ioClient = require('socket.io-client') as (url: string, o: Record<string, unknown>) => IoClient;
  const http = createServer();
  const netSockets = new Set<NetSocket>();
  http.on('connection', (s: NetSocket) => {
    netSockets.add(s);
    s.on('close', () => netSockets.delete(s));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const io = ioServer(http, { serveClient: false, pingInterval: 25_000, pingTimeout: 60_000 });
  const pairs = new Set<{ client: IoSocket; up: IoClient }>();
  let holdFilter: ((name: string, payload: unknown) => boolean) | undefined;
  const held: Array<{ name: string; payload: unknown }> = [];

  const peer: VoicenterFaultPeer = {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    counts: { connections: 0, logins: 0 },
    get clients() {
      return pairs.size;
    },
    dropOnLogin: false,
    afterSnapshot: 'none',
    transforms: [],
    sendRawPacket(packet) {
      for (const p of pairs) p.client.conn.write(packet);
    },
    emit(name, payload) {
      for (const p of pairs) p.client.emit(name, payload);
    },
    hold(filter = () => true) {
      holdFilter = filter;
    },
    release() {
      holdFilter = undefined;
      for (const h of held.splice(0)) peer.emit(h.name, h.payload);
    },
    drop() {
      for (const p of [...pairs]) p.client.disconnect(true);
    },
    async close() {
      for (const p of [...pairs]) {
        p.up.close();
        p.client.disconnect(true);
      }
      for (const s of netSockets) s.destroy();
      await new Promise<void>((r) => io.close(() => r()));
      if (http.listening) await new Promise<void>((r) => http.close(() => r()));
    },
  };

  io.on('connection', (client) => {
    peer.counts.connections++;
    const token = typeof client.handshake.query.token === 'string' ? client.handshake.query.token : undefined;
    const up = ioClient(upstreamUrl, { transports: ['websocket'], upgrade: false, forceNew: true, reconnection: false, ...(token ? { query: { token } } : {}) });
    const pair = { client, up };
    pairs.add(pair);
    const end = () => {
      if (!pairs.delete(pair)) return;
      up.close();
      client.disconnect(true);
    };
    client.on('disconnect', end);
    up.on('disconnect', end);
    up.on('connect_error', end);
    up.on('error', end);
    // Client -> simulator: every packet, in order (the upstream socket buffers until it is connected).
    client.use((packet, next) => {
      const [name, ...args] = packet as [string, ...unknown[]];
      if (name === 'login' || name === 'loginUser') {
        peer.counts.logins++;
        if (peer.dropOnLogin) {
          end();
          return next();
        }
      }
      up.emit(name, ...args);
      next();
    });
    for (const name of SERVER_EVENTS) {
      up.on(name, (payload: unknown) => {
        // A server that drops sockets at login says nothing first (the simulator may answer a handshake token).
        if (peer.dropOnLogin) return;
        let p = payload;
        for (const t of peer.transforms) {
          const next = t(name, p);
          if (next !== undefined) p = next;
        }
        if (p === null) return;
        if (holdFilter?.(name, p)) held.push({ name, payload: p });
        else client.emit(name, p);
        if (name === 'AllExtensionsStatus') {
          if (peer.afterSnapshot === 'drop') setImmediate(end);
          else if (peer.afterSnapshot === 'extensionsUpdated') client.emit('ExtensionsUpdated', {});
        }
      });
    }
  });
  return peer;
}
