/**
 * Scale: one administrator session monitoring N users, the simulator answering every REST request after a delay.
 * Measures the time to the first `connected`, the time back to `connected` after a server restart (with calls
 * ended and started while the client was away), the memory per idle monitored user, and checks that every call
 * live on the PBX is reported once and none twice.
 *
 * `npm run bench` runs it with 2 000 users at 20 ms per answer (simulator in a child process, so the client's heap
 * is measured alone); `SCALE_USERS`, `SCALE_ANSWER_MS`, `SCALE_CONCURRENCY` change that.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { ConnectionConfig } from '../shared/connection/types';
import type { PbxEvent } from '../shared/model/events';
import { AleConnection } from '../shared/platforms/ale/connection';
import { ADMIN, localScaleSim, type ScaleSim } from './scale-sim';

export interface ScaleOptions {
  users: number;
  answerMs: number;
  /** Live calls placed before the restart. */
  calls: number;
  /** Calls ended and started while the client is away. */
  endDuringOutage: number;
  addDuringOutage: number;
  /** `extra.resyncConcurrency`; undefined: the connection's default. */
  concurrency?: number;
  /** Measure the heap (needs --expose-gc and a simulator in another process). */
  memory?: boolean;
  /** More `ConnectionConfig.extra` settings (a test's shorter back-off). */
  extra?: Record<string, unknown>;
}

export interface ScaleResult {
  firstConnectMs: number;
  reconnectMs: number;
  /** Heap growth of the connected, idle connection divided by the users (bytes); undefined when not measured. */
  bytesPerIdleUser?: number;
  liveCalls: number;
  /** Live calls whose start (call.incoming / call.outgoing) was reported exactly once. */
  reportedOnce: number;
  /** (user, call) pairs whose start was reported more than once. */
  duplicates: number;
  /** Live calls the client does not show after the resync, and calls it shows that the PBX has not. */
  missing: number;
  extra: number;
  /** Calls ended during the outage reported ended exactly once. */
  endedOnce: number;
  endedDuringOutage: number;
  requestsForReconnect: number;
  logins: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

function heap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

export async function runScale(sim: ScaleSim, o: ScaleOptions): Promise<ScaleResult> {
  const users = Array.from({ length: o.users }, (_, i) => `u${i}`);
  const config: ConnectionConfig = {
    platform: 'o2g', url: sim.url, login: ADMIN.login, password: ADMIN.password, sessionKind: 'admin', users, requestTimeoutMs: 30_000,
    extra: { ...(o.extra ?? {}), ...(o.concurrency !== undefined ? { resyncConcurrency: o.concurrency } : {}) },
  };
  await sim.slow(o.answerMs);
  if (o.memory) {
    // A first, small connection, closed again: what the process allocates once (modules' first use, compiled
    // code) is not counted against the users of the measured one.
    const warm = new AleConnection({ ...config, users: users.slice(0, 50) });
    warm.onEvent(() => undefined);
    await warm.ready();
    await until(() => users.slice(0, 50).every((u) => warm.selfParty(u) !== undefined), 60_000, 'warm-up look-ups');
    await warm.close();
  }
  const heap0 = o.memory ? heap() : 0;
  const t0 = Date.now();
  const conn = new AleConnection(config);
  const events: PbxEvent[] = [];
  conn.onEvent((e) => events.push(e));
  try {
    await conn.ready();
    const firstConnectMs = Date.now() - t0;
    let bytesPerIdleUser: number | undefined;
    if (o.memory) {
      // The user look-ups run in the background: wait for the last one before weighing.
      await until(() => users.every((u) => conn.selfParty(u) !== undefined), 120_000, 'user look-ups');
      events.length = 0;
      bytesPerIdleUser = Math.round((heap() - heap0) / o.users);
    }

    await sim.calls(o.calls);
    const expectStarts = (await sim.live()).length;
    await until(() => events.filter((e) => e.type === 'call.incoming' || e.type === 'call.outgoing').length >= expectStarts, 30_000, 'call events before the restart');

    const before = await sim.stats();
    let reconnecting = false;
    const off = conn.onState((s) => {
      if (s.state !== 'connected') reconnecting = true;
    });
    const ended = await sim.restartWithChanges(o.endDuringOutage, o.addDuringOutage);
    const t1 = Date.now();
    await until(() => reconnecting, 30_000, 'the restart to be noticed');
    await until(() => conn.state === 'connected', 300_000, 'connected after the restart');
    const reconnectMs = Date.now() - t1;
    off();
    const after = await sim.stats();

    const live = await sim.live();
    const starts = new Map<string, number>();
    const ends = new Map<string, number>();
    for (const e of events) {
      if (!e.call) continue;
      const key = `${e.user}|${e.call.id}`;
      if (e.type === 'call.incoming' || e.type === 'call.outgoing') starts.set(key, (starts.get(key) ?? 0) + 1);
      if (e.type === 'call.ended' || e.type === 'call.missed') ends.set(key, (ends.get(key) ?? 0) + 1);
    }
    const liveKeys = new Set(live.map(([u, ref]) => `${u}|${ref}`));
    let shown = 0;
    let extra = 0;
    for (const u of users) {
      for (const c of conn.pipeline.tracker.callsOf(u)) {
        shown++;
        if (!liveKeys.has(`${u}|${c.id}`)) extra++;
      }
    }
    return {
      firstConnectMs,
      reconnectMs,
      bytesPerIdleUser,
      liveCalls: live.length,
      reportedOnce: live.filter(([u, ref]) => starts.get(`${u}|${ref}`) === 1 && !ends.has(`${u}|${ref}`)).length,
      duplicates: [...starts.values()].filter((n) => n > 1).length,
      missing: live.length - (shown - extra),
      extra,
      endedOnce: ended.filter(([u, ref]) => ends.get(`${u}|${ref}`) === 1).length,
      endedDuringOutage: ended.length,
      requestsForReconnect: after.requests - before.requests,
      logins: after.logins,
    };
  } finally {
    await conn.close();
  }
}

/** The simulator in a child process (same commands, over IPC). */
export async function childScaleSim(n: number): Promise<ScaleSim> {
  const ts = __filename.endsWith('.ts');
  const child = fork(join(__dirname, ts ? 'scale-sim.ts' : 'scale-sim.js'), [String(n)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const started = new Promise<string>((resolve, reject) => {
    pending.set(0, { resolve: (v) => resolve(v as string), reject });
    child.once('exit', (code) => reject(new Error(`simulator process exited (${code})`)));
  });
  child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.result);
  });
  const call = <T>(cmd: keyof ScaleSim, ...args: unknown[]) => new Promise<T>((resolve, reject) => {
    const id = ++seq;
    pending.set(id, { resolve: (v) => resolve(v as T), reject });
    child.send({ id, cmd, args });
  });
  const url = await started;
  return {
    url,
    slow: (ms) => call('slow', ms),
    calls: (count) => call('calls', count),
    restartWithChanges: (end, add) => call('restartWithChanges', end, add),
    live: () => call('live'),
    stats: () => call('stats'),
    requests: () => call('requests'),
    close: async () => {
      const gone = new Promise((r) => child.once('exit', r));
      await call('close').catch(() => undefined);
      await gone;
    },
  };
}

/** For `bench/run.ts`. */
export async function benchScale(): Promise<Record<string, number | string>> {
  const users = Number(process.env.SCALE_USERS ?? 2000);
  const answerMs = Number(process.env.SCALE_ANSWER_MS ?? 20);
  const concurrency = process.env.SCALE_CONCURRENCY ? Number(process.env.SCALE_CONCURRENCY) : undefined;
  const memory = typeof (globalThis as { gc?: unknown }).gc === 'function';
  const sim = await childScaleSim(users);
  try {
    const r = await runScale(sim, { users, answerMs, calls: Math.min(200, Math.floor(users / 4)), endDuringOutage: 20, addDuringOutage: 20, concurrency, memory });
    return {
      [`users (admin session), ms per REST answer`]: `${users}, ${answerMs}`,
      'first connected (ms)': r.firstConnectMs,
      'connected again after a restart (ms)': r.reconnectMs,
      'REST requests for that reconnect': r.requestsForReconnect,
      'heap per idle monitored user (bytes, incl. connection)': r.bytesPerIdleUser ?? '(run with --expose-gc)',
      'live calls after the restart / reported once': `${r.liveCalls} / ${r.reportedOnce}`,
      'duplicate call starts': r.duplicates,
      'calls missing / extra after resync': `${r.missing} / ${r.extra}`,
      'ended during the outage / reported ended once': `${r.endedDuringOutage} / ${r.endedOnce}`,
    };
  } finally {
    await sim.close();
  }
}

if (require.main === module) {
  benchScale().then((rows) => {
    for (const [k, v] of Object.entries(rows)) process.stdout.write(`${k.padEnd(48)} ${v}\n`);
  }, (err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  });
}

export { localScaleSim };
