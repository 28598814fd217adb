/**
 * TelServices benchmark (`npm run bench`, or `npm run bench:telservices`):
 *  1. the pipeline (datagram -> split -> validate+parse -> normalize -> tracker -> events) against fast-xml-parser
 *     alone parsing the same documents: a ratio (target >= 0.5);
 *  2. live UDP events from the simulator's TelServer to the client on loopback: the most events per second the
 *     client keeps up with (target >= 20 000/s), and latency and losses at a steady 5 000 events/s
 *     (target p99 <= 5 ms, 0 lost).
 */
import { fork } from 'node:child_process';
import { XMLParser } from 'fast-xml-parser';
import { encodeEvent } from '../shared/platforms/telservices/codec';
import { TelServicesConnection } from '../shared/platforms/telservices/module';
import { TelServicesPipeline } from '../shared/platforms/telservices/pipeline';
import type { TsCallInfo, TsEvent } from '../shared/platforms/telservices/types';
import { startSimulator } from '../simulator';
import { latencyFigures, paced, printFigures, runIfMain } from './live';

/** One incoming call's events on `device`: alerting, connected, cleared (or a missed one: alerting, cleared). */
function callDocs(device: string, i: number, answered: boolean): string[] {
  const info = (state: TsCallInfo['state']): TsCallInfo => ({
    state, otherParty: { number: `33${100000 + (i % 90000)}`, name: 'Caller Name' }, duration: 0, isOutgoing: false, isConference: false, callReference: `r${i}`,
  });
  const ev = (state: TsCallInfo['state'], services: string[]): TsEvent => ({
    deviceNumber: device, event: { name: 'call', value: { id: String(i), primCall: info(state), permittedServices: services as never } },
  });
  const out = [encodeEvent(ev('alerting', ['answerCall', 'divertCall']))];
  if (answered) out.push(encodeEvent(ev('connected', ['holdCall', 'dropCall', 'divertCall', 'consultationCall'])));
  out.push(encodeEvent(ev('cleared', [])));
  return out;
}

function documents(n: number): Array<{ device: string; doc: string }> {
  const out: Array<{ device: string; doc: string }> = [];
  for (let i = 0; out.length < n; i++) {
    const device = String(3100 + (i % 50));
    for (const doc of callDocs(device, i, i % 3 !== 0)) out.push({ device, doc });
    if (i % 10 === 0) out.push({ device, doc: encodeEvent({ event: { name: 'forward', value: { number: '3199', type: 'immediate', state: i % 20 === 0 ? 'on' : 'off' } } }) });
  }
  return out.slice(0, n);
}

function rate(n: number, f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export function benchTelservicesPipeline(n = 60_000): Record<string, number | string> {
  const docs = documents(n);
  const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });
  // Warm both paths up, then take the better of three runs of each.
  for (let i = 0; i < 3000; i++) parser.parse(docs[i].doc);
  new TelServicesPipeline().pushDatagram(docs[0].doc, docs[0].device);
  let parse = 0;
  let pipe = 0;
  let events = 0;
  for (let r = 0; r < 3; r++) {
    parse = Math.max(parse, rate(n, () => {
      for (const d of docs) parser.parse(d.doc);
    }));
    const p = new TelServicesPipeline();
    let ev = 0;
    pipe = Math.max(pipe, rate(n, () => {
      for (const d of docs) ev += p.pushDatagram(d.doc, d.device).events.length;
    }));
    events = ev;
  }
  return {
    'documents': n,
    'fast-xml-parser alone (documents/s)': Math.round(parse),
    'pipeline: split+validate+parse+normalize+track (documents/s)': Math.round(pipe),
    'pipeline / parser (target >= 0.5)': Math.round((pipe / parse) * 100) / 100,
    'normalized events per run': events,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now(); // comparable across processes on one machine

type SenderCommand = { cmd: 'steady'; callsPerTick: number; ticks: number } | { cmd: 'burst'; calls: number } | { cmd: 'exit' };
type SenderReply = { kind: 'ready'; url: string } | { kind: 'sent'; first: number; times: number[] };

/**
 * The simulator side, in its own process (a real TelServer is another machine): sends call datagrams and reports
 * when it sent each (alerting, cleared) pair, so the client side can measure latency.
 */
async function senderMain(): Promise<void> {
  const sim = await startSimulator({ ringTimeoutMs: 3_600_000 });
  const device = '201';
  let seq = 0;
  const send = (process.send as (m: SenderReply) => void).bind(process);
  process.on('message', async (m: SenderCommand) => {
    if (m.cmd === 'exit') {
      await sim.close();
      process.exit(0);
    }
    const first = seq + 1;
    const times: number[] = [];
    // Encoded before the clock starts: the sender's own XML building is not what is measured.
    const total = m.cmd === 'steady' ? m.callsPerTick * m.ticks : m.calls;
    const docs: string[][] = [];
    for (let k = 1; k <= total; k++) docs.push(callDocs(device, first + k - 1, false));
    let d = 0;
    const one = () => {
      ++seq;
      const [alert, clear] = docs[d++];
      times.push(now());
      sim.telservices.sendRaw(device, alert);
      times.push(now());
      sim.telservices.sendRaw(device, clear);
    };
    if (m.cmd === 'steady') {
      await paced(10, (tick) => tick < m.ticks, () => {
        for (let k = 0; k < m.callsPerTick; k++) one();
      }, true);
    } else {
      for (let n = 0; n < m.calls; n += 50) {
        for (let k = 0; k < 50; k++) one();
        await new Promise((r) => setImmediate(r));
      }
    }
    send({ kind: 'sent', first, times });
  });
  send({ kind: 'ready', url: sim.telservices.url });
}

export async function benchTelservicesLive(): Promise<Record<string, number | string>> {
  const child = fork(__filename, ['--telservices-sender'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const replies: SenderReply[] = [];
  let wake: (() => void) | undefined;
  child.on('message', (m: SenderReply) => {
    replies.push(m);
    wake?.();
  });
  const next = async (): Promise<SenderReply> => {
    while (!replies.length) await new Promise<void>((r) => (wake = r));
    return replies.shift()!;
  };
  const ready = await next();
  if (ready.kind !== 'ready') throw new Error('sender did not start');
  const device = '201';
  const conn = new TelServicesConnection({ platform: 'telservices', url: ready.url, login: '', password: '', users: [device], extra: { udpHost: '127.0.0.1', keepAliveMs: 3_600_000 } });
  await conn.ready(10_000);
  const got = new Map<string, number>();
  conn.onEvent((e) => {
    if (e.type === 'call.incoming' || e.type === 'call.ended') got.set(`${e.call!.id}|${e.type}`, now());
  });
  const run = async (cmd: SenderCommand) => {
    got.clear();
    const t0 = now();
    child.send(cmd);
    const r = await next();
    if (r.kind !== 'sent') throw new Error('unexpected reply');
    const expected = r.times.length;
    const end = Date.now() + 3000;
    while (got.size < expected && Date.now() < end) await sleep(10);
    let last = t0;
    const lat: number[] = [];
    for (let k = 0; k < r.times.length; k++) {
      const i = r.first + Math.floor(k / 2);
      const at = got.get(`${device}-r${i}|${k % 2 === 0 ? 'call.incoming' : 'call.ended'}`);
      if (at === undefined) continue;
      lat.push(at - r.times[k]);
      if (at > last) last = at;
    }
    return { sent: expected, lost: expected - lat.length, ...latencyFigures(lat), rate: lat.length / ((last - t0) / 1000) };
  };
  // Warm-up, then a steady 5 000 datagrams/s for 3 s (25 calls = 50 datagrams every 10 ms), then as fast as it goes.
  await run({ cmd: 'steady', callsPerTick: 5, ticks: 100 });
  const steady = await run({ cmd: 'steady', callsPerTick: 25, ticks: 300 });
  // The highest paced rate the client keeps up with (under 0.1 % lost), stepping up 10 000 events/s at a time.
  let best = { rate: 0, p99: NaN, lost: 0 };
  for (const perSecond of [10_000, 20_000, 30_000, 40_000]) {
    const r = await run({ cmd: 'steady', callsPerTick: perSecond / 200, ticks: 200 });
    if (r.lost > r.sent / 1000) break;
    best = { rate: perSecond, p99: r.p99, lost: r.lost };
  }
  const burst = await run({ cmd: 'burst', calls: 20_000 });
  await conn.close();
  child.send({ cmd: 'exit' });
  await new Promise((r) => child.once('exit', r));
  return {
    'steady 5 000 events/s: events sent': steady.sent,
    'steady 5 000 events/s: p50 latency (ms)': steady.p50,
    'steady 5 000 events/s: p99 latency (ms, target <= 5)': steady.p99,
    'steady 5 000 events/s: max latency (ms)': steady.max,
    'steady 5 000 events/s: lost (target 0)': steady.lost,
    'paced: highest rate kept up with, < 0.1 % lost (events/s, target >= 20 000)': best.rate,
    'paced: p99 latency at that rate (ms)': best.p99,
    'flat out (unpaced sender): events/s the client processed': Math.round(burst.rate),
    'flat out: events sent / lost (the sender outruns the socket buffer)': `${burst.sent} / ${burst.lost}`,
  };
}

export async function benchTelservices(): Promise<void> {
  printFigures('TelServices pipeline vs fast-xml-parser alone (same documents)', benchTelservicesPipeline(), 76);
  printFigures('TelServices live UDP events on loopback (simulator process -> client process)', await benchTelservicesLive(), 76);
}

if (require.main === module && process.argv.includes('--telservices-sender')) {
  void senderMain();
} else {
  runIfMain(module, benchTelservices);
}
