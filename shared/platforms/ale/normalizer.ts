/**
 * ALE normalizer: a decoded `On*` event in, platform-neutral observations out.
 * The one place that knows OpenTouch/O2G call semantics (leg states, causes, participants).
 */
import type { CallLogRecord, Party, PbxEvent, RouteInfo, RoutingInfo } from '../../model/events';
import type { CallObservation, Cause, LegState, Observation, Participant } from '../../model/observations';
import type { AleEvent } from './decoder';
import { agentInfoOf } from './operations/agent-state';
import type { PilotCalls } from './pilot-calls';
import { text } from '../../model/fields';

export type AlePlatform = 'opentouch' | 'o2g';

const LEG_STATES: Record<string, LegState> = {
  DIALING: 'dialing',
  ISSUED: 'dialing',
  OFF_HOOK: 'dialing',
  RINGING_OUTGOING: 'ringing_outgoing',
  RINGING_INCOMING: 'ringing_incoming',
  ACTIVE: 'active',
  HELD: 'held',
  RELEASING: 'releasing',
  // "Idle state, no activity on the media" (O2G SDK media-state.ts): the leg carries no call any more.
  IDLE: 'releasing',
  QUEUED: 'queued',
  QUEUED_INCOMING: 'queued',
  QUEUED_OUTGOING: 'ringing_outgoing',
};

const CAUSES: Record<string, Cause> = {
  ABANDONED: 'cleared',
  CLEARED: 'cleared',
  NORMAL: 'cleared',
  BUSY: 'busy',
  ALL_TRUNK_BUSY: 'busy',
  DO_NOT_DISTURB: 'busy',
  LOCKOUT: 'busy',
  CAMP_ON: 'other',
  INVALID_NUMBER: 'failed',
  DESTINATION_NOT_OBTAINABLE: 'failed',
  RESOURCES_NOT_AVAILABLE: 'failed',
  NO_AVAILABLE_AGENT: 'failed',
  FORWARDED: 'redirected',
  REDIRECTED: 'redirected',
  RELEASED_ON_REDIRECT: 'redirected',
  TRANSFERRED: 'transferred',
  RELEASED_ON_TRANSFER: 'transferred',
  CONFERENCED: 'conferenced',
  PARTICIPANT_LEFT: 'participant_left',
  NOT_ANSWERED: 'no_answer',
  OVERFLOWN: 'no_answer',
  PICKED_UP: 'picked_up',
  PICKED_UP_TANDEM: 'picked_up',
  PICKUP: 'picked_up',
  VOICEMAIL: 'voicemail',
  RECALL: 'recall',
  // O2G SDK call-cause.ts (CCD and others). DISTRIBUTED: the ACD gave the call to an agent (for the other agents
  // it rang, it was answered elsewhere). PARKED: the call left the user parked, for someone to take. CALL_BACK:
  // released on a call-back request (the callee was busy). SUPERVISOR_*: a supervisor joined the call.
  DISTRIBUTED: 'picked_up',
  PARKED: 'transferred',
  CALL_BACK: 'busy',
  SUPERVISOR_LISTENING: 'conferenced',
  SUPERVISOR_INTRUSION: 'conferenced',
  SUPERVISOR_RESTRICT_INTRUSION: 'conferenced',
  SUPERVISOR_RESTRICTED_INTRUSION: 'conferenced',
  ACD_ENTER_DISTRIBUTION: 'other',
  UNKNOWN: 'other',
};

// State names are a short closed list sent on every event: lower-case each once.
const LOWER = new Map<string, string>();
function lower(v: unknown): string {
  const text = typeof v === 'string' ? v : 'UNKNOWN';
  let out = LOWER.get(text);
  if (out === undefined) {
    out = text.toLowerCase();
    if (LOWER.size < 512) LOWER.set(text, out);
  }
  return out;
}

// Own keys only: a state or cause named `constructor` or `toString` must not find Object.prototype's members.
export const legState = (s: unknown): LegState => (typeof s === 'string' && Object.hasOwn(LEG_STATES, s) && LEG_STATES[s]) || 'unknown';
export const causeOf = (s: unknown): Cause | undefined =>
  typeof s === 'string' && s !== '' ? ((Object.hasOwn(CAUSES, s) && CAUSES[s]) || 'other') : undefined;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const arr = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export interface NormalizeContext {
  platform: AlePlatform;
  /** Clock for events without a time of their own. */
  now: () => number;
  /** Login to use when an event carries none (user session). */
  defaultUser?: string;
  /** Arrival times of calls waiting on pilots (waitSeconds, and one queue.joined per call); none: stateless. */
  pilotCalls?: PilotCalls;
  /** Pilot names by number, for `queue.name`. */
  pilotNames?: Record<string, string>;
}

export function normalizeAle(e: AleEvent, ctx: NormalizeContext): Observation[] {
  // Pilot events carry no loginName: they are the pilot's view (see pilotObservation).
  if (e.eventName.startsWith('OnPilotCall')) return pilotObservation(e, typeof e.time === 'number' ? e.time : ctx.now(), ctx);
  const user = e.loginName ?? ctx.defaultUser;
  if (!user) return [];
  const time = typeof e.time === 'number' ? e.time : ctx.now();
  const platform = ctx.platform;
  switch (e.eventName) {
    case 'OnCallCreated':
    case 'OnCallAppeared':
    case 'OnCallModified':
    case 'OnCallRemoved':
      return e.callRef ? withReplacement(callObservation(e, user, time, platform), e) : [];
    case 'OnUserStateModified': {
      const state = lower(e.state);
      return [{ kind: 'direct', time, key: state, onChangeOnly: true, raw: e, event: { type: 'user.state', platform, user, state } }];
    }
    case 'OnDeviceStateModified':
      return (arr(e.deviceStates) ?? []).flatMap((d): Observation[] => {
        const ds = obj(d);
        const device = str(ds?.deviceId);
        if (!device) return [];
        const state = lower(ds?.state);
        return [{ kind: 'direct', time, key: state, subject: device, onChangeOnly: true, raw: e, event: { type: 'device.state', platform, user, device, state } }];
      });
    case 'OnRoutingStateChanged': {
      const routing = routingInfo(obj(e.routingState) ?? e);
      return [{ kind: 'direct', time, key: JSON.stringify(routing), onChangeOnly: true, raw: e, event: { type: 'routing.changed', platform, user, routing } }];
    }
    case 'OnEventSummaryUpdated': {
      const s = obj(e.eventSummary) ?? {};
      const messages = {
        missedCalls: num(s.missedCallsNb),
        voicemailsUnread: num(s.voiceMessagesNb),
        callbackRequests: num(s.callBackRequestsNb),
        faxes: num(s.faxNb),
        // O2G SDK event-summary-counter.ts `newTextMessageCount`.
        textMessages: num(s.newTextNb),
        eventWaiting: typeof s.eventWaiting === 'boolean' ? s.eventWaiting : undefined,
      };
      return [{ kind: 'direct', time, key: JSON.stringify(messages), onChangeOnly: true, raw: e, event: { type: 'messages.changed', platform, user, messages } }];
    }
    case 'OnAgentStateChanged': {
      const { state, group } = agentInfoOf(obj(e.state) ?? e);
      return [{ kind: 'direct', time, key: `${state}|${group ?? ''}`, onChangeOnly: true, raw: e, event: { type: 'agent.state', platform, user, state, agent: { state, group } } }];
    }
    case 'OnTelephonyState':
      return [snapshotObservation(e, user, time, platform), ...snapshotStates(e, user, time, platform)];
    case 'OnComRecordCreated': {
      const record = callLogRecord(e.record, user);
      return record ? [{ kind: 'direct', time, key: record.recordId, raw: e, event: { type: 'callLog.created', platform, user, callLog: record } }] : [];
    }
    default:
      return [];
  }
}

/**
 * O2G CCD pilot events (package `pilot`): `{pilot, caller, callRef, cause}`; Queued adds `queue`,
 * `numberOfQueued`; Removed has `newDestination` (where the call went) and `releasingDevice` instead of `caller`.
 * Our spec lists the events only; these fields are the O2G SDKs' (their pilot event classes). The events name no
 * user: `user` is the pilot number (the queue's own view, as `user` is an extension elsewhere).
 * - Created (a call reached the pilot) and Queued (no agent free, so it waits) both mean `queue.joined`, once.
 * - Removed with DISTRIBUTED: `queue.answered`, the queue handed the call to the agent at `newDestination`
 *   (whose own call events follow); with ABANDONED: `queue.abandoned`, the caller gave up. Other causes (overflow,
 *   pilot closed) end the wait without either event: the call goes on elsewhere.
 */
function pilotObservation(e: AleEvent, time: number, ctx: NormalizeContext): Observation[] {
  const id = str(e.pilot) ?? str(e.pilotNumber);
  const callId = e.callRef;
  if (!id || !callId) return [];
  const queue: NonNullable<PbxEvent['queue']> = { id, callId };
  const name = ctx.pilotNames && Object.hasOwn(ctx.pilotNames, id) ? text(ctx.pilotNames[id]) : undefined;
  if (name) queue.name = name;
  const caller = typeof e.caller === 'string' ? (e.caller ? { number: e.caller } : undefined) : obj(e.caller) ? party(obj(e.caller)!) : undefined;
  if (caller) queue.caller = caller;
  let type: 'queue.joined' | 'queue.answered' | 'queue.abandoned';
  if (e.eventName === 'OnPilotCallRemoved') {
    const knownCaller = ctx.pilotCalls?.callerOf(id, callId);
    const wait = ctx.pilotCalls?.left(id, callId, time);
    const outcome = pilotRemoval(e, knownCaller);
    if (!outcome) return [];
    type = outcome;
    if (type === 'queue.answered') {
      const to = str(e.newDestination);
      if (to) queue.agent = { number: to };
    }
    if (!queue.caller && knownCaller) queue.caller = { number: knownCaller };
    if (wait !== undefined) queue.waitSeconds = wait;
  } else {
    if (ctx.pilotCalls && !ctx.pilotCalls.joined(id, callId, time, caller?.number || undefined)) return [];
    type = 'queue.joined';
  }
  return [{ kind: 'direct', time, key: `${type}|${callId}`, raw: e, event: { type, platform: ctx.platform, user: id, queue } }];
}

/**
 * What `OnPilotCallRemoved` means, by cause (O2G SDK call-cause.ts lists them; the event's fields are those of
 * cc-pilot-events.ts): the queue handed the call to an agent (DISTRIBUTED, PICKED_UP*), the caller gave up
 * (ABANDONED; CLEARED or NORMAL when the releasing device is the caller, or when nothing says where the call
 * went), or the call left the queue for somewhere else (REDIRECTED, FORWARDED, OVERFLOWN, TRANSFERRED, PARKED,
 * CALL_BACK, RESOURCES_NOT_AVAILABLE...: the wait ends without an answered/abandoned event; the call's own
 * events follow where it went).
 */
function pilotRemoval(e: AleEvent, knownCaller: string | undefined): 'queue.answered' | 'queue.abandoned' | undefined {
  const cause = typeof e.cause === 'string' ? e.cause : '';
  switch (cause) {
    case 'DISTRIBUTED':
    case 'PICKED_UP':
    case 'PICKED_UP_TANDEM':
      return 'queue.answered';
    case 'ABANDONED':
    case 'NOT_ANSWERED':
      return 'queue.abandoned';
    case 'CLEARED':
    case 'NORMAL':
    case '': {
      const releasing = str(e.releasingDevice);
      if (releasing && knownCaller) return releasing === knownCaller ? 'queue.abandoned' : undefined;
      // Unknown caller: released while waiting and sent nowhere is the caller hanging up.
      return str(e.newDestination) ? undefined : 'queue.abandoned';
    }
    default:
      return undefined;
  }
}

/** `replacedByCallRef` (O2G SDK OnCallModified): the call goes on under a new reference; the tracker follows it. */
function withReplacement(o: CallObservation, e: AleEvent): Observation[] {
  const next = str(e.replacedByCallRef);
  if (!next || next === o.callId) return [o];
  return [o, { kind: 'call', platform: o.platform, user: o.user, callId: next, time: o.time, previousCallId: o.callId, raw: e }];
}

/** O2G's TelephonicState also carries `userState` and `deviceStates` (SDK telephonic-state.ts): their events. */
function snapshotStates(e: AleEvent, user: string, time: number, platform: AlePlatform): Observation[] {
  const state = obj(e.state) ?? e;
  const out: Observation[] = [];
  const us = str(state.userState);
  if (us) out.push({ kind: 'direct', time, key: lower(us), onChangeOnly: true, raw: e, event: { type: 'user.state', platform, user, state: lower(us) } });
  for (const d of arr(state.deviceStates) ?? []) {
    const ds = obj(d);
    const device = str(ds?.deviceId);
    const st = str(ds?.state);
    if (device && st) out.push({ kind: 'direct', time, key: lower(st), subject: device, onChangeOnly: true, raw: e, event: { type: 'device.state', platform, user, device, state: lower(st) } });
  }
  return out;
}

/**
 * A `ComHistoryRecord` (spec comlog; O2G SDK comlog-types.ts) as a CallLogRecord; the user's own entry gives the
 * direction. The one reading of a record, for the `callLog.created` event and the List Call Log action alike.
 */
export function callLogRecord(value: unknown, user: string): CallLogRecord | undefined {
  const r = obj(value);
  if (!r) return undefined;
  const id = typeof r.recordId === 'number' && Number.isFinite(r.recordId) ? String(r.recordId) : str(r.recordId);
  if (!id) return undefined;
  const out: CallLogRecord = { recordId: id, parties: [] };
  const ref = str(r.comRef);
  if (ref) out.callId = ref;
  if (typeof r.acknowledged === 'boolean') out.acknowledged = r.acknowledged;
  const begin = isoOf(r.beginDate);
  if (begin) out.startedAt = begin;
  const end = isoOf(r.endDate);
  if (end) out.endedAt = end;
  for (const p of (arr(r.participants) ?? []).slice(0, 50)) {
    const po = obj(p);
    if (!po) continue;
    const pt: CallLogRecord['parties'][number] = party(obj(po.identity) ?? {});
    if (po.role === 'CALLER') pt.role = 'caller';
    else if (po.role === 'CALLEE') pt.role = 'callee';
    if (typeof po.answered === 'boolean') pt.answered = po.answered;
    out.parties.push(pt);
    if (pt.login === user && pt.role) {
      out.direction = pt.role === 'callee' ? 'incoming' : 'outgoing';
      if (pt.answered !== undefined) out.answered = pt.answered;
    }
  }
  return out;
}

function isoOf(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

function callObservation(e: AleEvent, user: string, time: number, platform: AlePlatform): CallObservation {
  const cd = obj(e.callData);
  const o: CallObservation = { kind: 'call', platform, user, callId: e.callRef!, time, raw: e };
  if (cd) {
    const uuid = str(cd.callUUID);
    if (uuid) o.globalId = uuid;
    if (cd.state !== undefined) o.callState = legState(cd.state);
  }
  const cause = causeOf(e.cause);
  if (cause) o.cause = cause;
  if (e.eventName === 'OnCallRemoved') {
    o.removed = true;
    const dest = str(e.newDestination);
    if (dest) o.newDestination = { number: dest };
    return o;
  }
  // Plain loops rather than spread/map/filter chains: this runs for every call event on the channel.
  const legs = collectLegs(e.modifiedLegs, collectLegs(e.addedLegs, collectLegs(e.legs, undefined)));
  if (legs) o.legs = legs;
  // The Node SDK reads `removedLeg`/`removedParticipants`; the Java SDK and the spec say `removedLegs`/`removedParticipantIds`.
  const removedLegs = collectDeviceIds(e.removedLeg, collectDeviceIds(e.removedLegs, undefined));
  if (removedLegs) o.removedLegs = removedLegs;
  if (e.participants !== undefined) {
    const list = participants(e.participants);
    if (e.eventName !== 'OnCallModified') o.participants = list;
    else if (list.length) o.addedParticipants = list;
  }
  if (e.addedParticipants !== undefined) {
    const added = participants(e.addedParticipants);
    if (added.length) o.addedParticipants = o.addedParticipants ? o.addedParticipants.concat(added) : added;
  }
  if (e.modifiedParticipants !== undefined) {
    const modified = participants(e.modifiedParticipants);
    if (modified.length) o.modifiedParticipants = modified;
  }
  if (e.removedParticipantIds !== undefined || e.removedParticipants !== undefined) {
    const removed: string[] = [];
    for (const list of [e.removedParticipantIds, e.removedParticipants]) if (Array.isArray(list)) for (const id of list) {
      const t = text(id);
      if (t) removed.push(t);
    }
    if (removed.length) o.removedParticipants = removed;
  }
  if (cd) {
    if (cd.anonymous === true) o.anonymous = true;
    const initial = initialCalled(cd);
    if (initial) o.initialCalled = initial;
    const caps = capabilities(cd);
    if (caps) o.capabilities = caps;
  }
  const prev = str(e.previousCallRef);
  if (prev) o.previousCallId = prev;
  return o;
}

/** Appends the legs of `v` to `out`, creating it only when there is one (most events carry none of a kind). */
function collectLegs(v: unknown, out: Array<{ device: string; state: LegState }> | undefined): Array<{ device: string; state: LegState }> | undefined {
  if (!Array.isArray(v)) return out;
  for (const l of v) {
    if (l && typeof l === 'object' && typeof (l as Obj).deviceId === 'string') {
      (out ??= []).push({ device: (l as Obj).deviceId as string, state: legState((l as Obj).state) });
    }
  }
  return out;
}

function collectDeviceIds(v: unknown, out: string[] | undefined): string[] | undefined {
  if (!Array.isArray(v)) return out;
  for (const l of v) {
    const d = typeof l === 'string' ? l : str(obj(l)?.deviceId);
    if (d) (out ??= []).push(d);
  }
  return out;
}

function snapshotObservation(e: AleEvent, user: string, time: number, platform: AlePlatform): Observation {
  const state = obj(e.state) ?? e;
  const calls = (arr(state.calls) ?? []).map(obj).filter((c): c is Obj => !!c && typeof c.callRef === 'string');
  return {
    kind: 'snapshot',
    platform,
    user,
    time,
    calls: calls.map((c) => callObservation({ ...c, eventName: 'OnCallCreated', loginName: user } as AleEvent, user, time, platform)),
  };
}

function participants(v: unknown): Participant[] {
  const out: Participant[] = [];
  if (!Array.isArray(v)) return out;
  for (const item of v) {
    const p = obj(item);
    if (!p) continue;
    const base = party(obj(p.identity) ?? {});
    const q: Participant = { id: text(p.participantId) ?? base.number, ...base };
    if (p.anonymous === true) q.anonymous = true;
    // A role, where the server gives one (as call-log records do), tells the call's direction.
    if (p.role === 'CALLER') q.role = 'caller';
    else if (p.role === 'CALLEE') q.role = 'callee';
    out.push(q);
  }
  return out;
}

/** A `PartyInfo` (`{ id: { loginName | login, phoneNumber }, displayName, firstName, lastName }`) as a Party. */
function party(identity: Obj): Party {
  const id = obj(identity.id) ?? {};
  const number = str(id.phoneNumber) ?? str(identity.phoneNumber) ?? '';
  const out: Party = { number };
  const login = str(id.loginName) ?? str(id.login);
  if (login) out.login = login;
  const display = str(identity.displayName);
  if (display) out.name = display;
  else {
    const first = str(identity.firstName);
    const last = str(identity.lastName);
    if (first || last) out.name = first && last ? `${first} ${last}` : (first ?? last)!;
  }
  return out;
}

function initialCalled(cd: Obj | undefined): Party | undefined {
  if (!cd) return undefined;
  const identity = obj(cd.initialCalledIdentity);
  if (identity) return party(identity);
  if (typeof cd.initialCalled === 'string') return { number: cd.initialCalled };
  const ic = obj(cd.initialCalled);
  return ic ? party(ic) : undefined;
}

const CAPA_CACHE = new Map<string, string[]>();

/** OpenTouch gives `{ transfer: true, ... }`; O2G's internal form gives `capaString: "a, b"`. */
function capabilities(cd: Obj | undefined): string[] | undefined {
  if (!cd) return undefined;
  if (typeof cd.capaString === 'string') {
    // A handful of distinct strings repeat on every event: split each once.
    let list = CAPA_CACHE.get(cd.capaString);
    if (!list) {
      list = cd.capaString.split(',').map((s) => s.trim()).filter(Boolean);
      if (CAPA_CACHE.size > 256) CAPA_CACHE.clear();
      CAPA_CACHE.set(cd.capaString, list);
    }
    return list;
  }
  const c = obj(cd.capabilities);
  if (!c) return undefined;
  return Object.keys(c).filter((k) => c[k] === true);
}

function routingInfo(rs: Obj): RoutingInfo {
  const fwd = obj(arr(rs.forwardRoutes)?.[0]);
  const ovf = obj(arr(rs.overflowRoutes)?.[0]);
  const route = (r: Obj | undefined, condition: unknown, fallback: string): RouteInfo | null => {
    const d = obj(arr(r?.destinations)?.[0]);
    if (!d) return null;
    const out: RouteInfo = { type: (text(d.type) ?? 'UNKNOWN').toLowerCase(), condition: (text(condition) ?? fallback).toLowerCase() };
    const number = str(d.number);
    if (number) out.destination = number;
    return out;
  };
  return {
    forward: route(fwd, fwd?.forwardType, 'IMMEDIATE'),
    overflow: route(ovf, ovf?.overflowType, 'NO_ANSWER'),
    dnd: obj(rs.dndState)?.activate === true,
  };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
