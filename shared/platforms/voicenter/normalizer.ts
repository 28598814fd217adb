/**
 * Voicenter normalizer: a decoded socket.io event in, platform-neutral observations out. The one place that knows
 * the Real Time API's call semantics. The tracker alone decides answered, missed and ended.
 *
 * - The user of an event is the extension (`number`, else the SIP user `extenUser`); a call is its `ivrid`.
 * - `reason`, `eventName` and `servertime` sit inside `data` in the doc's call examples and at the top level in
 *   its userStatusUpdate and QueueEvent examples (and the SDK's store reads the top level): both are accepted.
 * - The call an event is about is `currentCall` (`calls` lists every active call and is empty on HANGUP).
 * - Click-to-call: both legs share one `ivrid` on the agent's extension and are one outgoing call. Leg 1 rings the
 *   agent (its ANSWER means the agent picked up, the customer is not reached yet); leg 2 dials the customer and its
 *   ANSWER is the call's answer.
 * - HANGUP: `cause` "Answered elsewhere" (a ring-group sibling took it) is not a missed call; "Call Rejected"
 *   (leg 1 not answered) and "Normal hangup" on an unanswered incoming call are.
 */
import { DecodeError } from '../../errors';
import type { Party, PbxEvent } from '../../model/events';
import { bool, int, isRecord, list, nonEmpty, text } from '../../model/fields';
import type { CallObservation, Cause, LegState, Observation, Participant, SnapshotObservation } from '../../model/observations';
import type { QueueWaits, VoicenterCallState, VoicenterCalls } from './call-state';
import { asSent, type PayloadClock, type ServerClock } from './clock';
import type { VoicenterEvent } from './decoder';
import { statusName } from './statuses';

export interface VoicenterContext {
  /** Receive time, for events whose `servertime` is missing or implausible. */
  now: () => number;
  calls: VoicenterCalls;
  queues: QueueWaits;
  /** Extensions seen so far: an extension missing from a later AllExtensionsStatus has no calls any more. */
  extensions: Set<string>;
  /** The live client's calibrated reading of the server's epochs (clock.ts); without it, epochs are read as sent. */
  clock?: ServerClock;
}

/** The clock of one payload: `servertime` / `servertimeoffset` at its top level, else inside `data`. */
function clockOf(ctx: VoicenterContext, p: Obj, data?: Obj): PayloadClock {
  const st = p.servertime ?? data?.servertime;
  return ctx.clock ? ctx.clock.read(st, p.servertimeoffset ?? data?.servertimeoffset) : asSent(st, ctx.now());
}

type Obj = Record<string, unknown>;
type Direction = 'incoming' | 'outgoing' | 'click2call' | 'spy';

const PLATFORM = 'voicenter' as const;
/** Reasons as sent, so the common case needs no upper-casing per event. */
const REASONS: Record<string, string> = { NEWCALL: 'NEWCALL', ANSWER: 'ANSWER', HOLD: 'HOLD', UNHOLD: 'UNHOLD', HANGUP: 'HANGUP', userStatusUpdate: 'USERSTATUSUPDATE' };
/** Largest id Voicenter numbers (extension, user, queue, campaign) are believed to be. */
const MAX_ID = 1e12;

export function normalizeVoicenter(e: VoicenterEvent, ctx: VoicenterContext): Observation[] {
  switch (e.name) {
    case 'ExtensionEvent': return extensionEvent(e.payload, ctx);
    case 'QueueEvent': return queueEvent(e.payload, ctx);
    case 'AllExtensionsStatus': return allExtensions(e.payload, ctx);
    case 'loginStatus': return loginStatus(e.payload, ctx);
    default: return []; // loginSuccess, keepaliveResponse, DialerEvent...: no call or agent news
  }
}

// ---- ExtensionEvent --------------------------------------------------------------------------------------

function extensionEvent(p: Obj, ctx: VoicenterContext): Observation[] {
  const data = p.data;
  if (!isRecord(data)) throw new DecodeError('ExtensionEvent without a data object');
  const reason = text(p.reason, 64) ?? text(data.reason, 64);
  if (!reason) throw new DecodeError('ExtensionEvent without a reason');
  const user = extensionOf(data);
  if (!user) throw new DecodeError(`ExtensionEvent ${reason} without an extension number`);
  const time = clockOf(ctx, p, data).time;
  const r = REASONS[reason] ?? reason.toUpperCase();
  if (r === 'USERSTATUSUPDATE') {
    const status = int(data.representativeStatus, 1, 13);
    if (status === undefined) throw new DecodeError('userStatusUpdate: representativeStatus must be 1-13');
    ctx.extensions.add(user);
    return [agentState(user, status, time, p)];
  }
  if (r !== 'NEWCALL' && r !== 'ANSWER' && r !== 'HOLD' && r !== 'UNHOLD' && r !== 'HANGUP') return [];
  const cc = isRecord(data.currentCall) ? data.currentCall : onlyCall(data.calls);
  const callId = idText(cc?.ivrid) ?? idText(data.ivruniqueid) ?? idText(p.ivruniqueid);
  if (!callId) throw new DecodeError(`ExtensionEvent ${reason} without an ivrid`);
  ctx.extensions.add(user);
  const dir = directionOf(cc?.direction);
  const leg2 = dir === 'click2call' && int(cc?.c2cdirection, 1, 2) === 2;
  const o: CallObservation = { kind: 'call', platform: PLATFORM, user, callId, time, raw: p };
  const st = ctx.calls.touch(user, callId);
  if (cc) keepExtra(st, cc, data);
  // The tracker keeps the first caller and DID it hears of: say them once (or until a NEWCALL repeats them).
  if (!st.known || r === 'NEWCALL') {
    const peer = peerOf(cc, data);
    if (peer && r !== 'HANGUP') o.participants = [peer];
    const did = nonEmpty(cc?.did);
    if (did) o.initialCalled = { number: did };
    st.known = true;
  }
  if (dir) o.direction = dir === 'incoming' ? 'incoming' : 'outgoing';
  let state: LegState | undefined;
  switch (r) {
    case 'NEWCALL':
      state = dir === 'incoming' || dir === undefined ? 'ringing_incoming'
        : dir === 'spy' ? 'active'
          : leg2 ? 'ringing_outgoing' : 'dialing';
      // A NEWCALL for a call we know (leg 2 after leg 1, a second ring): keep its answer.
      if (st.answered && state !== 'active') state = undefined;
      break;
    case 'ANSWER':
      // Leg 1 answered: the agent picked up; the customer's phone rings now.
      state = dir === 'click2call' && !leg2 ? 'ringing_outgoing' : 'active';
      break;
    case 'HOLD':
      state = 'held';
      break;
    case 'UNHOLD':
      state = 'active';
      break;
    default: { // HANGUP
      o.removed = true;
      const cause = causeOf(text(p.cause, 128) ?? text(data.cause, 128));
      if (cause) o.cause = cause;
      // Answered before we could see it (joined mid-call): say so, or it would pass for a missed call.
      const answered = bool(cc?.answered) === true && int(cc?.callAnswered) !== 0 && (dir !== 'click2call' || leg2);
      if (answered && !st.answered) state = 'active';
    }
  }
  if (state) {
    o.legs = [{ device: user, state }];
    if (state === 'active') st.answered = true;
  }
  return [o];
}

function agentState(user: string, status: number, time: number, raw: unknown): Observation {
  const state = statusName(status);
  return {
    kind: 'direct', time, key: String(status), onChangeOnly: true, raw,
    event: { type: 'agent.state', platform: PLATFORM, user, state, agent: { state } },
  };
}

/** The extension an entry is about: its number, else its SIP user name. */
function extensionOf(d: Obj): string | undefined {
  const n = int(d.number, 0, MAX_ID);
  return n !== undefined ? String(n) : nonEmpty(d.extenUser, 128);
}

/** Call ids are texts (`"202012021122010135330b4f77"`): a number or object there is a broken event. */
function idText(v: unknown): string | undefined {
  return typeof v === 'string' ? nonEmpty(v, 128) : undefined;
}

function onlyCall(v: unknown): Obj | undefined {
  const calls = list(v);
  return calls && calls.length === 1 && isRecord(calls[0]) ? calls[0] : undefined;
}

/** The doc spells `Click2call` in its table and `Click2Call` in its examples: known spellings need no lower-casing. */
const DIRECTIONS: Record<string, Direction> = { Incoming: 'incoming', Outgoing: 'outgoing', Click2Call: 'click2call', Click2call: 'click2call', Spy: 'spy' };

function directionOf(v: unknown): Direction | undefined {
  if (typeof v !== 'string') return undefined;
  const known = DIRECTIONS[v];
  if (known) return known;
  const s = v.length <= 32 ? v.toLowerCase() : '';
  return s === 'incoming' || s === 'outgoing' || s === 'click2call' || s === 'spy' ? s : undefined;
}

function peerOf(cc: Obj | undefined, data: Obj): Participant | undefined {
  const number = nonEmpty(cc?.callerphone) ?? nonEmpty(data.callerID) ?? nonEmpty(cc?.CallerID);
  if (!number) return undefined;
  const p: Participant = { id: 'remote', number };
  const name = nonEmpty(cc?.callername) ?? nonEmpty(cc?.CallerName);
  if (name && name !== number) p.name = name;
  return p;
}

const CAUSES: Record<string, Cause> = {
  'normal hangup': 'cleared',
  'answered elsewhere': 'picked_up',
  'call rejected': 'rejected',
};

function causeOf(v: string | undefined): Cause | undefined {
  if (!v) return undefined;
  return CAUSES[v.trim().toLowerCase()] ?? 'other';
}

/** The Voicenter fields users asked to keep on the call (`call.extra`), each type-checked. */
function keepExtra(st: VoicenterCallState, cc: Obj, data: Obj): void {
  const extra = st.extra;
  const ivrid = idText(cc.ivrid);
  if (ivrid) extra.ivrid = ivrid;
  const did = nonEmpty(cc.did);
  if (did) extra.did = did;
  const rec = cc.recording;
  if (isRecord(rec)) {
    const filename = nonEmpty(rec.Filename);
    const muted = bool(rec.IsMuted) === true;
    const had = extra.recording as { filename: string; muted: boolean } | undefined;
    // Same recording on every event of a call: allocate only when it changes.
    if (filename && (had?.filename !== filename || had.muted !== muted)) extra.recording = { filename, muted };
  }
  const custom = cc.customdata;
  if (isRecord(custom) && !(isEmpty(custom) && extra.customdata !== undefined && isEmpty(extra.customdata as Obj))) extra.customdata = boundedCopy(custom);
  const queueID = int(cc.queueID ?? data.queueID, 0, MAX_ID);
  if (queueID !== undefined) extra.queueID = queueID;
  const campaignID = int(cc.campaignID ?? data.campaignID, 0, MAX_ID);
  if (campaignID !== undefined) extra.campaignID = campaignID;
  if (directionOf(cc.direction)) extra.voicenterDirection = cc.direction;
  st.hasExtra = true;
}

function isEmpty(o: Obj): boolean {
  for (const _k in o) return false;
  return true;
}

/** Custom call variables: plain values only, at most 50 keys, text cut like every wire field. */
function boundedCopy(o: Obj): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  let n = 0;
  for (const k of Object.keys(o)) {
    if (n >= 50) break;
    const v = o[k];
    if (typeof v === 'boolean') out[k.slice(0, 128)] = v;
    else {
      const t = typeof v === 'number' ? (Number.isFinite(v) ? v : undefined) : text(v);
      if (t === undefined) continue;
      out[k.slice(0, 128)] = t;
    }
    n++;
  }
  return out;
}

// ---- snapshots: AllExtensionsStatus and loginStatus --------------------------------------------------------

/**
 * The extensions and their calls right after a (re)login: each listed extension's calls are reconciled with the
 * tracker (calls it no longer has end, calls new to us are announced as in progress); extensions seen before
 * but missing now have no calls. The agent state of each is reported when it changed.
 */
function allExtensions(p: Obj, ctx: VoicenterContext): Observation[] {
  const exts = list(p.extensions) ?? list(p.Extensions);
  if (!exts) throw new DecodeError('AllExtensionsStatus without an extensions list');
  const time = clockOf(ctx, p).time;
  const out: Observation[] = [];
  const listed = new Set<string>();
  // Only a readable entry that lacks a call is evidence that the call ended: an unreadable entry (or call) says
  // nothing, and when any entry is unreadable an extension missing from the list may be that entry.
  let unreadable = 0;
  for (const x of exts) {
    const user = isRecord(x) ? extensionOf(x) : undefined;
    if (!user || !isRecord(x)) {
      unreadable++;
      continue;
    }
    if (listed.has(user)) continue;
    listed.add(user);
    ctx.extensions.add(user);
    const calls: CallObservation[] = [];
    const heldNew: CallObservation[] = [];
    let callsReadable = true;
    const rawCalls = x.calls ?? x.Calls;
    const callList = rawCalls === undefined ? [] : list(rawCalls);
    if (!callList) callsReadable = false;
    for (const c of callList ?? []) {
      const obs = isRecord(c) ? snapshotCall(c, x, user, time, ctx, heldNew) : undefined;
      if (obs) calls.push(obs);
      else callsReadable = false;
    }
    // A call list we could not read in full: announce what we read, end nothing.
    if (callsReadable) out.push({ kind: 'snapshot', platform: PLATFORM, user, time, calls } satisfies SnapshotObservation);
    else for (const c of calls) out.push(c);
    for (const h of heldNew) out.push(h);
    const status = int(x.representativeStatus, 1, 13);
    if (status !== undefined) out.push(agentState(user, status, time, x));
  }
  if (exts.length > 0 && listed.size === 0) throw new DecodeError(`AllExtensionsStatus: none of its ${exts.length} extension entries is readable (nothing ended)`);
  if (unreadable === 0 && listed.size > 0) {
    for (const user of ctx.extensions) {
      if (!listed.has(user)) out.push({ kind: 'snapshot', platform: PLATFORM, user, time, calls: [] });
    }
  }
  return out;
}

/** A call of the snapshot, in either shape the doc shows (ExtensionEvent call fields or queue-call fields). */
/**
 * A call first seen held is announced answered, then held (`heldNew` gets the second step): the tracker reads a
 * held leg of a call it does not know as not yet answered.
 */
function snapshotCall(c: Obj, ext: Obj, user: string, time: number, ctx: VoicenterContext, heldNew: CallObservation[]): CallObservation | undefined {
  const callId = idText(c.ivrid) ?? idText(c.IvrUniqueID) ?? idText(c.Ivrid);
  if (!callId) return undefined;
  const dir = directionOf(c.direction);
  const answered = bool(c.answered) === true;
  const status = text(c.callstatus, 32)?.toLowerCase();
  const leg2 = dir === 'click2call' && int(c.c2cdirection, 1, 2) === 2;
  let state: LegState;
  // A held call: answered with callstatus "Hold" (VoicenterEventsSDK src/store/extensions.js `isCallOnHold`).
  if (answered && status === 'hold' && (dir !== 'click2call' || leg2)) state = 'held';
  else if (answered && (dir !== 'click2call' || leg2)) state = 'active';
  else if (status === 'ringing') state = 'ringing_incoming';
  else if (status === 'dialing') state = 'dialing';
  else if (status === 'spying') state = 'active';
  else state = dir === 'incoming' || dir === undefined ? 'ringing_incoming' : 'ringing_outgoing';
  const st = ctx.calls.touch(user, callId);
  keepExtra(st, c, ext);
  const firstSeen = !st.known;
  st.known = true;
  if (state === 'active' || state === 'held') st.answered = true;
  if (state === 'held' && firstSeen) {
    heldNew.push({ kind: 'call', platform: PLATFORM, user, callId, time, legs: [{ device: user, state: 'held' }], raw: c });
    state = 'active';
  }
  const o: CallObservation = { kind: 'call', platform: PLATFORM, user, callId, time, legs: [{ device: user, state }], raw: c };
  o.direction = dir === 'incoming' || (dir === undefined && state === 'ringing_incoming') ? 'incoming' : 'outgoing';
  const peer = peerOf(c, {});
  if (peer) o.participants = [peer];
  const did = nonEmpty(c.did);
  if (did) o.initialCalled = { number: did };
  return o;
}

/** The monitored queues and their waiting calls: a call waiting that we did not know of joined while we were away. */
function loginStatus(p: Obj, ctx: VoicenterContext): Observation[] {
  const queues = list(p.queues) ?? list(p.Queues);
  if (!queues) return [];
  const clock = clockOf(ctx, p);
  const time = clock.time;
  const out: Observation[] = [];
  for (const q of queues) {
    if (!isRecord(q)) continue;
    const id = queueIdOf(q);
    if (!id) continue;
    const name = nonEmpty(q.QueueName);
    const waiting = new Set<string>();
    for (const c of list(q.Calls) ?? list(q.calls) ?? []) {
      if (!isRecord(c)) continue;
      const callId = queueCallId(c);
      if (!callId) continue;
      waiting.add(callId);
      const caller = queueCaller(c);
      const joinedAt = clock.epoch(c.JoinTimeStamp) ?? time;
      if (ctx.queues.joined(id, callId, joinedAt, caller)) out.push(queueObs('queue.joined', id, name, callId, caller, undefined, time, c));
    }
    ctx.queues.keepOnly(id, waiting);
  }
  return out;
}

// ---- QueueEvent ----------------------------------------------------------------------------------------------

function queueEvent(p: Obj, ctx: VoicenterContext): Observation[] {
  const data = p.data;
  if (!isRecord(data)) throw new DecodeError('QueueEvent without a data object');
  const reason = (text(p.reason, 64) ?? text(data.reason, 64))?.toUpperCase();
  if (!reason) throw new DecodeError('QueueEvent without a reason');
  const id = queueIdOf(data);
  if (!id) throw new DecodeError(`QueueEvent ${reason} without a QueueID`);
  const name = nonEmpty(data.QueueName);
  const clock = clockOf(ctx, p, data);
  const time = clock.time;
  const calls = list(data.Calls) ?? list(data.calls) ?? [];
  // The call the event is about: the top-level ivruniqueid; for a JOIN without one, the newest waiting call.
  let callId = idText(p.ivruniqueid) ?? idText(data.ivruniqueid);
  let entry: Obj | undefined;
  for (const c of calls) if (isRecord(c) && (!callId || queueCallId(c) === callId)) entry = c;
  if (!callId && reason === 'JOIN' && entry) callId = queueCallId(entry);
  if (!callId) throw new DecodeError(`QueueEvent ${reason} without an ivruniqueid`);
  switch (reason) {
    case 'JOIN': {
      const caller = entry ? queueCaller(entry) : undefined;
      const joinedAt = (entry && clock.epoch(entry.JoinTimeStamp)) || time;
      if (!ctx.queues.joined(id, callId, joinedAt, caller)) return [];
      return [queueObs('queue.joined', id, name, callId, caller, undefined, time, p)];
    }
    case 'EXIT':
    case 'ABANDONED': {
      const { waitSeconds, caller } = ctx.queues.left(id, callId, time);
      return [queueObs(reason === 'EXIT' ? 'queue.answered' : 'queue.abandoned', id, name, callId, caller, waitSeconds, time, p)];
    }
    default:
      return [];
  }
}

function queueIdOf(q: Obj): string | undefined {
  const n = int(q.QueueID, 0, MAX_ID);
  return n !== undefined ? String(n) : undefined;
}

function queueCallId(c: Obj): string | undefined {
  return idText(c.IvrUniqueID) ?? idText(c.ivrid) ?? idText(c.Ivrid);
}

function queueCaller(c: Obj): Party | undefined {
  const number = nonEmpty(c.CallerID);
  if (!number) return undefined;
  const out: Party = { number };
  const name = nonEmpty(c.CallerName);
  if (name && name !== number) out.name = name;
  return out;
}

function queueObs(
  type: 'queue.joined' | 'queue.answered' | 'queue.abandoned', id: string, name: string | undefined, callId: string,
  caller: Party | undefined, waitSeconds: number | undefined, time: number, raw: unknown,
): Observation {
  const queue: NonNullable<PbxEvent['queue']> = { id, callId };
  if (name) queue.name = name;
  if (caller) queue.caller = { ...caller };
  if (waitSeconds !== undefined) queue.waitSeconds = waitSeconds;
  return { kind: 'direct', time, key: `${type}|${callId}`, raw, event: { type, platform: PLATFORM, user: id, queue } };
}
