/**
 * Voicenter benchmark: (1) the pipeline (event array -> normalize -> tracker -> events) against JSON.parse of the
 * same payloads, in the same run; (2) live socket.io events from the simulator to the client on loopback:
 * throughput, and latency at a steady 2 000 events/s. Run by `npm run bench` (bench/run.ts) or on its own:
 * `node --expose-gc dist/bench/voicenter.js` from the project root.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PbxEvent } from '../shared/model/events';
import { VoicenterConnection } from '../shared/platforms/voicenter/module';
import { VoicenterPipeline } from '../shared/platforms/voicenter/pipeline';
import { startSimulator } from '../simulator';
import { latencyRows, paced, printFigures, runIfMain, waitForCount } from './live';
import { measureVsParse } from './pipeline';

type Payload = Record<string, unknown> & { data: Record<string, unknown> & { currentCall: Record<string, unknown> } };

function docExamples(): Map<string, [string, Payload]> {
  const rel = ['test', 'fixtures', 'voicenter', 'doc-examples.json'];
  const file = [join(__dirname, '..', '..', ...rel), join(__dirname, '..', ...rel), join(process.cwd(), ...rel)].find((f) => existsSync(f));
  if (!file) throw new Error('bench: test/fixtures/voicenter/doc-examples.json not found (run from the project root)');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { examples: Array<{ name: string; event: [string, Payload] }> };
  return new Map(doc.examples.map((e) => [e.name, e.event]));
}

/** The doc's call sequences (incoming answered, click-to-call, a queue call) with a new ivrid and extension per call. */
function makeLines(calls: number): string[] {
  const ex = docExamples();
  const seqs = [
    ['incoming-newcall', 'incoming-answer', 'incoming-hangup'],
    ['c2c-leg1-newcall', 'c2c-leg1-answer', 'c2c-leg2-newcall', 'c2c-leg2-answer', 'c2c-leg2-hangup'],
    ['queue-join', 'queue-exit'],
  ].map((s) => s.map((n) => JSON.stringify(ex.get(n))));
  const out: string[] = [];
  for (let i = 0; i < calls; i++) {
    const id = `bench${i.toString(36).padStart(10, '0')}`;
    const ext = String(1_000_000 + (i % 200));
    for (const l of seqs[i % seqs.length]) {
      out.push(l.replace(/"(202012021122010135330b4f77|20201200013quvnhxku5v|2020082015645675456434324949c071d)"/g, `"${id}"`)
        .replace(/"number":\s*1234567/g, `"number":${ext}`));
    }
  }
  return out;
}

export function benchVoicenterPipeline(calls = 3_000, rounds = 30): Record<string, number | string> {
  return measureVsParse(makeLines(calls), () => new VoicenterPipeline(), rounds);
}

/** One answered call as three ExtensionEvents, each stamped with its send time (carried to the event's `call.extra`). */
function callEvents(ex: Map<string, [string, Payload]>, i: number): Payload[] {
  return ['incoming-newcall', 'incoming-answer', 'incoming-hangup'].map((n) => {
    const p = structuredClone(ex.get(n)![1]);
    p.data.number = 201;
    p.data.currentCall.ivrid = `live${i}`;
    return p;
  });
}

export async function benchVoicenterLive(events = 60_000, steadyRate = 2_000, steadySeconds = 5): Promise<Record<string, number | string>> {
  const sim = await startSimulator({ voicenter: { socketVersion: '2', servers: 1 } });
  const vc = sim.voicenter;
  if (!vc) {
    await sim.close();
    return { skipped: sim.voicenterSkipped ?? 'no Voicenter front-end' };
  }
  const ex = docExamples();
  const conn = new VoicenterConnection({ platform: 'voicenter', url: vc.loginUrl, login: vc.credentials.account.username, password: vc.credentials.account.password, extra: { loginType: 'account', serverUrl: vc.socketUrls[0] } });
  let received = 0;
  const latencies: number[] = [];
  let measure = false;
  conn.onEvent((e: PbxEvent) => {
    if (!e.type.startsWith('call.')) return;
    received++;
    if (measure) {
      const sent = (e.call?.extra?.customdata as { sentAt?: number } | undefined)?.sentAt;
      if (typeof sent === 'number') latencies.push(performance.now() - sent);
    }
  });
  try {
    await conn.ready(10_000);
    const waitFor = (n: number) => waitForCount(() => received, n, 'events', 2);
    // Throughput: as fast as the server can send, in bursts so its socket writes can drain.
    const calls = Math.ceil(events / 3);
    const batch = Array.from({ length: calls }, (_v, i) => callEvents(ex, i)).flat();
    const t0 = performance.now();
    for (let i = 0; i < batch.length; i++) {
      vc.send('ExtensionEvent', batch[i]);
      if (i % 500 === 499) await new Promise((r) => setImmediate(r));
    }
    await waitFor(batch.length);
    const secs = (performance.now() - t0) / 1000;
    // Latency at a steady rate: every 10 ms, rate/100 events stamped with their send time.
    const perTick = Math.max(1, Math.round(steadyRate / 100));
    const ticks = steadySeconds * 100;
    const base = received;
    measure = true;
    let sent = 0;
    await paced(10, (t) => t < ticks, () => {
      for (let k = 0; k < perTick; k++) {
        const evs = callEvents(ex, calls + sent);
        const p = evs[sent % 3];
        (p.data.currentCall as Record<string, unknown>).customdata = { sentAt: performance.now() };
        // one call per three events: NEWCALL, ANSWER, HANGUP of the same ivrid in turn
        (p.data.currentCall as Record<string, unknown>).ivrid = `steady${Math.floor(sent / 3)}`;
        vc.send('ExtensionEvent', p);
        sent++;
      }
    });
    await waitFor(base + sent);
    return {
      'events (throughput run)': batch.length,
      'events/s simulator -> client (target >= 10 000)': Math.round(batch.length / secs),
      [`steady rate events/s`]: steadyRate,
      ...latencyRows(latencies),
    };
  } finally {
    await conn.close();
    await sim.close();
  }
}

/** Both Voicenter benchmarks, printed (bench/run.ts calls this). */
export async function benchVoicenter(): Promise<void> {
  printFigures('Voicenter pipeline vs JSON.parse (same payloads, the doc\'s call sequences)', benchVoicenterPipeline());
  printFigures('Voicenter live socket.io events on loopback (simulator 2.x server -> client)', await benchVoicenterLive());
}

runIfMain(module, benchVoicenter);
