/**
 * The normalized event model: every platform's raw events become `PbxEvent`s.
 * Nodes, docs and tests depend on these names; add fields, never rename.
 */

import { PLATFORM_NAMES, type PlatformName } from '../platforms/catalog';

/** A platform name: one of shared/platforms/catalog.ts (the one table). */
export type Platform = PlatformName;
export const PLATFORMS: readonly Platform[] = PLATFORM_NAMES;

export type CallEventType =
  | 'call.incoming'
  | 'call.outgoing'
  | 'call.answered'
  | 'call.held'
  | 'call.retrieved'
  | 'call.transferred'
  | 'call.redirected'
  | 'call.conferenced'
  | 'call.ended'
  | 'call.missed'
  /** Follow-up (shared/followup): one per call, across every monitored user it rang. */
  | 'call.unanswered'
  | 'call.returned'
  | 'call.unreturned';

export type StateEventType =
  | 'user.state'
  | 'device.state'
  | 'routing.changed'
  | 'messages.changed'
  | 'queue.joined'
  | 'queue.answered'
  | 'queue.abandoned'
  | 'agent.state'
  | 'connection.state'
  | 'callLog.created';

export type EventType = CallEventType | StateEventType;

/** Append only: call event ids are derived from a type's position in this list. */
export const EVENT_TYPES: readonly EventType[] = [
  'call.incoming', 'call.outgoing', 'call.answered', 'call.held', 'call.retrieved', 'call.transferred',
  'call.redirected', 'call.conferenced', 'call.ended', 'call.missed', 'user.state', 'device.state',
  'routing.changed', 'messages.changed', 'queue.joined', 'queue.answered', 'queue.abandoned', 'agent.state',
  'connection.state', 'callLog.created', 'call.unanswered', 'call.returned', 'call.unreturned',
];

export type EndReason =
  | 'completed'
  | 'abandoned'
  | 'busy'
  | 'rejected'
  | 'no_answer'
  | 'transferred'
  | 'redirected'
  | 'voicemail'
  | 'answered_elsewhere'
  | 'failed'
  | 'unknown';

/** End reasons that make an unanswered incoming call a missed call. */
export const MISSED_REASONS: ReadonlySet<EndReason> = new Set<EndReason>([
  'abandoned', 'no_answer', 'rejected', 'voicemail', 'busy',
]);

export interface Party {
  number: string;
  name?: string;
  login?: string;
}

export interface CallInfo {
  /** Platform call reference (OpenTouch/O2G `callRef`). */
  id: string;
  /** Platform-wide call id when the platform has one (OpenTouch `callUUID`). */
  globalId?: string;
  /**
   * The id every monitored user's view of this call shares, when the platform gives one that `id`/`globalId` do not
   * (TelServices `callReference`). Follow-up correlation only: never part of event ids.
   */
  callKey?: string;
  direction: 'incoming' | 'outgoing';
  from: Party;
  to: Party;
  /** Device of this user that carries (or last carried) the call. */
  device?: string;
  /** The caller withheld their identity. */
  anonymous: boolean;
  startedAt: string;
  answeredAt?: string;
  endedAt?: string;
  ringSeconds?: number;
  talkSeconds?: number;
  /** This user (any of their devices) answered. */
  answered: boolean;
  endReason?: EndReason;
  redirectedTo?: Party;
  transferredTo?: Party;
  /** Number of other parties when the call was conferenced. */
  conferenceParties?: number;
  /** The call was already in progress when the connection (re)started: `startedAt` and `ringSeconds` are lower bounds. */
  inProgressAtConnect?: boolean;
  /** The call ended while the connection to the PBX was down; found out on resync. */
  endedDuringOutage?: boolean;
  /** Earlier call references this call replaced (e.g. a consultation call merged into a conference). */
  previousIds?: string[];
  /** This call reference was merged into another call (conference); the call goes on under that id. */
  mergedInto?: string;
  /** Actions the platform allows on the call now (e.g. `transfer`, `hold`); empty when unknown. */
  capabilities?: string[];
  /** Platform-specific call data (Voicenter: `ivrid`, `did`, `recording`, `customdata`, `queueID`, `campaignID`). */
  extra?: Record<string, unknown>;
}

export interface ConnectionStateInfo {
  state: 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'failed';
  reason?: string;
  attempt?: number;
}

/** A forward or overflow: where calls go (`number` | `voicemail` | `mobile`...), and when. */
export interface RouteInfo {
  type: string;
  destination?: string;
  /** `immediate` | `busy` | `no_answer` | `busy_no_answer`. */
  condition: string;
}

export interface RoutingInfo {
  forward: RouteInfo | null;
  overflow: RouteInfo | null;
  dnd: boolean;
}

/** One call-log record (ALE `ComHistoryRecord`). */
export interface CallLogRecord {
  /** The PBX's record id. */
  recordId: string;
  /** The call's reference (`comRef`), when given. */
  callId?: string;
  /** The user's role: `incoming` when the user was called, `outgoing` when they called; absent when unknown. */
  direction?: 'incoming' | 'outgoing';
  /** The user answered (or the call was answered, for outgoing calls), when known. */
  answered?: boolean;
  acknowledged?: boolean;
  startedAt?: string;
  endedAt?: string;
  /** Every participant as the record lists them, with their role. */
  parties: Array<Party & { role?: 'caller' | 'callee'; answered?: boolean }>;
}

/** How an unanswered call ended, for everyone it rang. */
export type UnansweredReason = 'abandoned' | 'voicemail' | 'queue_abandoned' | 'busy' | 'no_answer' | 'rejected' | 'failed' | 'unknown';

/** What a follow-up event reports (`call.unanswered`, `call.returned`, `call.unreturned`). */
export interface FollowUpInfo {
  /** The caller of the unanswered call(s); `number` as the PBX gave it. */
  caller: Party;
  /** The caller's number as compared (normalized: national / international forms, outside-line prefix). */
  callerKey: string;
  /** call.unanswered / call.unreturned: the monitored users the call rang, in the order they were rung. */
  users?: string[];
  firstRingAt?: string;
  endedAt?: string;
  ringSeconds?: number;
  endReason?: UnansweredReason;
  /** The per-user `call.missed` event ids this call summarises. */
  missedEventIds?: string[];
  /** call.unreturned: the `call.unanswered` it follows up; its follow-up time. */
  unansweredEventId?: string;
  followUpSeconds?: number;
  /** call.returned: the `call.unanswered` event ids it closes (oldest first). */
  closes?: string[];
  /** call.returned: who returned the call, which way (`outgoing`: a callback), seconds after the (first) unanswered call ended. */
  returnedBy?: string;
  returnDirection?: 'incoming' | 'outgoing';
  afterSeconds?: number;
}

export interface PbxEvent {
  /** Stable id, deterministic from the source: the same raw input gives the same id. */
  id: string;
  type: EventType;
  platform: Platform;
  /** Login or extension whose view this is. */
  user: string;
  /** ISO 8601. */
  time: string;
  call?: CallInfo;
  /** user.state: `free` | `busy` | ...; device.state / agent.state: platform state in lower case. */
  state?: string;
  device?: string;
  routing?: RoutingInfo;
  messages?: { voicemailsUnread?: number; missedCalls?: number; callbackRequests?: number; [k: string]: unknown };
  /** Queue events: the pilot (`id` its number), the call, its caller; `agent` the one it went to (`queue.answered`). */
  queue?: { id: string; name?: string; callId?: string; caller?: Party; agent?: Party; waitSeconds?: number };
  agent?: { state: string; group?: string };
  /** callLog.created: the call-log record the PBX just wrote (ALE `OnComRecordCreated`). */
  callLog?: CallLogRecord;
  connection?: ConnectionStateInfo;
  /** call.unanswered / call.returned / call.unreturned: the follow-up they report (shared/followup). */
  followUp?: FollowUpInfo;
  /** Source event(s), only when asked for (`includeRaw`). */
  raw?: unknown[];
}

export const isCallEvent = (e: PbxEvent): e is PbxEvent & { call: CallInfo } => e.type.startsWith('call.');
