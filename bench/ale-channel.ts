/**
 * Benchmark: the simulator streams ALE events through the HTTP chunk channel to the client on loopback, and the
 * client turns them into normalized events (decode, normalize, track). Measures
 *  - sustained throughput: raw events/s when the server writes as fast as it can (batches of 500 lines);
 *  - latency: from the server's write to the normalized event, at a paced 5 000 events/s (p50, p99, max).
 * Server and client share one process and one event loop, so the latency includes that loop's scheduling.
 */
import { performance } from 'node:perf_hooks';
import type { PbxEvent } from '../shared/model/events';
import { AleConnection } from '../shared/platforms/ale/connection';
import { startSimulator } from '../simulator';

const created = (i: number) =>
  `{"eventName":"OnCallCreated","loginName":"bob","callRef":"b${i}","cause":"UNKNOWN","callData":{"state":"RINGING_INCOMING","callUUID":"u${i}"},"legs":[{"deviceId":"202","state":"RINGING_INCOMING","ringingRemote":false}],"participants":[{"participantId":"201","identity":{"id":{"phoneNumber":"201","loginName":"alice"},"displayName":"Alice Martin"}}]}`;
const removed = (i: number) => `{"eventName":"OnCallRemoved","loginName":"bob","callRef":"b${i}","cause":"ABANDONED"}`;

/** Raw line k of the stream: even = a call rings, odd = the caller gives up (3 normalized events per pair). */
const line = (k: number) => (k % 2 === 0 ? created(k >> 1) : removed(k >> 1));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function benchAleChannel(opts: { throughputEvents?: number; rate?: number; seconds?: number } = {}): Promise<Record<string, number | string>> {
  const total = opts.throughputEvents ?? 200_000;
  const rate = opts.rate ?? 5000;
  const seconds = opts.seconds ?? 4;
  const sim = await startSimulator();
  const conn = new AleConnection({ platform: 'opentouch', url: sim.url('opentouch'), login: 'bob', password: 'bob-pw', extra: { backoffInitialMs: 50 } });
  try {
    // A connection nobody listens to is a session only: listen first, so ready() means "subscribed and streaming".
    const offReady = conn.onEvent(() => undefined);
    await conn.ready();
    offReady();
    const fe = sim.frontEnds.opentouch;

    // ---- throughput ---------------------------------------------------------------------------------
    let normalized = 0;
    let rawSeen = 0;
    const off1 = conn.onEvent((e: PbxEvent) => {
      if (e.type === 'call.incoming' || e.type === 'call.ended') rawSeen++;
      if (e.type.startsWith('call.')) normalized++;
    });
    const t0 = performance.now();
    const BATCH = 500;
    for (let k = 0; k < total; k += BATCH) {
      const lines: string[] = [];
      for (let j = k; j < Math.min(total, k + BATCH); j++) lines.push(line(j));
      fe.replay(lines);
      // Let the client read while the server writes, as two processes would.
      if ((k / BATCH) % 8 === 7) await new Promise((r) => setImmediate(r));
    }
    while (rawSeen < total) {
      await new Promise((r) => setTimeout(r, 1));
      if (performance.now() - t0 > 120_000) break;
    }
    const elapsed = (performance.now() - t0) / 1000;
    off1();

    // ---- latency at a paced rate --------------------------------------------------------------------
    const base = total; // fresh call references
    const written = new Map<string, number>();
    const lat: number[] = [];
    const off2 = conn.onEvent((e: PbxEvent) => {
      if (e.type !== 'call.incoming' && e.type !== 'call.ended') return;
      const key = `${e.call!.id}|${e.type}`;
      const w = written.get(key);
      if (w !== undefined) {
        lat.push(performance.now() - w);
        written.delete(key);
      }
    });
    const n = rate * seconds;
    const start = performance.now();
    let k = 0;
    while (k < n) {
      const due = Math.min(n, Math.floor(((performance.now() - start) / 1000) * rate));
      const lines: string[] = [];
      for (; k < due; k++) {
        const j = base * 2 + k;
        lines.push(line(j));
        written.set(`b${j >> 1}|${j % 2 === 0 ? 'call.incoming' : 'call.ended'}`, performance.now());
      }
      if (lines.length) fe.replay(lines);
      await new Promise((r) => setTimeout(r, 1));
    }
    const t1 = performance.now();
    while (lat.length < n && performance.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 5));
    off2();
    const achieved = n / ((t1 - start) / 1000);
    lat.sort((a, b) => a - b);
    return {
      'ale.throughput.raw_events_per_s': Math.round(total / elapsed),
      'ale.throughput.normalized_events_per_s': Math.round(normalized / elapsed),
      'ale.throughput.raw_events': total,
      'ale.latency.rate_events_per_s': Math.round(achieved),
      'ale.latency.samples': lat.length,
      'ale.latency.p50_ms': Number(percentile(lat, 50).toFixed(3)),
      'ale.latency.p99_ms': Number(percentile(lat, 99).toFixed(3)),
      'ale.latency.max_ms': Number((lat[lat.length - 1] ?? NaN).toFixed(3)),
      'ale.decode_errors': conn.stats.decodeErrors,
      'ale.targets': 'throughput >= 20000 raw events/s; p99 <= 5 ms at 5000 events/s',
    };
  } finally {
    await conn.close();
    await sim.close();
  }
}

if (require.main === module) {
  benchAleChannel().then((r) => {
    for (const [k, v] of Object.entries(r)) process.stdout.write(`${k.padEnd(42)} ${v}\n`);
  }).catch((err: Error) => {
    process.stderr.write(`bench failed: ${err.message}\n`);
    process.exitCode = 1;
  });
}
