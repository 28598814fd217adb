/**
 * The virtual PBX's vocabulary: platform-neutral (no ALE, TelServices or Voicenter words here), so every
 * front-end renders the same calls in its own dialect.
 */

export interface SimUser {
  login: string;
  password: string;
  /** Extension. */
  number: string;
  name: string;
  /** Device ids (phone numbers of the user's sets); the first is the main device. */
  devices: string[];
  /** An administrator login: may open admin sessions and monitor other users; has no phone. */
  admin?: boolean;
}

/** A device's view of a call, as the user sees it. */
export type SimLegState = 'dialing' | 'ringing_outgoing' | 'ringing_incoming' | 'active' | 'held';

/** Why a call changed or ended, in neutral words; front-ends map these to their cause codes. */
export type SimCause =
  | 'normal'
  | 'abandoned'
  | 'busy'
  | 'redirected'
  | 'transferred'
  | 'conferenced'
  | 'no_answer'
  | 'picked_up'
  | 'voicemail'
  | 'participant_left'
  /** A CCD pilot handed the call to an agent. */
  | 'distributed'
  /** A ring-group member's leg, cancelled because another member answered. */
  | 'answered_elsewhere'
  /** The callee turned the ringing call down (Reject); the caller of a direct call sees it end `busy`. */
  | 'rejected';

export interface SimPartyInfo {
  /** Participant id, stable for the life of the call. */
  id: string;
  number: string;
  name?: string;
  login?: string;
  anonymous?: boolean;
}

/** One user's view of one call: what a front-end renders. */
export interface SimCallView {
  /** The call reference this user knows the call by. */
  ref: string;
  /** Global call id, the same for every party. */
  uuid: string;
  direction: 'incoming' | 'outgoing';
  /** The state of the user's side of the call (their active leg, or the most advanced one). */
  state: SimLegState;
  legs: Array<{ device: string; state: SimLegState }>;
  /** The other parties. */
  participants: SimPartyInfo[];
  /** The number first dialled. */
  initialCalled?: { number: string; login?: string; name?: string };
  anonymous: boolean;
  /** What the user may do now (answer, hold, transfer...). */
  capabilities: string[];
  /** The ring group this call came through, when it did (its members' legs and the caller's view carry it). */
  group?: SimGroupInfo;
}

/**
 * A ring group (FreePBX "ring group", OXE "hunting group"): one number ringing several users, all at once
 * (`ringall`) or one after the other (`hunt`, in the listed order).
 */
export interface SimRingGroup {
  number: string;
  name: string;
  /** Logins (or extensions) of the members, in hunt order. */
  members: string[];
  strategy: 'ringall' | 'hunt';
  /** How long the group rings (ringall) or each member rings (hunt); default: the PBX's ring timeout. */
  ringMs?: number;
}

export interface SimGroupInfo {
  number: string;
  name: string;
  strategy: SimRingGroup['strategy'];
}

export interface SimRouteState {
  /** Forward: where and when; null when off. */
  forward: { destination: string | 'voicemail'; condition: 'immediate' | 'busy' | 'no_answer' | 'busy_no_answer' } | null;
  dnd: boolean;
}

/** What the PBX tells its front-ends. */
export type PbxChange =
  | { kind: 'call'; action: 'created' | 'modified'; user: string; view: SimCallView; cause?: SimCause; previousRef?: string; time: number }
  | { kind: 'call'; action: 'removed'; user: string; view: SimCallView; cause: SimCause; newDestination?: string; time: number }
  | { kind: 'userState'; user: string; state: 'free' | 'busy'; time: number }
  | { kind: 'routing'; user: string; routing: SimRouteState; time: number }
  /** Anything else a feature module wants to announce (message counters, comlog...), already in neutral form. */
  | { kind: 'custom'; user: string; name: string; data: Record<string, unknown>; time: number };

export const DEFAULT_USERS: SimUser[] = [
  { login: 'alice', password: 'alice-pw', number: '201', name: 'Alice Martin', devices: ['201'] },
  { login: 'bob', password: 'bob-pw', number: '202', name: 'Bob Durand', devices: ['202', '2021'] },
  { login: 'carol', password: 'carol-pw', number: '203', name: 'Carol Petit', devices: ['203'] },
  { login: 'admin', password: 'admin-pw', number: '', name: 'Administrator', devices: [], admin: true },
];
