/**
 * Call control endpoints (the `telephony` service), one row per operation: path (below the service URL) and body as
 * the OpenTouch spec and the O2G SDK send them. A correction is a one-line change here. O2G facts are from
 * o2g-node-sdk src/internal/rest/telephony-rest.ts unless said otherwise.
 */
import { seg, type AlePlatform, type Endpoint } from './types';

export interface CallRef { callId: string }
export interface WithDevice extends CallRef { deviceId: string }

const calls = (c: CallRef, tail = ''): string => `/calls/${seg(c.callId)}${tail}`;
const T = 'telephony' as const;

export const TELEPHONY = {
  /** 201 with a string body: the new callRef [INFERRED: the spec does not say what the string holds]. */
  makeCall: {
    method: 'POST', service: T, path: () => '/calls',
    body: (i: { deviceId: string; destination: string; autoAnswer: boolean }) => ({ deviceId: i.deviceId, callee: i.destination, autoAnswer: i.autoAnswer }),
  } as Endpoint<{ deviceId: string; destination: string; autoAnswer: boolean }>,
  listCalls: { method: 'GET', service: T, path: () => '/calls' } as Endpoint<object>,
  /** SDK `answer`: no `loginName` (the device names the user). */
  answer: { method: 'POST', service: T, path: (i) => calls(i, '/answer'), body: (i) => ({ deviceId: i.deviceId }), noLoginName: true } as Endpoint<WithDevice>,
  /** "Leave the call": a two-party call is released, a conference goes on without the user. */
  hangUp: { method: 'POST', service: T, path: (i) => calls(i, '/dropme') } as Endpoint<CallRef>,
  hold: { method: 'POST', service: T, path: (i) => calls(i, '/hold'), body: (i) => ({ deviceId: i.deviceId }) } as Endpoint<WithDevice>,
  retrieve: { method: 'POST', service: T, path: (i) => calls(i, '/retrieve'), body: (i) => ({ deviceId: i.deviceId }) } as Endpoint<WithDevice>,
  /**
   * The path's call differs by platform: OpenTouch spec (telephony, alternate) = the held call; O2G SDK
   * (src/services/o2g-telephony.ts `alternate`: "the call reference of the active call") = the active one.
   * The handler picks the call; the SDK sends no `loginName`.
   */
  alternate: { method: 'POST', service: T, path: (i) => calls(i, '/alternate'), body: (i) => ({ deviceId: i.deviceId }), noLoginName: true } as Endpoint<WithDevice>,
  transfer: { method: 'POST', service: T, path: (i) => calls(i, '/transfer'), body: (i) => ({ heldCallRef: i.heldCallId }) } as Endpoint<CallRef & { heldCallId: string }>,
  /** SDK `blindTransfer`: `{transferTo, anonymous}`, anonymous always sent; spec BlindTransferRequest: optional (sent when true). */
  blindTransfer: { method: 'POST', service: T, path: (i) => calls(i, '/blindtransfer'), body: (i) => ({ transferTo: i.destination, anonymous: i.anonymous }) } as Endpoint<CallRef & { destination: string; anonymous?: boolean }>,
  /** SDK `redirect`: `{redirectTo, anonymous}`. */
  redirect: { method: 'POST', service: T, path: (i) => calls(i, '/redirect'), body: (i) => ({ redirectTo: i.destination, anonymous: i.anonymous }) } as Endpoint<CallRef & { destination: string; anonymous?: boolean }>,
  /** OpenTouch: the spec's magic destination string (RedirectRequest `redirectTo: VOICEMAIL`). */
  sendToVoicemail: { method: 'POST', service: T, path: (i) => calls(i, '/redirect'), body: () => ({ redirectTo: 'VOICEMAIL' }) } as Endpoint<CallRef>,
  /** O2G: SDK `overflowToVoiceMail`, a POST without a body. */
  overflowToVoicemail: { method: 'POST', service: T, path: (i) => calls(i, '/overflowToVoiceMail') } as Endpoint<CallRef>,
  conference: { method: 'POST', service: T, path: (i) => calls(i, '/merge'), body: (i) => ({ heldCallRef: i.heldCallId }) } as Endpoint<CallRef & { heldCallId: string }>,
  /** OpenTouch MULTIMEDIA users only; O2G has no such endpoint. */
  addParticipant: { method: 'POST', service: T, path: (i) => calls(i, '/participants'), body: (i) => ({ callee: i.destination }) } as Endpoint<CallRef & { destination: string }>,
  /** SDK `sendDtmf`: no `loginName`. */
  sendDtmf: { method: 'POST', service: T, path: (i) => calls(i, '/sendDtmf'), body: (i) => ({ deviceId: i.deviceId, number: i.digits }), noLoginName: true } as Endpoint<WithDevice & { digits: string }>,
  /**
   * SDK `park`: `parkTo` mandatory (AssertUtil.notNullOrEmpty), so O2G refuses an empty target before sending;
   * spec ParkRequest: `parkTo` [0..1], omitted = the current device (OpenTouch).
   */
  park: { method: 'POST', service: T, path: (i) => calls(i, '/park'), body: (i) => ({ parkTo: i.destination }) } as Endpoint<CallRef & { destination?: string }>,
  /** SDK `pickUp`: `{otherCallRef, otherPhoneNumber, autoAnswer}`, no `loginName`. */
  pickUp: {
    method: 'POST', service: T, path: (i) => `/devices/${seg(i.deviceId)}/pickup`, noLoginName: true,
    body: (i) => ({ otherCallRef: i.callId, otherPhoneNumber: i.otherNumber, autoAnswer: false }),
  } as Endpoint<WithDevice & { otherNumber: string }>,
} satisfies Record<string, Endpoint<never>>;

/** User profile (the `users` service): devices (the `deviceId`s of telephony requests) and company phone. */
export const userProfile: Endpoint<{ login: string }> = { method: 'GET', service: 'users', path: (i) => `/${seg(i.login)}` };

/** Operations each platform lacks (the O2G SDK has no add-participant endpoint). */
export const TELEPHONY_UNSUPPORTED: Record<AlePlatform, ReadonlySet<string>> = {
  opentouch: new Set(),
  o2g: new Set(['addParticipant']),
};
