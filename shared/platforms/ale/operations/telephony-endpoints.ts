/**
 * Call control endpoints (`/telephony`), one row per operation: path and body as the OpenTouch spec and
 * the O2G SDK send them. A correction is a one-line change here. Paths are relative to `/api/rest/1.0`.
 */
import { seg, type AlePlatform, type Endpoint } from './types';

export interface CallRef { callId: string }
export interface WithDevice extends CallRef { deviceId: string }

const calls = (c: CallRef, tail = ''): string => `/telephony/calls/${seg(c.callId)}${tail}`;

export const TELEPHONY = {
  /** 201 with a string body: the new callRef [INFERRED: the spec does not say what the string holds]. */
  makeCall: {
    method: 'POST', path: () => '/telephony/calls',
    body: (i: { deviceId: string; destination: string; autoAnswer: boolean }) => ({ deviceId: i.deviceId, callee: i.destination, autoAnswer: i.autoAnswer }),
  } as Endpoint<{ deviceId: string; destination: string; autoAnswer: boolean }>,
  listCalls: { method: 'GET', path: () => '/telephony/calls' } as Endpoint<object>,
  answer: { method: 'POST', path: (i) => calls(i, '/answer'), body: (i) => ({ deviceId: i.deviceId }) } as Endpoint<WithDevice>,
  /** "Leave the call": a two-party call is released, a conference goes on without the user. */
  hangUp: { method: 'POST', path: (i) => calls(i, '/dropme') } as Endpoint<CallRef>,
  hold: { method: 'POST', path: (i) => calls(i, '/hold'), body: (i) => ({ deviceId: i.deviceId }) } as Endpoint<WithDevice>,
  retrieve: { method: 'POST', path: (i) => calls(i, '/retrieve'), body: (i) => ({ deviceId: i.deviceId }) } as Endpoint<WithDevice>,
  /** `callId` is the held call (OpenTouch spec); the O2G SDK documents the active one [INFERRED: we follow the spec]. */
  alternate: { method: 'POST', path: (i) => calls(i, '/alternate'), body: (i) => ({ deviceId: i.deviceId }) } as Endpoint<WithDevice>,
  transfer: { method: 'POST', path: (i) => calls(i, '/transfer'), body: (i) => ({ heldCallRef: i.heldCallId }) } as Endpoint<CallRef & { heldCallId: string }>,
  blindTransfer: { method: 'POST', path: (i) => calls(i, '/blindtransfer'), body: (i) => ({ transferTo: i.destination }) } as Endpoint<CallRef & { destination: string }>,
  redirect: { method: 'POST', path: (i) => calls(i, '/redirect'), body: (i) => ({ redirectTo: i.destination }) } as Endpoint<CallRef & { destination: string }>,
  /** The spec's magic destination string. */
  sendToVoicemail: { method: 'POST', path: (i) => calls(i, '/redirect'), body: () => ({ redirectTo: 'VOICEMAIL' }) } as Endpoint<CallRef>,
  conference: { method: 'POST', path: (i) => calls(i, '/merge'), body: (i) => ({ heldCallRef: i.heldCallId }) } as Endpoint<CallRef & { heldCallId: string }>,
  /** OpenTouch MULTIMEDIA users only; O2G has no such endpoint. */
  addParticipant: { method: 'POST', path: (i) => calls(i, '/participants'), body: (i) => ({ callee: i.destination }) } as Endpoint<CallRef & { destination: string }>,
  sendDtmf: { method: 'POST', path: (i) => calls(i, '/sendDtmf'), body: (i) => ({ deviceId: i.deviceId, number: i.digits }) } as Endpoint<WithDevice & { digits: string }>,
  /** `parkTo` omitted = the current device (spec); the O2G SDK always sends one [INFERRED: omit when empty]. */
  park: { method: 'POST', path: (i) => calls(i, '/park'), body: (i) => (i.destination ? { parkTo: i.destination } : {}) } as Endpoint<CallRef & { destination?: string }>,
  pickUp: {
    method: 'POST', path: (i) => `/telephony/devices/${seg(i.deviceId)}/pickup`,
    body: (i) => ({ otherCallRef: i.callId, otherPhoneNumber: i.otherNumber, autoAnswer: false }),
  } as Endpoint<WithDevice & { otherNumber: string }>,
} satisfies Record<string, Endpoint<never>>;

/** User profile: devices (the `deviceId`s of telephony requests) and company phone. */
export const userProfile: Endpoint<{ login: string }> = { method: 'GET', path: (i) => `/users/${seg(i.login)}` };

/** Operations each platform lacks (the O2G SDK has no add-participant endpoint). */
export const TELEPHONY_UNSUPPORTED: Record<AlePlatform, ReadonlySet<string>> = {
  opentouch: new Set(),
  o2g: new Set(['addParticipant']),
};
