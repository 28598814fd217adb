/**
 * The UDP event listener of one monitored device: TelServer sends that device's `TelServiceEvent`s to the port
 * given in its `openSession`, so a datagram's port says whose event it is even when it carries no `deviceNumber`.
 * Datagrams from other hosts than TelServer are dropped (counted): anyone could otherwise inject calls. By default
 * the port listens on the one local address that routes to TelServer, not on every interface.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { PbxError } from '../../errors';

export interface UdpListenerOptions {
  /** Address to bind (the interface TelServer sends to); default all IPv4 interfaces (the connection passes one). */
  host?: string;
  /** 0: any free port. */
  port: number;
  /** Source addresses accepted; empty: any. */
  allowFrom?: () => ReadonlySet<string>;
}

export class UdpEventListener {
  private socket?: Socket;
  datagrams = 0;
  refused = 0;

  constructor(private readonly o: UdpListenerOptions, private readonly onDatagram: (text: string, from: RemoteInfo) => void) {}

  /** Binds; resolves with the port bound. */
  async start(): Promise<number> {
    if (this.socket) return this.port;
    const host = this.o.host || '0.0.0.0';
    const s = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      s.once('error', (e: NodeJS.ErrnoException) => reject(new PbxError('NETWORK', `cannot listen for TelServices events on UDP ${host}:${this.o.port}: ${e.code ?? e.message}`)));
      s.bind(this.o.port, host, () => resolve());
    });
    s.removeAllListeners('error');
    try {
      // Room for bursts (a call's events come together): the kernel caps it at its own maximum.
      s.setRecvBufferSize(4 * 1024 * 1024);
    } catch {
      // not allowed here: the default buffer will do
    }
    s.on('error', () => undefined); // a receive error costs that datagram only
    s.on('message', (msg, rinfo) => {
      const allowed = this.o.allowFrom?.();
      if (allowed && allowed.size && !allowed.has(rinfo.address)) {
        this.refused++;
        return;
      }
      this.datagrams++;
      this.onDatagram(msg.toString('utf8'), rinfo);
    });
    // The connection's alive handle keeps the process up while someone holds it; a lingering connection must not.
    s.unref();
    this.socket = s;
    return this.port;
  }

  /** The local address bound (undefined before `start`). */
  get address(): string | undefined {
    return this.socket?.address().address;
  }

  get port(): number {
    return this.socket ? this.socket.address().port : this.o.port;
  }

  close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.close(() => resolve()));
  }
}

/**
 * The local address the system would send from to reach `host` (a connected UDP socket: no datagram is sent).
 * TelServer sends its events back to the address its requests come from, which is this one.
 */
export async function localAddressTowards(host: string, port: number): Promise<string> {
  const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    return await new Promise<string>((resolve, reject) => {
      s.once('error', (e: NodeJS.ErrnoException) => reject(new PbxError('NETWORK', `no local address reaches TelServer at ${host}: ${e.code ?? e.message}`)));
      s.connect(port, host, () => resolve(s.address().address));
    });
  } finally {
    s.removeAllListeners('error');
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      try {
        s.close(() => resolve());
      } catch {
        resolve(); // already closed by its failure
      }
    });
  }
}
