/**
 * TelServices normalizer: a decoded `TelServiceEvent` (or a `snapshot` result) for one monitored device in,
 * platform-neutral observations out. The one place that knows TelServices call semantics.
 *
 * A `call` event carries a `primCall` and an optional `secCall` (the consultation) under one `id`, and neither has
 * its own identity unless the server adds a `callReference`. So the normalizer keeps, per device, which calls it
 * follows and matches each reported call to one of them: by `callReference`, else by the other party's number,
 * else by slot (the number fills in after `initiated`, changes on a transfer). A followed call that a later event
 * or snapshot no longer reports has ended. Calls that ended a moment ago ignore late (reordered) datagrams, and so
 * does a call whose end came first (UDP reordered `cleared` before `alerting`): the end of a call never seen leaves
 * a mark, not a call. The calls followed per device and in all are capped: a server (or a forger) naming ever new
 * calls costs a warning, not memory.
 */
import type { Party, PbxEvent, RouteInfo, RoutingInfo } from '../../model/events';
import type { CallObservation, Cause, LegState, Observation, Participant } from '../../model/observations';
import type { SessionEventName } from './schema';
import type { OnOff, TsAgent, TsCall, TsCallInfo, TsEvent, TsForward, TsParty, TsSnapshot } from './types';

const PLATFORM = 'telservices' as const;

const LEG: Record<string, LegState> = {
  initiated: 'dialing',
  originated: 'dialing',
  delivered: 'ringing_outgoing',
  alerting: 'ringing_incoming',
  connected: 'active',
  hold: 'held',
};

const CAUSE: Record<string, Cause> = {
  busy: 'busy',
  conference: 'conferenced',
  destNotObtainable: 'failed',
  droppedByOtherParty: 'cleared',
  redirect: 'redirected',
  route: 'redirected',
  transfer: 'transferred',
  normal: 'cleared',
};

/** Agent states in ALE's words where one means the same (`log_off`, `ready`, `pause`, `wrapup`...). */
export const AGENT_STATE: Record<string, string> = {
  null: 'unknown',
  loggedOff: 'log_off',
  loggedOn: 'log_on',
  busy: 'busy',
  notReady: 'pause',
  ready: 'ready',
  workingAfterCall: 'wrapup',
};

const STARTING = new Set(['initiated', 'originated', 'alerting', 'queued']);

/** Late datagrams about a call that ended this recently are ignored (UDP may reorder). */
const LATE_MS = 3000;
/** Ended calls remembered per device (late datagrams are matched against them). */
const ENDED_KEPT = 32;
/** Keys of ended calls remembered per device (a reference back after its end gets a new key). */
const KEYS_KEPT = 1000;

interface Followed {
  key: string;
  slot: 'prim' | 'sec';
  ref?: string;
  number: string;
  incoming: boolean;
  state: string;
  /** When an event last spoke of it (a snapshot asked for before then is older news). */
  lastAt: number;
}

interface Ended {
  key: string;
  ref?: string;
  callId: string;
  number: string;
  at: number;
  /** Its end was the first we heard of it: even a "starting" datagram about it is late. */
  unseen?: boolean;
}

interface DeviceState {
  calls: Map<string, Followed[]>;
  /** Calls followed (the sum of the lists in `calls`). */
  count: number;
  ended: Ended[];
  forwards: Map<string, TsForward>;
  dnd: boolean;
  seq: number;
  /** Keys of calls that ended lately (bounded): a call that comes back to the device is a new call, with a new key. */
  endedKeys: Set<string>;
  baselined?: boolean;
  /** A cause to give the next call that leaves without one (we diverted or transferred it). */
  departure?: { cause: Cause; at: number; destination?: string };
}

export interface SessionSignal {
  device: string;
  session: SessionEventName | (string & {});
  time: number;
}

export interface Normalized {
  observations: Observation[];
  /** First known feature states (the first snapshot of a device): the tracker learns them, nothing is announced. */
  baseline?: Observation[];
  sessions: SessionSignal[];
  /** The event suggests events were lost (a call jumped or vanished): snapshot the device. */
  gap: boolean;
}

export interface NormalizerLimits {
  /** Most calls followed per device. Default 50. */
  maxCallsPerDevice?: number;
  /** Most calls followed over all devices. Default 1000. */
  maxCalls?: number;
  /** Told when a call is not followed because a cap is reached (the caller rate-limits it). */
  onLimit?: (message: string) => void;
}

const anonymousNumber = (n: string): boolean => n.startsWith('*****');

export class TelServicesNormalizer {
  private readonly devices = new Map<string, DeviceState>();
  private readonly maxPerDevice: number;
  private readonly maxCalls: number;
  /** Calls followed over all devices. */
  private total = 0;
  /** Calls not followed because a cap was reached. */
  refused = 0;

  constructor(private readonly now: () => number = Date.now, private readonly limits: NormalizerLimits = {}) {
    this.maxPerDevice = Math.max(1, limits.maxCallsPerDevice ?? 50);
    this.maxCalls = Math.max(1, limits.maxCalls ?? 1000);
  }

  /** Calls followed over all devices (tests, the keep-alive). */
  get size(): number {
    return this.total;
  }

  /** One event for `device` (its `deviceNumber`, or the device of the UDP port it came to). */
  event(e: TsEvent, device: string, time = this.now()): Normalized {
    const out: Normalized = { observations: [], sessions: [], gap: false };
    const d = this.dev(device);
    const ev = e.event;
    switch (ev.name) {
      case 'call':
        this.call(ev.value, device, d, time, out, false);
        break;
      case 'forward':
        d.forwards.set(ev.value.type, ev.value);
        out.observations.push(this.routing(device, d, time, e));
        break;
      case 'doNotDisturb':
        d.dnd = ev.value === 'on';
        out.observations.push(this.routing(device, d, time, e));
        break;
      case 'msgWaiting':
        out.observations.push(messages(device, ev.value, time, e));
        break;
      case 'agent':
        out.observations.push(agent(device, ev.value, time, e));
        break;
      case 'session':
        out.sessions.push({ device, session: ev.value, time });
        break;
      default:
        break; // an event type the spec does not define: nothing to say
    }
    return out;
  }

  /** A `snapshot` result for `device`: the calls as they are now (a SnapshotObservation) and the feature states. */
  snapshot(s: TsSnapshot, device: string, time = this.now(), askedAt = Infinity): Normalized {
    const out: Normalized = { observations: [], sessions: [], gap: false };
    const d = this.dev(device);
    const calls: CallObservation[] = [];
    // Calls an event spoke of after the snapshot was asked for are newer than it says: they stay as they are.
    const fresh: Array<[string, Followed]> = [];
    for (const [id, list] of d.calls) for (const f of list) if (f.lastAt > askedAt) fresh.push([id, f]);
    const keep = new Set(fresh.map(([, f]) => f));
    if (s.calls) {
      const seen = new Set<string>();
      for (const c of s.calls) {
        seen.add(c.id);
        const part: Normalized = { observations: [], sessions: [], gap: false };
        this.call(c, device, d, time, part, true);
        for (const o of part.observations) if (o.kind === 'call' && !o.removed) calls.push(o);
      }
      // Call ids the snapshot no longer lists are over: forget them (the tracker ends them as outage).
      for (const id of [...d.calls.keys()]) if (!seen.has(id)) this.forget(d, id, time, keep);
      for (const [id, f] of fresh) {
        const list = d.calls.get(id) ?? [];
        if (!list.includes(f)) this.setCalls(d, id, [...list, f]);
        if (!calls.some((o) => o.callId === f.key)) calls.push({ kind: 'call', platform: PLATFORM, user: device, callId: f.key, time });
      }
      out.observations.push({ kind: 'snapshot', platform: PLATFORM, user: device, time, calls });
    }
    this.features(s, device, d, time, out);
    return out;
  }

  /**
   * A long-poll answer (`snapshot` with `resultOnEvent`), where snapshots are the event stream: the calls are
   * compared with the previous answer as events would be, so a call gone unanswered is missed, not an outage.
   */
  poll(s: TsSnapshot, device: string, time = this.now()): Normalized {
    const out: Normalized = { observations: [], sessions: [], gap: false };
    const d = this.dev(device);
    const ids = new Set<string>();
    for (const c of s.calls ?? []) {
      ids.add(c.id);
      this.call(c, device, d, time, out, false);
    }
    if (s.calls) for (const id of [...d.calls.keys()]) if (!ids.has(id)) this.call({ id }, device, d, time, out, false);
    out.gap = false;
    this.features(s, device, d, time, out);
    return out;
  }

  private features(s: TsSnapshot, device: string, d: DeviceState, time: number, normalized: Normalized): void {
    // The first snapshot of a device sets what later changes are measured against: no event for it.
    const out = d.baselined ? normalized : { observations: (normalized.baseline ??= []), sessions: normalized.sessions };
    d.baselined = true;
    if (s.forwards) {
      d.forwards.clear();
      for (const f of s.forwards) d.forwards.set(f.type, f);
    }
    if (s.doNotDisturb) d.dnd = s.doNotDisturb === 'on';
    if (s.forwards || s.doNotDisturb) out.observations.push(this.routing(device, d, time, s));
    if (s.msgWaiting) out.observations.push(messages(device, s.msgWaiting, time, s));
    if (s.agent) out.observations.push(agent(device, s.agent, time, s));
    if (s.session) out.sessions.push({ device, session: s.session, time });
  }

  /** We asked the PBX to move a call away (divert, transfer): its departure is not a missed call. */
  expectDeparture(device: string, cause: Cause, destination?: string): void {
    this.dev(device).departure = { cause, at: this.now(), destination };
  }

  /** The device's calls as followed (for tests and the keep-alive's gap check). */
  followed(device: string): number {
    return this.devices.get(device)?.count ?? 0;
  }

  // ---- calls ------------------------------------------------------------------------------------------

  private call(c: TsCall, device: string, d: DeviceState, time: number, out: Normalized, fromSnapshot: boolean): void {
    const infos: Array<['prim' | 'sec', TsCallInfo]> = [];
    if (c.primCall) infos.push(['prim', c.primCall]);
    if (c.secCall) infos.push(['sec', c.secCall]);
    const tracked = d.calls.get(c.id) ?? [];
    const matched = new Set<Followed>();
    const next: Followed[] = [];
    let created = 0;
    // Exposed as TelServices names them (`answerCall`, `transferCall`...), as ALE exposes its own capability names.
    const capabilities = c.permittedServices;
    for (const [slot, info] of infos) {
      const number = info.otherParty?.number ?? '';
      const ref = info.callReference || undefined;
      let f = this.match(tracked, matched, slot, info, number, ref);
      const terminal = info.state === 'cleared' || info.state === 'failed';
      if (!f) {
        // A reordered datagram about a call that just ended; a call that starts again (it came back to this device
        // after a transfer or a divert) is new, unless its end came first.
        if (this.late(d, c.id, ref, number, time, STARTING.has(info.state))) continue;
        if (terminal) {
          // The end of a call never seen creates nothing; its earlier datagrams, if they come late, neither.
          if (!fromSnapshot) this.remember(d, { key: '', ref, callId: c.id, number, at: time, unseen: true });
          continue;
        }
        if (!this.room(d, created, device)) {
          out.gap = true; // a snapshot says which calls are real (the keep-alive's pace caps it)
          continue;
        }
        created++;
        f = { key: this.newKey(device, d, c.id, ref), slot, ref, number, incoming: info.isOutgoing === false || info.state === 'alerting', state: info.state, lastAt: fromSnapshot ? -Infinity : time };
        // A call first seen past its start (connected, held...): its earlier datagrams were lost.
        if (!fromSnapshot && !STARTING.has(info.state) && info.state !== 'delivered') out.gap = true;
      }
      matched.add(f);
      if (!fromSnapshot) f.lastAt = time;
      const prevNumber = f.number;
      const prevState = f.state;
      f.slot = slot;
      f.state = info.state;
      if (ref) f.ref = ref;
      if (number) f.number = number;
      const o = this.observation(f, info, device, time, prevNumber, capabilities, c);
      if (terminal) {
        o.removed = true;
        const hinted = this.departureCause(d, time, o);
        if (!hinted && info.cause === 'redirect' && f.incoming && prevState === 'alerting') this.forwardedOnNoAnswer(d, o);
        o.cause = o.cause ?? (info.state === 'failed' ? 'failed' : hinted);
        this.ended(d, f, c.id, time);
      } else next.push(f);
      out.observations.push(o);
    }
    // Followed calls this event no longer mentions are gone (cleared without a last event, or merged away).
    for (const f of tracked) {
      if (matched.has(f)) continue;
      if (fromSnapshot) continue; // the snapshot's own reconciliation ends them
      const o: CallObservation = { kind: 'call', platform: PLATFORM, user: device, callId: f.key, time, removed: true };
      const cause = this.departureCause(d, time, o);
      if (cause) o.cause = cause;
      out.observations.push(o);
      this.ended(d, f, c.id, time);
    }
    this.setCalls(d, c.id, next);
  }

  /** Room for one more call on the device (`created`: already made by the event being read)? */
  private room(d: DeviceState, created: number, device: string): boolean {
    const full = d.count + created >= this.maxPerDevice ? `device ${device} already has ${this.maxPerDevice} calls`
      : this.total + created >= this.maxCalls ? `the connection already follows ${this.maxCalls} calls` : undefined;
    if (!full) return true;
    this.refused++;
    this.limits.onLimit?.(`a call is not followed: ${full} (the most kept; the next snapshot reconciles)`);
    return false;
  }

  private setCalls(d: DeviceState, id: string, list: Followed[]): void {
    const before = d.calls.get(id)?.length ?? 0;
    if (list.length) d.calls.set(id, list);
    else d.calls.delete(id);
    d.count += list.length - before;
    this.total += list.length - before;
  }

  private match(tracked: Followed[], matched: Set<Followed>, slot: string, info: TsCallInfo, number: string, ref?: string): Followed | undefined {
    const free = tracked.filter((t) => !matched.has(t));
    if (ref) {
      const byRef = free.find((t) => t.ref === ref);
      if (byRef) return byRef;
      if (free.some((t) => t.ref)) return undefined;
    }
    if (number) {
      const byNumber = free.find((t) => t.number === number);
      if (byNumber) return byNumber;
    }
    const bySlot = free.find((t) => t.slot === slot);
    if (bySlot && (!bySlot.number || !number || info.cause === 'transfer' || info.cause === 'redirect' || info.cause === 'route')) return bySlot;
    // The consultation became the primary call when the first one ended.
    if (slot === 'prim' && free.length === 1 && free[0].slot === 'sec' && (!number || free[0].number === number)) return free[0];
    return undefined;
  }

  private observation(f: Followed, info: TsCallInfo, device: string, time: number, prevNumber: string, capabilities: readonly string[] | undefined, raw: TsCall): CallObservation {
    const o: CallObservation = { kind: 'call', platform: PLATFORM, user: device, callId: f.key, time, raw };
    // The server's call reference is the same on every device the call reaches: follow-up correlates by it.
    if (f.ref) o.callKey = f.ref;
    const leg = LEG[info.state] ?? (info.state === 'queued' ? (f.incoming ? 'queued' : 'ringing_outgoing') : undefined);
    if (leg) o.legs = [{ device, state: leg }];
    o.direction = f.incoming ? 'incoming' : 'outgoing';
    const number = info.otherParty?.number ?? '';
    if (number) {
      const p: Participant = { id: number, ...party(info.otherParty!) };
      if (anonymousNumber(number)) {
        p.anonymous = true;
        p.number = '';
        o.anonymous = true;
      }
      if (prevNumber && prevNumber !== number) {
        o.removedParticipants = [prevNumber];
        o.addedParticipants = [p];
      } else o.participants = [p];
      if (info.addedParties?.length) {
        const more = info.addedParties.map((q) => ({ id: q.number, ...party(q) }));
        if (o.participants) o.participants.push(...more);
        else o.addedParticipants = [...(o.addedParticipants ?? []), ...more];
      }
    }
    if (info.firstCalledParty?.number) o.initialCalled = party(info.firstCalledParty);
    else if (!f.incoming && number && !anonymousNumber(number)) o.initialCalled = party(info.otherParty!);
    if (info.cause) {
      const cause = CAUSE[info.cause];
      if (cause) o.cause = cause;
    }
    if (info.isConference && !o.cause) o.cause = 'conferenced';
    if (capabilities) o.capabilities = capabilities as string[];
    return o;
  }

  private departureCause(d: DeviceState, time: number, o: CallObservation): Cause | undefined {
    const dep = d.departure;
    if (!dep || time - dep.at > 10_000) return undefined;
    d.departure = undefined;
    if (dep.destination) o.newDestination = { number: dep.destination };
    return dep.cause;
  }

  /**
   * A ringing call leaves the device with cause `redirect` and we did not divert it: the PBX diverted it. TelServer
   * reports a diversion with cause "redirect" and names the diverting party only on the device the call reaches
   * (`lastRedirectionParty`, TS "Call" parameters and examples 5-6, TS:L1793, L2237-2312); the diverting device's
   * own event does not say where the call went. With a forward on no answer on for the device (its `forward`
   * events and snapshot `forwards`, TS A.8.12/A.8.18), that forward is what took it: the call rang here unanswered
   * and went on to the forward's number, so the end can wait for the outcome there (shared/tracker/forward-hold.ts).
   * Limit: a user diverting the ringing call by hand while such a forward is on reads the same.
   */
  private forwardedOnNoAnswer(d: DeviceState, o: CallObservation): void {
    const number = [...d.forwards.values()].find((f) => f.state === 'on' && f.number && conditionOf(f.type) === 'no_answer')?.number;
    if (!number) return;
    o.cause = 'no_answer';
    o.newDestination = { number };
  }

  private newKey(device: string, d: DeviceState, id: string, ref?: string): string {
    if (!ref) return `${device}-${id}-${++d.seq}`;
    // The same reference back on the device (transferred back to it after a redirect): a new call, since the
    // tracker remembers the old one as ended and would take the new one's news for late news of it.
    const key = `${device}-${ref}`;
    return d.endedKeys.has(key) ? `${key}-${++d.seq}` : key;
  }

  private ended(d: DeviceState, f: Followed, callId: string, time: number): void {
    this.remember(d, { key: f.key, ref: f.ref, callId, number: f.number, at: time });
    d.endedKeys.delete(f.key);
    d.endedKeys.add(f.key);
    if (d.endedKeys.size > KEYS_KEPT) d.endedKeys.delete(d.endedKeys.values().next().value as string);
  }

  private remember(d: DeviceState, e: Ended): void {
    d.ended.push(e);
    if (d.ended.length > ENDED_KEPT) d.ended.shift();
  }

  /** A datagram about a call that ended a moment ago (`starting`: only a call whose end came first counts). */
  private late(d: DeviceState, callId: string, ref: string | undefined, number: string, time: number, starting: boolean): boolean {
    for (const e of d.ended) {
      if (time - e.at > LATE_MS || (starting && !e.unseen)) continue;
      // A mark left by an end that came first may lack the number the late datagram carries.
      if (ref ? e.ref === ref : e.callId === callId && (!number || e.number === number || (e.unseen && !e.number))) return true;
    }
    return false;
  }

  private forget(d: DeviceState, id: string, time: number, keep?: Set<Followed>): void {
    for (const f of d.calls.get(id) ?? []) if (!keep?.has(f)) this.ended(d, f, id, time);
    this.setCalls(d, id, []);
  }

  private dev(device: string): DeviceState {
    let d = this.devices.get(device);
    if (!d) this.devices.set(device, (d = { calls: new Map(), count: 0, ended: [], forwards: new Map(), dnd: false, seq: 0, endedKeys: new Set() }));
    return d;
  }

  // ---- routing ----------------------------------------------------------------------------------------

  private routing(device: string, d: DeviceState, time: number, raw: unknown): Observation {
    const routing = routingInfo([...d.forwards.values()], d.dnd);
    return { kind: 'direct', time, key: JSON.stringify(routing), onChangeOnly: true, raw, event: { type: 'routing.changed', platform: PLATFORM, user: device, routing } };
  }
}

function party(p: TsParty): Party {
  const out: Party = { number: p.number };
  if (p.name) out.name = p.name;
  return out;
}

const conditionOf = (type: string): 'immediate' | 'busy' | 'no_answer' =>
  type.startsWith('imm') ? 'immediate' : type.startsWith('busy') ? 'busy' : 'no_answer';

/** The active forwards of a device as the shared RoutingInfo: immediate first, else busy/no-answer (merged). */
export function routingInfo(forwards: TsForward[], dnd: boolean): RoutingInfo {
  const on = forwards.filter((f) => f.state === 'on');
  const route = (f: TsForward, condition: string): RouteInfo => {
    const r: RouteInfo = { type: 'number', condition };
    if (f.number) r.destination = f.number;
    return r;
  };
  const imm = on.find((f) => conditionOf(f.type) === 'immediate');
  const busy = on.find((f) => conditionOf(f.type) === 'busy');
  const noAnswer = on.find((f) => conditionOf(f.type) === 'no_answer');
  let forward: RouteInfo | null = null;
  if (imm) forward = route(imm, 'immediate');
  else if (busy && noAnswer && busy.number === noAnswer.number) forward = route(busy, 'busy_no_answer');
  else if (busy) forward = route(busy, 'busy');
  else if (noAnswer) forward = route(noAnswer, 'no_answer');
  return { forward, overflow: null, dnd };
}

function messages(device: string, v: OnOff, time: number, raw: unknown): Observation {
  const m: PbxEvent['messages'] = { messageWaiting: v === 'on' };
  return { kind: 'direct', time, key: v, onChangeOnly: true, raw, event: { type: 'messages.changed', platform: PLATFORM, user: device, messages: m } };
}

function agent(device: string, a: TsAgent, time: number, raw: unknown): Observation {
  const state = AGENT_STATE[a.state] ?? a.state.toLowerCase();
  const group = a.inboundServices?.[0];
  const info: NonNullable<PbxEvent['agent']> = { state };
  if (group) info.group = group;
  return { kind: 'direct', time, key: `${state}|${group ?? ''}`, onChangeOnly: true, raw, event: { type: 'agent.state', platform: PLATFORM, user: device, state, agent: info } };
}
