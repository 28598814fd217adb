/**
 * The simulator side of the scale benchmark: N users, calls between them, a restart with changes made while the
 * client is away. Runs in-process (the test) or in a child process (the benchmark, so the client's memory is
 * measured without the simulator's).
 */
import { startSimulator, type Simulator, type SimUser } from '../simulator';
import type { RecordedRequest } from '../simulator/frontends/ale/server';

export interface ScaleSim {
  url: string;
  /** Delay every REST answer by `ms`. */
  slow(ms: number): Promise<void>;
  /** `count` calls from user i to user i + N/2; every other one answered. */
  calls(count: number): Promise<void>;
  /** A server restart; while the client is away `end` live calls end and `add` new ones ring. Returns the ended refs. */
  restartWithChanges(end: number, add: number): Promise<Array<[login: string, ref: string]>>;
  /** Every monitored user's live call references as the PBX knows them. */
  live(): Promise<Array<[login: string, ref: string]>>;
  /** REST requests and logins the server has seen. */
  stats(): Promise<{ requests: number; logins: number }>;
  /** The last requests the server received (bounded). */
  requests(): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

export const ADMIN = { login: 'admin', password: 'admin-pw' };

export function scaleUsers(n: number): SimUser[] {
  const users: SimUser[] = [{ login: ADMIN.login, password: ADMIN.password, number: '', name: 'Administrator', devices: [], admin: true }];
  for (let i = 0; i < n; i++) {
    const number = String(100000 + i);
    users.push({ login: `u${i}`, password: 'pw', number, name: `User ${i}`, devices: [number] });
  }
  return users;
}

/** The commands on a simulator in this process. */
export async function localScaleSim(n: number): Promise<ScaleSim> {
  const sim: Simulator = await startSimulator({ users: scaleUsers(n), ringTimeoutMs: 3_600_000 });
  const fe = sim.frontEnds.o2g;
  const logins = sim.users.filter((u) => !u.admin).map((u) => u.login);
  let nextCaller = 0;
  const place = (count: number) => {
    for (let k = 0; k < count; k++, nextCaller++) {
      const from = nextCaller % Math.floor(n / 2);
      const ref = sim.pbx.makeCall(`u${from}`, String(100000 + from + Math.floor(n / 2)));
      if (k % 2 === 0) sim.pbx.answer(ref, `u${from + Math.floor(n / 2)}`);
    }
  };
  const live = (): Array<[string, string]> => {
    const out: Array<[string, string]> = [];
    for (const login of logins) for (const v of sim.pbx.viewsOf(login)) out.push([login, v.ref]);
    return out;
  };
  return {
    url: sim.url('o2g'),
    slow: async (ms) => fe.slowAnswers(ms),
    calls: async (count) => place(count),
    async restartWithChanges(end, add) {
      fe.restart();
      // Done in the same tick as the restart: the client has no subscription, it hears of these only by resync.
      const ended: Array<[string, string]> = [];
      const callers = sim.pbx.calls().slice(0, end);
      for (const c of callers) {
        const caller = c.parties.find((p) => p.login);
        if (!caller?.login || !caller.ref) continue;
        for (const p of c.parties) if (p.login && p.ref) ended.push([p.login, p.ref]);
        sim.pbx.hangUp(caller.ref, caller.login);
      }
      place(add);
      return ended;
    },
    live: async () => live(),
    stats: async () => ({ requests: fe.stats.requests, logins: fe.stats.logins }),
    requests: async () => [...fe.requests],
    close: () => sim.close(),
  };
}

type Command = { id: number; cmd: keyof ScaleSim; args: unknown[] };

/** Child-process entry: `fork(scale-sim, [N])`; answers `{ id, result | error }` to `{ id, cmd, args }`. */
if (require.main === module) {
  void (async () => {
    const sim = await localScaleSim(Number(process.argv[2] ?? 2000));
    process.send!({ id: 0, result: sim.url });
    process.on('message', async (m: Command) => {
      try {
        const f = sim[m.cmd] as (...a: unknown[]) => Promise<unknown>;
        const result = await f(...m.args);
        process.send!({ id: m.id, result });
        if (m.cmd === 'close') process.exit(0);
      } catch (err) {
        process.send!({ id: m.id, error: (err as Error).message });
      }
    });
  })();
}
