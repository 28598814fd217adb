/**
 * Observations: what a platform normalizer tells the tracker, platform-neutral.
 * "User U's call C changed like this" — the tracker derives events from the sequence.
 */
import type { Party, Platform, PbxEvent } from './events';

export type LegState =
  | 'dialing'
  | 'ringing_outgoing'
  | 'ringing_incoming'
  | 'active'
  | 'held'
  | 'releasing'
  | 'queued'
  | 'unknown';

/** Why the platform says something happened, mapped from its own cause codes. */
export type Cause =
  | 'busy'
  | 'cleared'
  | 'redirected'
  | 'transferred'
  | 'conferenced'
  | 'no_answer'
  | 'rejected'
  | 'voicemail'
  | 'picked_up'
  | 'participant_left'
  | 'recall'
  | 'failed'
  | 'other';

export interface Participant extends Party {
  /** Platform participant id (used by later "participant removed" notices). */
  id: string;
  anonymous?: boolean;
  /** This party's role in the call when the platform says (the caller or the called party). */
  role?: 'caller' | 'callee';
}

export interface CallObservation {
  kind: 'call';
  platform: Platform;
  user: string;
  callId: string;
  globalId?: string;
  /** The id all users' views of the call share, when neither `callId` nor `globalId` is (see `CallInfo.callKey`). */
  callKey?: string;
  /** Epoch ms. */
  time: number;
  /** Call-level state reported by the platform for this user's view, if any. */
  callState?: LegState;
  /** Legs (this user's devices) added or changed. */
  legs?: Array<{ device: string; state: LegState }>;
  removedLegs?: string[];
  /** Remote participants present from now on (full list), or added. */
  participants?: Participant[];
  addedParticipants?: Participant[];
  modifiedParticipants?: Participant[];
  removedParticipants?: string[];
  /** The number originally dialled, when known. */
  initialCalled?: Party;
  cause?: Cause;
  anonymous?: boolean;
  /** The call ends for this user. */
  removed?: boolean;
  /** Where a redirected/forwarded call went, when the platform says. */
  newDestination?: Party;
  /** Direction, when the platform states it (snapshots of established calls). */
  direction?: 'incoming' | 'outgoing';
  /** This call reference replaces an earlier one (e.g. after a conference merge). */
  previousCallId?: string;
  capabilities?: string[];
  raw?: unknown;
}

/** An event the normalizer derives fully on its own (user state, routing...); the tracker only ids and dedupes it. */
export interface DirectObservation {
  kind: 'direct';
  event: Omit<PbxEvent, 'id' | 'time'> & { time?: string };
  /** Epoch ms. */
  time: number;
  /** What identifies the event at its source, besides platform/user/type (e.g. the new state). */
  key: string;
  /** Emit only when `key` differs from the previous event of this user/type/subject. */
  onChangeOnly?: boolean;
  /** Subject within the user, e.g. a device id, so each device's state is tracked apart. */
  subject?: string;
  raw?: unknown;
}

/** Current calls of a user as fetched on (re)connect, to reconcile the tracker with reality. */
export interface SnapshotObservation {
  kind: 'snapshot';
  platform: Platform;
  user: string;
  time: number;
  /** Call ids the platform says this user has now, each with the observation that describes it. */
  calls: CallObservation[];
}

export type Observation = CallObservation | DirectObservation | SnapshotObservation;
