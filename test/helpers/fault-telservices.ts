/**
 * A fault peer for TelServices: a TCP proxy on loopback in front of the simulator's TelServices gateway, plus one
 * UDP relay per device (each `openSession` is rewritten to name the relay's port, so every event datagram passes
 * here on its way to the client). It counts requests per service, answers chosen ones itself (an error, an echo of
 * the password, an unreadable snapshot), sends datagrams of its own (bad ones, events for unknown calls, session
 * closures), and holds datagrams back to deliver them late.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface TsRequestSeen {
  service: string;
  device?: string;
  xml: string;
}

/** A raw `<TelServiceReturn>` to answer instead of the gateway; undefined: forward. */
export type TsRule = (req: TsRequestSeen) => string | undefined;
/** Rewrites the gateway's answer (undefined: as it is). */
export type TsTransform = (req: TsRequestSeen, answer: string) => string | undefined;

export interface TelServicesFaultPeer {
  /** `ConnectionConfig.url` for the client. */
  url: string;
  /** Requests per service; `<service>:ok` those the gateway answered with a result. */
  counts: Record<string, number>;
  rules: TsRule[];
  transforms: TsTransform[];
  /** Called after each answer has been sent (e.g. to follow it with a datagram). */
  afterAnswer: Array<(req: TsRequestSeen, answer: string) => void>;
  /** The client's own UDP port per device, once it has opened a session. */
  clientPorts: Map<string, number>;
  /** Sends one datagram to the client's port of `device` (from loopback, as TelServer would). */
  sendDatagram(device: string, text: string): void;
  /** Datagrams from the gateway that `filter` accepts are kept back until `release()`. */
  hold(filter?: (text: string) => boolean): void;
  release(): void;
  close(): Promise<void>;
}

const serviceOf = (xml: string) => /<TelServiceRequest>\s*<(\w+)/.exec(xml)?.[1] ?? '?';
const deviceOf = (xml: string) => /<deviceNumber>([^<]*)<\/deviceNumber>/.exec(xml)?.[1];

export async function startTelServicesFaultPeer(upstreamPort: number): Promise<TelServicesFaultPeer> {
  const counts: Record<string, number> = {};
  const rules: TsRule[] = [];
  const transforms: TsTransform[] = [];
  const afterAnswer: TelServicesFaultPeer['afterAnswer'] = [];
  const clientPorts = new Map<string, number>();
  const relays = new Map<string, UdpSocket>();
  const sockets = new Set<Socket>();
  let holdFilter: ((text: string) => boolean) | undefined;
  const held: Array<{ device: string; text: string }> = [];

  const relayFor = async (device: string): Promise<UdpSocket> => {
    let r = relays.get(device);
    if (r) return r;
    r = createSocket('udp4');
    relays.set(device, r);
    await new Promise<void>((resolve) => r!.bind(0, '127.0.0.1', () => resolve()));
    r.on('error', () => undefined);
    r.on('message', (msg) => {
      const text = msg.toString('utf8');
      if (holdFilter?.(text)) held.push({ device, text });
      else send(device, text);
    });
    return r;
  };
  const send = (device: string, text: string) => {
    const port = clientPorts.get(device);
    const r = relays.get(device);
    if (port && r) r.send(Buffer.from(text, 'utf8'), port, '127.0.0.1', () => undefined);
  };

  const forward = (xml: string) => new Promise<string>((resolve) => {
    const up = connect(upstreamPort, '127.0.0.1');
    let out = '';
    up.setEncoding('utf8');
    up.on('data', (d: string) => (out += d));
    up.on('end', () => resolve(out));
    up.on('error', () => resolve(out));
    up.on('close', () => resolve(out));
    up.end(xml);
  });

  const onRequest = async (xml: string): Promise<{ req: TsRequestSeen; answer: string }> => {
    const req: TsRequestSeen = { service: serviceOf(xml), device: deviceOf(xml), xml };
    counts[req.service] = (counts[req.service] ?? 0) + 1;
    for (const r of rules) {
      const a = r(req);
      if (a !== undefined) return { req, answer: a };
    }
    let sent = xml;
    const port = /<eventUDPPort>(\d+)<\/eventUDPPort>/.exec(xml)?.[1];
    if (req.service === 'openSession' && req.device && port) {
      clientPorts.set(req.device, Number(port));
      const relay = await relayFor(req.device);
      sent = xml.replace(/<eventUDPPort>\d+<\/eventUDPPort>/, `<eventUDPPort>${relay.address().port}</eventUDPPort>`);
    }
    let answer = await forward(sent);
    // Answered by the gateway with a result (an openSession that opened a session, say).
    if (answer.includes('<result')) counts[`${req.service}:ok`] = (counts[`${req.service}:ok`] ?? 0) + 1;
    for (const t of transforms) answer = t(req, answer) ?? answer;
    return { req, answer };
  };

  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.setEncoding('utf8');
    let buf = '';
    let handled = false;
    s.on('data', (d: string) => {
      if (handled) return;
      buf += d;
      const end = buf.search(/<\/TelServiceRequest\s*>/);
      if (end < 0) return;
      handled = true;
      const xml = buf.slice(0, buf.indexOf('>', end) + 1);
      void onRequest(xml).then(({ req, answer }) => {
        if (!s.destroyed) s.end(answer);
        for (const f of afterAnswer) f(req, answer);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    rules,
    transforms,
    afterAnswer,
    clientPorts,
    sendDatagram: send,
    hold(filter = () => true) {
      holdFilter = filter;
    },
    release() {
      holdFilter = undefined;
      for (const h of held.splice(0)) send(h.device, h.text);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await Promise.all([...relays.values()].map((r) => new Promise<void>((res) => r.close(() => res()))));
    },
  };
}
