/** How a phone shows a call: its state in a person's words and the other party's label. */
import type { SimCallView, SimLegState } from '../pbx/types';

/** A phone's state as a person reads it. */
export type PhoneState = 'idle' | 'dialing' | 'ringing' | 'talking' | 'held';

export function phoneState(s: SimLegState): PhoneState {
  switch (s) {
    case 'ringing_incoming': return 'ringing';
    case 'active': return 'talking';
    case 'held': return 'held';
    default: return 'dialing';
  }
}

/** The other party as the phone would display it (the first one, "+N" for a conference). */
export function otherParty(v: SimCallView): { label: string; number: string } {
  const p = v.participants[0];
  if (!p) return { label: v.initialCalled?.name ?? v.initialCalled?.number ?? '?', number: v.initialCalled?.number ?? '' };
  if (p.anonymous) return { label: 'anonymous', number: '' };
  const more = v.participants.length > 1 ? ` +${v.participants.length - 1}` : '';
  return { label: `${p.name ?? p.number}${more}`, number: p.number };
}
