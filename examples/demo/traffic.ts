/**
 * The traffic generator: drives the virtual PBX the way people would (who calls whom, who answers, who gives up),
 * so the flows have something to react to. Each scenario narrates itself in one line.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { VirtualPbx } from '../../simulator';
import { FREEPBX_COMPANY, FREEPBX_SALES, TELSERVER_COMPANY } from '../../simulator/pbx/cast';
import type { SimRingGroup } from '../../simulator/pbx/types';
import { simFeatures } from '../../simulator/frontends/ale/operation-routes';
import { SUPPORT, attempt, runScenarios, type TrafficOptions } from '../../cli/traffic';

// The loop that runs calls one after the other and tells a call that did not go as planned is the CLI's
// (`pbxflow simulate --traffic`); the demo runs its own plot on it.
export { attempt };

// The demo's people are the simulator's one company (`pbxflow simulate` shows the same).
export { ALE_COMPANY, DEMO_EXTRA_USERS, FREEPBX_COMPANY, FREEPBX_SALES, TELSERVER_COMPANY } from '../../simulator/pbx/cast';
/** The customer who calls the FreePBX company's Sales line. */
export const FREEPBX_CUSTOMER = '0655512345';
/**
 * The ALE company's front desk: a ring group ringing Bob and Carol at once, for 5 s (the demo's own group: a
 * customer's call nobody answered makes one ticket, however many phones it rang; Bob calling back closes it).
 */
export const FRONT_DESK: SimRingGroup = { number: '200', name: 'Front desk', members: ['bob', 'carol'], strategy: 'ringall', ringMs: 5000 };
/** The customer who calls the front desk. */
export const ALE_CUSTOMER = '0655500001';
/** The demo's queue: the simulator's CCD pilot "Support", whose calls go to the agents of processing group 5000. */
export const SUPPORT_PILOT = SUPPORT;
/** Dave is the Support agent (logged on from his desk phone). */
export const SUPPORT_AGENT = { login: 'dave', device: '204' };

/** Logs Dave on as a ready agent of the Support group. */
export function startSupportAgent(pbx: VirtualPbx): void {
  simFeatures(pbx).agents.logon(SUPPORT_AGENT.login, SUPPORT_AGENT.device, SUPPORT_PILOT.group);
}

/** The pbx, the narrator, Ctrl-C's signal, and a pace for every pause (the --once script runs faster). */
export type TrafficContext = TrafficOptions;

const pause = (ctx: TrafficContext, ms: number) => delay(ms * (ctx.pace ?? 1), undefined, { signal: ctx.signal });

/**
 * Where the PBX sends a user's calls right now: the number of an immediate forward to a number, or undefined.
 * The scripts plan with the routing the demo itself sets (the calendar flow forwards Alice while "Out of office").
 */
function forwardedTo(pbx: VirtualPbx, login: string): string | undefined {
  const f = pbx.routing(login).forward;
  return f && f.condition === 'immediate' && f.destination !== 'voicemail' ? f.destination : undefined;
}

/** Dave calls Alice; she answers (or, while she is out of office, her mobile does); they talk; it ends. */
export async function answeredCall(ctx: TrafficContext): Promise<void> {
  const away = forwardedTo(ctx.pbx, 'alice');
  ctx.say(away ? `Dave calls Alice, who is out of office: her mobile (${away}) answers` : 'Dave calls Alice; she answers');
  const ref = ctx.pbx.makeCall('dave', '201');
  await pause(ctx, 1000);
  ctx.pbx.answer(ref, away ? undefined : 'alice');
  await pause(ctx, 1500);
  ctx.pbx.hangUp(ref, away ? 'dave' : 'alice');
}

/** Carol calls Bob (both his devices ring) and gives up before he answers: a missed call, so a ticket. */
export async function abandonedCall(ctx: TrafficContext): Promise<void> {
  ctx.say('Carol calls Bob and hangs up before he answers (missed call -> ticket)');
  const ref = ctx.pbx.makeCall('carol', '202');
  await pause(ctx, 2000);
  ctx.pbx.callerHangsUp(ref);
}

/** Alice calls Bob; Bob puts her on hold, asks Carol, and transfers Alice to Carol (attended transfer). */
export async function transferredCall(ctx: TrafficContext): Promise<void> {
  ctx.say('Alice calls Bob; Bob transfers her to Carol');
  const first = ctx.pbx.makeCall('alice', '202');
  await pause(ctx, 800);
  ctx.pbx.answer(first, 'bob');
  await pause(ctx, 1000);
  ctx.pbx.hold(first, 'bob');
  const consult = ctx.pbx.makeCall('bob', '203');
  await pause(ctx, 800);
  ctx.pbx.answer(consult, 'carol');
  await pause(ctx, 800);
  ctx.pbx.transfer(consult, first, 'bob');
  await pause(ctx, 1500);
  ctx.pbx.hangUp(consult, 'carol');
}

/**
 * Bob calls Alice. While her calendar says "Out of office" the PBX forwards the call to her mobile (an outside
 * number), which answers; otherwise Alice answers at her desk.
 */
export async function callToAlice(ctx: TrafficContext, mobile: string): Promise<boolean> {
  const forwarded = forwardedTo(ctx.pbx, 'alice') === mobile;
  ctx.say(forwarded ? `Bob calls Alice, who is out of office: the PBX forwards the call to ${mobile}` : 'Bob calls Alice');
  const ref = ctx.pbx.makeCall('bob', '201');
  await pause(ctx, 1000);
  ctx.pbx.answer(ref, forwarded ? undefined : 'alice');
  await pause(ctx, 1500);
  ctx.pbx.hangUp(ref, 'bob');
  return forwarded;
}

/** Carol calls Support: Dave, the ready agent, gets the call and answers (queue.joined, queue.answered). */
export async function queuedCallAnswered(ctx: TrafficContext): Promise<void> {
  ctx.say(`Carol calls ${SUPPORT_PILOT.name} (${SUPPORT_PILOT.number}); Dave, the agent, answers`);
  const ref = ctx.pbx.makeCall('carol', SUPPORT_PILOT.number);
  await pause(ctx, 1000);
  ctx.pbx.answer(ref, SUPPORT_AGENT.login);
  await pause(ctx, 1500);
  ctx.pbx.hangUp(ref, SUPPORT_AGENT.login);
}

/**
 * Dave is on a break; Bob calls Support, waits in the queue and gives up (queue.joined, queue.abandoned): the
 * O2G connection logs it, the Voicenter account makes a ticket of it.
 */
export async function queuedCallAbandoned(ctx: TrafficContext): Promise<void> {
  const agents = simFeatures(ctx.pbx).agents;
  ctx.say(`Dave takes a break; Bob calls ${SUPPORT_PILOT.name}, waits in the queue and hangs up (abandoned in the queue -> ticket, over Voicenter)`);
  agents.setActivity(SUPPORT_AGENT.login, 'paused');
  try {
    const ref = ctx.pbx.makeCall('bob', SUPPORT_PILOT.number);
    await pause(ctx, 2000);
    ctx.pbx.callerHangsUp(ref);
  } finally {
    agents.setActivity(SUPPORT_AGENT.login, 'ready');
  }
}

/**
 * TelServer company: Erin calls Frank, who does not answer; she gives up (missed call -> ticket, over TelServices).
 * Frank, not Erin: Erin's line follows her calendar and may be forwarded to her mobile.
 */
export async function telServerMissedCall(ctx: TrafficContext): Promise<void> {
  const frank = TELSERVER_COMPANY[1];
  ctx.say(`TelServer: Erin calls Frank (${frank.number}) and hangs up before he answers (missed call -> ticket)`);
  const ref = ctx.pbx.makeCall('erin', frank.number);
  await pause(ctx, 2000);
  ctx.pbx.callerHangsUp(ref);
}

/** TelServer company: Frank calls Erin; she answers, or her mobile does while her calendar says "Out of office". */
export async function telServerAnsweredCall(ctx: TrafficContext): Promise<void> {
  const erin = TELSERVER_COMPANY[0];
  const away = forwardedTo(ctx.pbx, erin.login);
  ctx.say(away ? `TelServer: Frank calls Erin, who is out of office: her mobile (${away}) answers` : 'TelServer: Frank calls Erin; she answers');
  const ref = ctx.pbx.makeCall('frank', erin.number);
  await pause(ctx, 1000);
  ctx.pbx.answer(ref, away ? undefined : erin.login);
  await pause(ctx, 1500);
  ctx.pbx.hangUp(ref, 'frank');
}

/** A customer calls a ring group; every member's phone rings, nobody answers, the group gives up after its ring time. */
async function groupCallNobodyAnswers(ctx: TrafficContext, customer: string, group: SimRingGroup): Promise<void> {
  const ref = ctx.pbx.callFromOutside(customer, group.number);
  // The group's own ring time ends it; the caller hangs up if it somehow still rings well after.
  const giveUpAt = Date.now() + (group.ringMs ?? ctx.pbx.ringTimeoutMs) + 3000;
  while (ctx.pbx.calls().some((c) => c.id === ref)) {
    if (Date.now() > giveUpAt) {
      ctx.pbx.callerHangsUp(ref);
      break;
    }
    await delay(100, undefined, { signal: ctx.signal });
  }
}

/** A user calls a customer back; the customer answers; they talk; it ends (call.returned closes the ticket). */
async function callBack(ctx: TrafficContext, login: string, customer: string): Promise<void> {
  const ref = ctx.pbx.makeCall(login, customer);
  await pause(ctx, 1000);
  ctx.pbx.answer(ref); // the outside party answers
  await pause(ctx, 1500);
  ctx.pbx.hangUp(ref, login);
}

/** ALE company: a customer calls the front desk (200: Bob and Carol ring at once); nobody answers: one ticket. */
export async function frontDeskUnansweredCall(ctx: TrafficContext): Promise<void> {
  ctx.say(`a customer (${ALE_CUSTOMER}) calls the ${FRONT_DESK.name} (ring group ${FRONT_DESK.number}: Bob and Carol ring at once); nobody answers (one ticket for the call)`);
  await groupCallNobodyAnswers(ctx, ALE_CUSTOMER, FRONT_DESK);
}

/** ALE company: Bob calls the front desk's customer back (what the phones page lets you do by hand). */
export async function bobCallsBack(ctx: TrafficContext): Promise<void> {
  ctx.say(`Bob calls the customer (${ALE_CUSTOMER}) back; the customer answers (ticket closed)`);
  await callBack(ctx, 'bob', ALE_CUSTOMER);
}

/**
 * FreePBX company: a customer calls the Sales ring group (400); Gina's and Hugo's phones ring at once, nobody
 * answers, the group gives up after its ring time: two missed calls (one per member), one ticket (over Asterisk AMI).
 */
export async function freepbxGroupMissedCall(ctx: TrafficContext): Promise<void> {
  ctx.say(`FreePBX: a customer (${FREEPBX_CUSTOMER}) calls ${FREEPBX_SALES.name} (ring group ${FREEPBX_SALES.number}: Gina and Hugo ring at once); nobody answers (one ticket for the call)`);
  await groupCallNobodyAnswers(ctx, FREEPBX_CUSTOMER, FREEPBX_SALES);
}

/** FreePBX company: Gina calls the Sales customer back (ticket closed, over Asterisk AMI). */
export async function ginaCallsBack(ctx: TrafficContext): Promise<void> {
  ctx.say(`FreePBX: Gina calls the customer (${FREEPBX_CUSTOMER}) back; the customer answers (ticket closed)`);
  await callBack(ctx, FREEPBX_COMPANY[0].login, FREEPBX_CUSTOMER);
}

/** The interactive demo's endless traffic, until the signal aborts. */
export async function trafficLoop(ctx: TrafficContext, mobile: string): Promise<void> {
  await runScenarios(ctx, [
    { name: 'answered call', run: () => answeredCall(ctx) },
    { name: 'abandoned call', run: () => abandonedCall(ctx) },
    { name: 'call to Alice', run: () => callToAlice(ctx, mobile) },
    { name: 'transfer', run: () => transferredCall(ctx) },
    { name: 'queued call', run: () => queuedCallAnswered(ctx) },
    { name: 'abandoned queued call', run: () => queuedCallAbandoned(ctx) },
    { name: 'TelServer missed call', run: () => telServerMissedCall(ctx) },
    { name: 'TelServer answered call', run: () => telServerAnsweredCall(ctx) },
    { name: 'front desk call nobody answered', run: () => frontDeskUnansweredCall(ctx) },
    { name: 'FreePBX ring-group call', run: () => freepbxGroupMissedCall(ctx) },
  ], 4000);
}
