/**
 * Renders the virtual PBX's changes as ALE events (public `On*` form shared by OpenTouch and O2G; optionally the
 * O2G internal `RTSM_*` form). Modifications are sent as deltas against the last view sent for that user and call,
 * the way the real servers report added/removed legs and participants.
 */
import type { PbxChange, SimCallView, SimCause, SimLegState, SimPartyInfo, SimRouteState } from '../../pbx/types';

type Json = Record<string, unknown>;

/**
 * `answered_elsewhere` has none: neither OpenTouch nor O2G documents how a hunting group's member sees the call
 * another member took, so the simulator renders group calls as parallel calls whose other legs simply end (no cause);
 * the per-user views share the call's `callUUID`, which is what correlates them (docs/operations.md, ring groups).
 */
const CAUSES: Record<Exclude<SimCause, 'answered_elsewhere'>, string> = {
  normal: 'NORMAL',
  abandoned: 'ABANDONED',
  busy: 'BUSY',
  redirected: 'REDIRECTED',
  transferred: 'TRANSFERRED',
  conferenced: 'CONFERENCED',
  no_answer: 'NOT_ANSWERED',
  picked_up: 'PICKED_UP',
  voicemail: 'VOICEMAIL',
  participant_left: 'PARTICIPANT_LEFT',
  distributed: 'DISTRIBUTED',
  // CallCause has no "rejected" (OpenTouch's list, O2G SDK call-cause.ts): a declined call is turned away with the
  // busy tone, so both sides' views end BUSY (docs/operations.md, rejected calls).
  rejected: 'BUSY',
};

const legState = (s: SimLegState): string => s.toUpperCase();

export function renderLeg(device: string, state: SimLegState): Json {
  const caps: Json = {};
  if (state === 'ringing_incoming') caps.answer = true;
  if (state === 'active') caps.hold = true;
  if (state === 'held') caps.retrieve = true;
  caps.drop = true;
  return { deviceId: device, state: legState(state), ringingRemote: false, capabilities: caps };
}

export function renderParticipant(p: SimPartyInfo): Json {
  const id: Json = { phoneNumber: p.number };
  if (p.login) id.loginName = p.login;
  const identity: Json = { id, type: p.login ? 'USER' : 'EXTERNAL' };
  if (p.name) identity.displayName = p.name;
  return { participantId: p.id, identity, anonymous: p.anonymous === true, undroppable: false };
}

export function renderCallData(v: SimCallView): Json {
  const cd: Json = { state: legState(v.state), callUUID: v.uuid, anonymous: v.anonymous, deviceCall: false };
  if (v.initialCalled) {
    const id: Json = { phoneNumber: v.initialCalled.number };
    if (v.initialCalled.login) id.loginName = v.initialCalled.login;
    cd.initialCalledIdentity = v.initialCalled.name ? { id, displayName: v.initialCalled.name } : { id };
  }
  cd.capabilities = Object.fromEntries(v.capabilities.map((c) => [c, true]));
  return cd;
}

/** A `Call` as `GET /telephony/calls` returns it. */
export function renderCall(v: SimCallView): Json {
  return { callRef: v.ref, callData: renderCallData(v), legs: v.legs.map((l) => renderLeg(l.device, l.state)), participants: v.participants.map(renderParticipant) };
}

export function renderRouting(r: SimRouteState): Json {
  const fwd = r.forward
    ? [{
      ...(r.forward.condition === 'immediate' ? {} : { forwardType: r.forward.condition.toUpperCase() }),
      destinations: [r.forward.destination === 'voicemail' ? { type: 'VOICEMAIL', selected: true } : { type: 'NUMBER', number: r.forward.destination, selected: true }],
    }]
    : [];
  return { forwardRoutes: fwd, overflowRoutes: [], dndState: { activate: r.dnd } };
}

/** Stateful: remembers the last view of each user's call to send deltas. */
export class AleRenderer {
  private readonly last = new Map<string, SimCallView>();

  render(c: PbxChange): Json[] {
    switch (c.kind) {
      case 'userState':
        return [{ eventName: 'OnUserStateModified', loginName: c.user, state: c.state.toUpperCase() }];
      case 'routing':
        return [{ eventName: 'OnRoutingStateChanged', loginName: c.user, routingState: renderRouting(c.routing) }];
      case 'custom':
        return [{ ...c.data, eventName: c.name, loginName: c.user }];
      case 'call':
        return [this.call(c)];
    }
  }

  private call(c: Extract<PbxChange, { kind: 'call' }>): Json {
    const key = `${c.user}\u0001${c.view.ref}`;
    const base: Json = { loginName: c.user, callRef: c.view.ref };
    if (c.cause && c.cause !== 'answered_elsewhere') base.cause = CAUSES[c.cause];
    if (c.action === 'removed') {
      this.last.delete(key);
      const e: Json = { eventName: 'OnCallRemoved', ...base };
      if ('newDestination' in c && c.newDestination) e.newDestination = c.newDestination;
      return e;
    }
    const prev = this.last.get(key);
    this.last.set(key, c.view);
    if (c.action === 'modified' && 'previousRef' in c && c.previousRef) this.last.delete(`${c.user}\u0001${c.previousRef}`);
    if (c.action === 'created' || !prev) {
      return {
        eventName: c.action === 'created' ? 'OnCallCreated' : 'OnCallModified',
        ...base,
        callData: renderCallData(c.view),
        legs: c.view.legs.map((l) => renderLeg(l.device, l.state)),
        ...(c.action === 'created' ? { participants: c.view.participants.map(renderParticipant) } : { addedParticipants: c.view.participants.map(renderParticipant) }),
        ...('previousRef' in c && c.previousRef ? { previousCallRef: c.previousRef } : {}),
      };
    }
    const e: Json = { eventName: 'OnCallModified', ...base, callData: renderCallData(c.view) };
    if ('previousRef' in c && c.previousRef) e.previousCallRef = c.previousRef;
    const modifiedLegs = c.view.legs.filter((l) => prev.legs.find((p) => p.device === l.device)?.state !== l.state);
    if (modifiedLegs.length) e.modifiedLegs = modifiedLegs.map((l) => renderLeg(l.device, l.state));
    const removedLegs = prev.legs.filter((p) => !c.view.legs.some((l) => l.device === p.device)).map((l) => l.device);
    if (removedLegs.length) e.removedLegs = removedLegs;
    const added = c.view.participants.filter((p) => !prev.participants.some((q) => q.id === p.id));
    if (added.length) e.addedParticipants = added.map(renderParticipant);
    const removed = prev.participants.filter((p) => !c.view.participants.some((q) => q.id === p.id)).map((p) => p.id);
    if (removed.length) e.removedParticipantIds = removed;
    return e;
  }

  reset(): void {
    this.last.clear();
  }
}

const RTSM: Record<string, string> = {
  OnCallCreated: 'RTSM_CALL_CREATED',
  OnCallModified: 'RTSM_CALL_MODIFIED',
  OnCallRemoved: 'RTSM_CALL_REMOVED',
  OnUserStateModified: 'RTSM_USER_STATE_MODIFIED',
  OnDeviceStateModified: 'RTSM_DEVICE_STATE_MODIFIED',
  OnTelephonyState: 'RTSM_TELEPHONY_STATE',
};

/** The O2G internal form of an event, when it has one (others stay public). */
export function toRtsm(e: Json, eventId: number, time: number): Json {
  const name = RTSM[e.eventName as string];
  if (!name) return e;
  const { eventName: _n, loginName, ...rest } = e;
  const out: Json = { name, ...rest, id: loginName, eventId, time, family: 'OXE', originator: 'RTSM.simulator' };
  if (name === 'RTSM_USER_STATE_MODIFIED') {
    out.userState = rest.state;
    delete out.state;
  }
  return out;
}
