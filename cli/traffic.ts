/**
 * `pbxflow simulate --traffic`: calls the way people make them (answered, missed, transferred, through the Support
 * queue, from outside), driven on the virtual PBX so that `listen`, a flow or a workflow has something to react to.
 * Each call narrates itself in one line. The demo's own generator (examples/demo/traffic.ts) is not shipped in the
 * package and needs the demo's extra users; this one needs only the simulator's default users. Its loop (`runScenarios`,
 * `attempt`) takes any list of calls, so the demo can run its own plot on it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { SimUser, VirtualPbx } from '../simulator';
import { simFeatures } from '../simulator/frontends/ale/operation-routes';
import { trafficSwitch, type TrafficState } from '../simulator/web/traffic-switch';

export interface TrafficOptions {
  pbx: VirtualPbx;
  say(line: string): void;
  /** Aborted on Ctrl-C: every pause ends at once. */
  signal: AbortSignal;
  /** Scales every pause (tests run faster). */
  pace?: number;
  /** Start paused: no call until the phones page's switch resumes the traffic (`--paused`). */
  paused?: boolean;
}

/** The Support pilot every simulator has, and the agent the generator logs on to it. */
export const SUPPORT = { number: '5000', name: 'Support', group: '5000' };

/** One kind of call, narrated by `run` itself. */
export interface Scenario { name: string; run(): Promise<unknown> }

/** Who is in the PBX (a user the simulator was started without is skipped, with its scenarios). */
function people(pbx: VirtualPbx): Record<'alice' | 'bob' | 'carol', SimUser> | undefined {
  const get = (l: string) => pbx.user(l);
  const [alice, bob, carol] = [get('alice'), get('bob'), get('carol')];
  return alice && bob && carol ? { alice, bob, carol } : undefined;
}

function scenarios(o: TrafficOptions): Scenario[] {
  const { pbx } = o;
  const p = people(pbx);
  if (!p) throw new Error('the traffic needs the simulator\'s default users (alice, bob, carol)');
  const pause = (ms: number) => delay(ms * (o.pace ?? 1), undefined, { signal: o.signal });
  const first = (u: { name: string }) => u.name.split(' ')[0];
  const [A, B, C] = [first(p.alice), first(p.bob), first(p.carol)];
  const agents = simFeatures(pbx).agents;
  return [
    {
      name: 'answered call',
      async run() {
        o.say(`${A} calls ${B} (${p.bob.number}); he answers, they talk, ${A} hangs up`);
        const ref = pbx.makeCall(p.alice.login, p.bob.number);
        await pause(1500);
        pbx.answer(ref, p.bob.login);
        await pause(2000);
        pbx.hangUp(ref, p.alice.login);
      },
    },
    {
      name: 'missed call',
      async run() {
        o.say(`${C} calls ${A} (${p.alice.number}) and hangs up before she answers (a missed call)`);
        const ref = pbx.makeCall(p.carol.login, p.alice.number);
        await pause(2500);
        pbx.callerHangsUp(ref);
      },
    },
    {
      name: 'transfer',
      async run() {
        o.say(`${A} calls ${B}; ${B} puts her on hold, asks ${C}, and transfers ${A} to ${C}`);
        const firstCall = pbx.makeCall(p.alice.login, p.bob.number);
        await pause(1000);
        pbx.answer(firstCall, p.bob.login);
        await pause(1000);
        pbx.hold(firstCall, p.bob.login);
        const consult = pbx.makeCall(p.bob.login, p.carol.number);
        await pause(1000);
        pbx.answer(consult, p.carol.login);
        await pause(1000);
        pbx.transfer(consult, firstCall, p.bob.login);
        await pause(1500);
        pbx.hangUp(consult, p.carol.login);
      },
    },
    {
      name: 'queued call',
      async run() {
        o.say(`${B} calls ${SUPPORT.name} (${SUPPORT.number}); ${C}, the agent, answers`);
        // Logged on (ready) for this call: an agent the user logged off or paused meanwhile is put back.
        agents.logon(p.carol.login, p.carol.devices[0], SUPPORT.group);
        const ref = pbx.makeCall(p.bob.login, SUPPORT.number);
        await pause(1500);
        pbx.answer(ref, p.carol.login);
        await pause(2000);
        pbx.hangUp(ref, p.carol.login);
      },
    },
    {
      name: 'call from outside',
      async run() {
        o.say(`An outside caller (0612345678) calls ${B}; nobody answers, the caller gives up`);
        const ref = pbx.callFromOutside('0612345678', p.bob.number, { name: 'Outside caller' });
        await pause(2500);
        pbx.callerHangsUp(ref);
      },
    },
  ];
}

/**
 * Runs one call. One that cannot go as planned (someone forwarded their phone from the phones page, a ring
 * timeout) is told, not thrown; false then.
 */
export async function attempt(o: TrafficOptions, name: string, run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (err) {
    if (!o.signal.aborted) o.say(`(${name} did not go as planned: ${(err as Error).message})`);
    return false;
  }
}

/**
 * Runs the calls one after the other, `gapMs` (scaled by `pace`) apart, until the signal aborts. While the PBX's
 * traffic switch is paused (the phones page, `--paused`) no new call starts; a call under way plays to its end.
 */
export async function runScenarios(o: TrafficOptions, list: Scenario[], gapMs = 3000): Promise<void> {
  const traffic = trafficSwitch(o.pbx);
  let paused = traffic.paused || o.paused === true;
  const told = (s: TrafficState) => {
    if (s.paused === paused || o.signal.aborted) return;
    paused = s.paused;
    o.say(paused ? 'paused: no new calls until the traffic is resumed (the phones page\'s switch)' : 'resumed');
  };
  if (paused) o.say('paused from the start: no calls until the traffic is resumed (the phones page\'s switch)');
  const detach = traffic.attach(o.paused === true);
  traffic.on('change', told);
  try {
    for (let i = 0; !o.signal.aborted && list.length > 0; i = (i + 1) % list.length) {
      await traffic.whileRunning(o.signal);
      if (o.signal.aborted) break;
      await attempt(o, list[i].name, () => list[i].run());
      await delay(gapMs * (o.pace ?? 1), undefined, { signal: o.signal }).catch(() => undefined);
    }
  } finally {
    traffic.off('change', told);
    detach();
  }
}

/** The CLI's traffic: the calls above, on the simulator's default users, until the signal aborts. */
export function runTraffic(o: TrafficOptions): Promise<void> {
  return runScenarios(o, scenarios(o));
}
