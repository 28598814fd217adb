/**
 * Asterisk benchmark: (1) the AMI pipeline (bytes -> decoder -> normalizer -> tracker -> events) against a plain
 * `Key: Value` split of the same bytes, rounds interleaved; (2) live AMI from the simulator's front-end to the
 * driver on loopback: messages per second, and latency at a steady 5 000 messages/s. The traffic is real FreePBX
 * captures (test/fixtures/asterisk/mqtt) with fresh ids per call. Run: `node --expose-gc dist/bench/asterisk.js`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PbxEvent } from '../shared/model/events';
import { create } from '../shared/platforms/asterisk/module';
import { AsteriskPipeline } from '../shared/platforms/asterisk/pipeline';
import { startSimulator } from '../simulator';
import { latencyRows, paced, printFigures, runIfMain, waitForCount } from './live';

const CAPTURES = ['answered-outbound.raw', 'unanswered-cancel.raw', 'unanswered-huntgroup.raw', 'answered-internal.raw'];

function capture(name: string): string {
  const rel = ['test', 'fixtures', 'asterisk', 'mqtt', name];
  const file = [join(__dirname, '..', '..', ...rel), join(__dirname, '..', ...rel), join(process.cwd(), ...rel)].find((f) => existsSync(f));
  if (!file) throw new Error(`bench: ${rel.join('/')} not found (run from the project root)`);
  return readFileSync(file, 'utf8').replace(/\r?\n/g, '\r\n');
}

/** `calls` calls of AMI text, each a real capture with its ids made unique (`<prefix><n>.<k>`). */
function makeCalls(calls: number, prefix = 'b'): string[] {
  const texts = CAPTURES.map(capture);
  const out: string[] = [];
  for (let i = 0; i < calls; i++) {
    out.push(texts[i % texts.length].replace(/\b1770888\d{3}\.(\d+)/g, (_m, k: string) => `${prefix}${i}.${k}`));
  }
  return out;
}

/** The baseline: split the same bytes into messages and `Key: Value` pairs, nothing else. */
function plainSplit(chunks: string[]): number {
  let n = 0;
  let tail = '';
  for (const c of chunks) {
    const parts = (tail + c).split('\r\n\r\n');
    tail = parts.pop()!;
    for (const msg of parts) {
      const o: Record<string, string> = {};
      for (const line of msg.split('\r\n')) {
        const i = line.indexOf(': ');
        if (i > 0) o[line.slice(0, i)] = line.slice(i + 2);
      }
      if (o.Event !== undefined || o.Response !== undefined) n++;
    }
  }
  return n;
}

export function benchAsteriskPipeline(calls = 2_000, rounds = 20): Record<string, number | string> {
  const all = makeCalls(calls).join('');
  const chunks: string[] = [];
  for (let i = 0; i < all.length; i += 65_536) chunks.push(all.slice(i, i + 65_536));
  const messages = plainSplit(chunks);
  for (let i = 0; i < 3; i++) {
    plainSplit(chunks);
    const p = new AsteriskPipeline();
    for (const c of chunks) p.pushText(c);
  }
  let splitMs = 0;
  let pipeMs = 0;
  let events = 0;
  for (let r = 0; r < rounds; r++) {
    // Interleaved: the baseline and the subject see the same machine state.
    let t = performance.now();
    if (plainSplit(chunks) !== messages) throw new Error('bench: the split lost messages');
    splitMs += performance.now() - t;
    const p = new AsteriskPipeline();
    t = performance.now();
    for (const c of chunks) events += p.pushText(c).length;
    pipeMs += performance.now() - t;
    if (p.messages !== messages) throw new Error(`bench: the pipeline decoded ${p.messages} of ${messages} messages`);
  }
  const total = messages * rounds;
  return {
    'AMI messages per round': messages,
    rounds,
    'MB per round': Math.round((all.length / 1e6) * 100) / 100,
    'events per round': events / rounds,
    'plain Key: Value split messages/s': Math.round(total / (splitMs / 1000)),
    'pipeline messages/s': Math.round(total / (pipeMs / 1000)),
    'pipeline speed vs plain split (target >= 0.5)': Math.round((splitMs / pipeMs) * 100) / 100,
  };
}

export async function benchAsteriskLive(calls = 3_000, steadyRate = 5_000, steadySeconds = 4): Promise<Record<string, number | string>> {
  const sim = await startSimulator({ asterisk: { writeTimeoutMs: 5_000, writeBufferBytes: 64 << 20 } });
  const fe = sim.asterisk!;
  const conn = create({ platform: 'asterisk', url: fe.url, login: 'pbxflow', password: 'ami-secret' });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  conn.onEvent((e: PbxEvent) => {
    if (e.type !== 'call.outgoing') return;
    const t = sentAt.get(e.call!.id);
    if (t !== undefined) latencies.push(performance.now() - t);
  });
  try {
    await conn.ready(10_000);
    const pipeline = conn.asterisk.pipeline;
    const waitFor = (n: number) => waitForCount(() => pipeline.messages, n, 'messages');
    // Throughput: the captures as fast as the server writes them, in 1 MB bursts.
    const text = makeCalls(calls, 't').join('');
    const count = (s: string) => s.split('\r\n\r\n').length - 1;
    const messages = count(text);
    const base = pipeline.messages;
    const t0 = performance.now();
    for (let i = 0; i < text.length; i += 1 << 20) {
      fe.sendRaw(text.slice(i, i + (1 << 20)));
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(base + messages);
    const secs = (performance.now() - t0) / 1000;
    // Latency at a steady rate: each 10 ms tick, rate/100 messages (whole calls); a call's first message is
    // stamped, its call.outgoing event closes the sample.
    const steady = makeCalls(Math.ceil((steadyRate * steadySeconds) / 30), 's').map((c) => ({ text: c, n: count(c) }));
    const perTick = steadyRate / 100;
    const base2 = pipeline.messages;
    let sent = 0;
    let k = 0;
    const end = performance.now() + steadySeconds * 1000;
    await paced(10, () => performance.now() < end && k < steady.length, () => {
      let budget = perTick;
      while (budget > 0 && k < steady.length) {
        const c = steady[k++];
        sentAt.set(c.text.match(/Linkedid: (\S+)/)![1], performance.now());
        fe.sendRaw(c.text);
        budget -= c.n;
        sent += c.n;
      }
    });
    await waitFor(base2 + sent);
    return {
      'AMI messages (throughput run)': messages,
      'messages/s simulator -> driver (target >= 20 000)': Math.round(messages / secs),
      'steady rate messages/s': Math.round(sent / steadySeconds),
      ...latencyRows(latencies, 'latency samples (one per call)'),
    };
  } finally {
    await conn.close();
    await sim.close();
  }
}

export async function benchAsterisk(): Promise<void> {
  printFigures('Asterisk AMI pipeline vs plain Key: Value split (same bytes, FreePBX captures)', benchAsteriskPipeline());
  printFigures('Asterisk live AMI on loopback (simulator front-end -> driver)', await benchAsteriskLive());
}

runIfMain(module, benchAsterisk);
