/**
 * Renders the virtual PBX's neutral changes in the shapes of Voicenter's Real Time API doc and of its official
 * client (VoicenterTeam/VoicenterEventsSDK): `ExtensionEvent`, `QueueEvent`, and the `loginStatus` /
 * `AllExtensionsStatus` snapshots.
 *
 * - `reason`, `ivruniqueid`, `servertime` and `servertimeoffset` at the top level of ExtensionEvent, where the SDK
 *   reads them (src/store/handleStoreEvents.js: `data.reason`, `data.ivruniqueid`; src/classes/socket-io/
 *   events-handler.ts: `data.servertime`, `data.servertimeoffset`), and inside `data` too, as the doc's examples.
 * - Epochs (servertime, callStarted, callAnswered, last*Epoch, JoinTimeStamp) on the server's local clock by default,
 *   as the SDK converts them (src/store/extensions.js `SET_SERVER_TIME`: UTC = servertime * 1000 -
 *   servertimeoffset * 60 000, default offset 180); `epochs: 'utc'` sends UTC epochs (with the same offset field).
 * - A held call's `callstatus` is "Hold" (src/store/extensions.js `isCallOnHold`: answered and status "hold").
 */
import type { PbxChange, SimCallView, SimUser } from '../../pbx/types';

/** How the front-end writes epoch seconds. */
export interface WireClock {
  /** Epoch seconds as the server sends them (local or UTC). */
  epoch(): number;
  /** The `servertimeoffset` field (minutes). */
  offset: number;
}

/** Local epochs (the SDK's reading, the default) or UTC epochs, with `offsetMinutes` in `servertimeoffset`. */
export function wireClock(epochs: 'local' | 'utc' = 'local', offsetMinutes = 180): WireClock {
  const shift = epochs === 'local' ? offsetMinutes * 60 : 0;
  return { epoch: () => Math.floor(Date.now() / 1000) + shift, offset: offsetMinutes };
}

export interface SimExtension {
  user: SimUser;
  number: number;
  userID: number;
  status: number;
}

interface CallRender {
  started: number;
  answered: number;
  held: boolean;
  queueID?: number;
}

export interface QueueCallEntry {
  CallerID: string;
  CallerName: string;
  IvrUniqueID: string;
  ivrid: string;
  JoinTimeStamp: number;
  calldurationinterval: number;
}

export class VoicenterRenderer {
  private readonly calls = new Map<string, CallRender>();
  /** Calls that came through a queue: their ExtensionEvents carry `queueID`. */
  readonly queued = new Map<string, number>();

  constructor(private readonly extensionOf: (login: string) => SimExtension | undefined, private readonly clock: WireClock = wireClock()) {}

  /** The ExtensionEvent payload for a change, or undefined when Voicenter would say nothing. */
  render(c: PbxChange): Record<string, unknown> | undefined {
    if (c.kind !== 'call') return undefined;
    const ext = this.extensionOf(c.user);
    if (!ext) return undefined;
    const key = `${c.user}|${c.view.ref}`;
    let st = this.calls.get(key);
    const now = this.clock.epoch;
    let reason: string | undefined;
    let cause: string | undefined;
    if (c.action === 'removed') {
      if (!st) return undefined;
      this.calls.delete(key);
      reason = 'HANGUP';
      // The doc's ring-group case: every extension that rang and did not answer gets "Answered elsewhere"; the
      // extension that turned a ringing call down gets the doc's one rejection cause, "Call Rejected". The caller's
      // side has no busy cause: "Normal hangup" (docs/operations.md, rejected calls).
      cause = c.cause === 'picked_up' || c.cause === 'answered_elsewhere' ? 'Answered elsewhere' : c.cause === 'rejected' ? 'Call Rejected' : 'Normal hangup';
    } else if (!st) {
      st = { started: now(), answered: 0, held: false, queueID: this.queued.get(c.view.uuid) };
      this.calls.set(key, st);
      reason = 'NEWCALL';
      if (c.view.state === 'active') st.answered = now();
    } else if (c.view.state === 'active' && !st.answered) {
      st.answered = now();
      reason = 'ANSWER';
    } else if (c.view.state === 'held' && !st.held) {
      st.held = true;
      reason = 'HOLD';
    } else if (c.view.state === 'active' && st.held) {
      st.held = false;
      reason = 'UNHOLD';
    }
    if (!reason) return undefined;
    const call = callObject(c.view, st, ext);
    const t = now();
    const data: Record<string, unknown> = {
      eventName: 'extension', reason, servertime: t, servertimeoffset: this.clock.offset,
      ...extensionFields(ext, this.clock), calls: reason === 'HANGUP' ? [] : [call], currentCall: call,
    };
    if (reason === 'HANGUP') Object.assign(data, { cause, callerID: call.callerphone, ivruniqueid: call.ivrid });
    // The SDK's form: the event's reason, call id and clock at the top level as well.
    return { eventName: 'extension', reason, ivruniqueid: call.ivrid, servertime: t, servertimeoffset: this.clock.offset, data };
  }

  /** The calls an extension has now, in the ExtensionEvent call shape (for AllExtensionsStatus). */
  callsOf(views: SimCallView[], ext: SimExtension): Record<string, unknown>[] {
    const now = this.clock.epoch;
    return views.map((v) => {
      const key = `${ext.user.login}|${v.ref}`;
      let st = this.calls.get(key);
      if (!st) this.calls.set(key, (st = { started: now(), answered: v.state === 'active' || v.state === 'held' ? now() : 0, held: v.state === 'held' }));
      return callObject(v, st, ext);
    });
  }

  reset(): void {
    this.calls.clear();
  }
}

export function extensionFields(ext: SimExtension, clock: WireClock): Record<string, unknown> {
  return {
    userID: ext.userID, userName: ext.user.name, number: ext.number, extenUser: `SIP${ext.number}`,
    summery: { representative: ext.user.name }, onlineUserID: ext.userID, representative: ext.userID,
    representativeStatus: ext.status, representativeUpdated: Date.now(),
    lastCallEventEpoch: clock.epoch(), lastAnsweredCallEventEpoch: 0, lastHangupCallEpoch: 0, peerStatus: 'OK',
  };
}

export function userStatusEvent(ext: SimExtension, clock: WireClock): Record<string, unknown> {
  return { eventName: 'extension', reason: 'userStatusUpdate', servertime: clock.epoch(), servertimeoffset: clock.offset, data: { ...extensionFields(ext, clock), calls: [] } };
}

export function queueEvent(reason: 'JOIN' | 'EXIT' | 'ABANDONED', queue: { id: number; name: string }, ivrid: string, waiting: QueueCallEntry[], clock: WireClock): Record<string, unknown> {
  const t = clock.epoch();
  return {
    data: { QueueID: queue.id, Calls: waiting, QueueName: queue.name },
    eventName: 'queue', reason, servertime: t, servertimeoffset: clock.offset, telephonyservertime: t, ivruniqueid: ivrid,
  };
}

function callObject(v: SimCallView, st: CallRender, ext: SimExtension): Record<string, unknown> {
  const other = v.participants[0];
  const incoming = v.direction === 'incoming';
  const phone = other?.anonymous ? '' : (other?.number ?? v.initialCalled?.number ?? '');
  const status = v.state === 'ringing_incoming' ? 'Ringing' : v.state === 'held' ? 'Hold' : v.state === 'active' ? 'Talking' : 'Dialing';
  const call: Record<string, unknown> = {
    callStarted: st.started, calldurationinterval: st.started, callAnswered: st.answered, answered: st.answered ? 1 : 0,
    callername: other?.name ?? phone, callerphone: phone, callstatus: status, customdata: {},
    direction: incoming ? 'Incoming' : 'Outgoing', ivrid: v.uuid,
    recording: { Filename: `${v.uuid}-${ext.number}.mp3`, IsMuted: 0 },
    did: incoming ? (v.initialCalled?.number ?? String(ext.number)) : '',
  };
  if (st.queueID !== undefined) call.queueID = st.queueID;
  return call;
}
