/**
 * Virtual PBX call views in TelServices words: a device's calls as one `call` element (`primCall` = the first
 * existing call, `secCall` = the second), states, causes and `permittedServices` as TelServer reports them.
 */
import type { SimCallView, SimCause, SimLegState } from '../../pbx/types';
import type { CallServiceName, CallStateName } from '../../../shared/platforms/telservices/schema';
import type { TsCall, TsCallInfo } from '../../../shared/platforms/telservices/types';

export const STATE: Record<SimLegState, CallStateName> = {
  dialing: 'originated',
  ringing_outgoing: 'delivered',
  ringing_incoming: 'alerting',
  active: 'connected',
  held: 'hold',
};

/** Causes a departing or changing call carries; `undefined`: none (a plain clear). */
export const CAUSE: Partial<Record<SimCause, TsCallInfo['cause']>> = {
  busy: 'busy',
  redirected: 'redirect',
  transferred: 'transfer',
  conferenced: 'conference',
  abandoned: 'droppedByOtherParty',
  distributed: 'route',
  // TelServer's causes have no "rejected" (A.9.6): the declining device's call clears with `busy`, the caller's fails busy.
  rejected: 'busy',
};

export interface RenderedCall {
  view: SimCallView;
  /** Ended: rendered `cleared` (or `failed` when refused busy before it connected). */
  ended?: { cause?: SimCause };
  cause?: SimCause;
  connectedAt?: number;
}

export function callInfo(c: RenderedCall, now: number, withReference: boolean): TsCallInfo {
  const v = c.view;
  const other = v.participants[0];
  const number = other ? (other.anonymous || !other.number ? `*****-${v.ref}` : other.number) : '';
  const info: TsCallInfo = {
    state: c.ended ? (c.ended.cause === 'busy' && !c.connectedAt ? 'failed' : 'cleared') : STATE[v.state],
    otherParty: { number, ...(other?.name && !other.anonymous ? { name: other.name } : {}) },
  };
  if (v.participants.length > 1) info.addedParties = v.participants.slice(1).map((p) => ({ number: p.number || `*****-${v.ref}`, ...(p.name ? { name: p.name } : {}) }));
  if (v.direction === 'incoming' && v.initialCalled && other && v.initialCalled.number && v.initialCalled.number !== number) {
    info.firstCalledParty = { number: v.initialCalled.number };
  }
  info.duration = c.connectedAt && !c.ended ? Math.max(0, Math.floor((now - c.connectedAt) / 1000)) : 0;
  info.isOutgoing = v.direction === 'outgoing';
  info.isConference = v.participants.length > 1;
  if (withReference) info.callReference = v.ref;
  const cause = CAUSE[(c.ended?.cause ?? c.cause) as SimCause];
  if (cause) info.cause = cause;
  return info;
}

/** What the device may do now, by the states of its (at most two) calls. */
export function permitted(calls: RenderedCall[]): CallServiceName[] {
  const live = calls.filter((c) => !c.ended).map((c) => c.view.state);
  const out = new Set<CallServiceName>();
  const active = live.includes('active');
  const held = live.includes('held');
  for (const s of live) {
    if (s === 'ringing_incoming') ['answerCall', 'divertCall'].forEach((x) => out.add(x as CallServiceName));
    if (s === 'active') ['holdCall', 'dropCall', 'divertCall', 'consultationCall'].forEach((x) => out.add(x as CallServiceName));
    if (s === 'held') ['retrieveCall', 'dropCall'].forEach((x) => out.add(x as CallServiceName));
    if (s === 'dialing' || s === 'ringing_outgoing') out.add('dropCall');
  }
  if (held && (active || live.includes('ringing_outgoing'))) ['reconnectCall', 'transferCall'].forEach((x) => out.add(x as CallServiceName));
  if (held && active) ['alternateCall', 'conferenceCall'].forEach((x) => out.add(x as CallServiceName));
  return [...out];
}

export function renderCall(id: string, calls: RenderedCall[], now: number, withReference: boolean): TsCall {
  const out: TsCall = { id };
  if (calls[0]) out.primCall = callInfo(calls[0], now, withReference);
  if (calls[1]) out.secCall = callInfo(calls[1], now, withReference);
  out.permittedServices = permitted(calls);
  return out;
}
