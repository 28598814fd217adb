/**
 * Scale, at test size: an administrator session monitoring 300 users while the simulator answers every REST
 * request after 20 ms. One user at a time that is 300 x 20 ms = 6 s of resync after every restart; with the
 * bounded concurrency (16 in flight) it is well under a second. Every call live on the PBX must be reported once
 * and none twice, and the calls ended while the client was away must end once.
 */
import { localScaleSim } from '../../bench/scale-sim';
import { runScale } from '../../bench/scale';
import { AleConnection } from '../../shared/platforms/ale/connection';
import type { PbxEvent } from '../../shared/model/events';

const USERS = 300;
const ANSWER_MS = 20;
/** One user at a time would need at least this long for the resync alone. */
const SEQUENTIAL_MS = USERS * ANSWER_MS;
/** The target, 2 000 users within 5 s, scaled to 300 users. */
const PROPORTIONAL_MS = (5000 * USERS) / 2000;
/** The reconnect's two back-off steps at 1/10 scale (at most 50 + 100 ms) and slack for a loaded machine. */
const FIXED_MS = 150 + 1000;

describe('300 monitored users, 20 ms per answer', () => {
  it('connected again after a restart in a fraction of the one-at-a-time time, each live call reported once', async () => {
    const sim = await localScaleSim(USERS);
    try {
      const r = await runScale(sim, { users: USERS, answerMs: ANSWER_MS, calls: 60, endDuringOutage: 10, addDuringOutage: 10, extra: { backoffInitialMs: 50, backoffMaxMs: 500 } });
      console.log(`300 users at 20 ms: first connected ${r.firstConnectMs} ms, again after a restart ${r.reconnectMs} ms (${r.requestsForReconnect} requests)`);
      // 300 users within 750 ms (the 2 000-in-5-s target scaled), plus the back-off and slack; one at a time: 6 s.
      expect(r.firstConnectMs).toBeLessThan(PROPORTIONAL_MS + FIXED_MS);
      expect(r.reconnectMs).toBeLessThan(PROPORTIONAL_MS + FIXED_MS);
      expect(PROPORTIONAL_MS + FIXED_MS).toBeLessThan(SEQUENTIAL_MS / 3);
      expect(r.liveCalls).toBe(120); // 60 calls, 2 parties: 60 - 10 ended + 10 new
      expect(r.reportedOnce).toBe(r.liveCalls);
      expect(r.duplicates).toBe(0);
      expect(r.missing).toBe(0);
      expect(r.extra).toBe(0);
      expect(r.endedDuringOutage).toBe(20);
      expect(r.endedOnce).toBe(r.endedDuringOutage);
      // Per user one resync request and (in the background, once per session) one user look-up, plus the login and
      // subscription: nothing per user twice.
      expect(r.requestsForReconnect).toBeLessThan(2 * USERS + 40);
    } finally {
      await sim.close();
    }
  });

  it('splits the selectors into slices when asked (extra.subscriptionIdsPerSelector) and events flow for every slice', async () => {
    const sim = await localScaleSim(USERS);
    const users = Array.from({ length: USERS }, (_, i) => `u${i}`);
    const conn = new AleConnection({ platform: 'o2g', url: sim.url, login: 'admin', password: 'admin-pw', sessionKind: 'admin', users, extra: { subscriptionIdsPerSelector: 100 } });
    const events: PbxEvent[] = [];
    conn.onEvent((e) => events.push(e));
    try {
      await conn.ready(20_000);
      await sim.calls(150); // callers u0..u149, callees u150..u299: every slice has users with calls
      const t0 = Date.now();
      while (new Set(events.filter((e) => e.type === 'call.incoming' || e.type === 'call.outgoing').map((e) => e.user)).size < 300) {
        if (Date.now() - t0 > 15_000) throw new Error('call events missing for some slice');
        await new Promise((r) => setTimeout(r, 20));
      }
      const subs = (await sim.requests()).filter((q) => q.method === 'POST' && q.path.endsWith('/subscriptions'));
      expect(subs).toHaveLength(1);
      const selectors = (subs[0]!.body as { filter: { selectors: Array<{ ids: string[]; names: string[] }> } }).filter.selectors;
      const telephony = selectors.filter((s) => s.names.includes('telephony'));
      expect(telephony.map((s) => s.ids.length)).toEqual([100, 100, 100]);
      expect(new Set(telephony.flatMap((s) => s.ids)).size).toBe(300);
      expect(selectors.every((s) => s.ids.length <= 100)).toBe(true);
    } finally {
      await conn.close();
      await sim.close();
    }
  });
});
