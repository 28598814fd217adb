/**
 * What the normalizer remembers about AMI channels (one leg each, keyed by Uniqueid) and the small facts it derives
 * from channel names: whose phone a channel is, and which Local channel halves belong together.
 */
import type { Party } from '../../model/events';
import type { Cause } from '../../model/observations';

export interface Chan {
  id: string;
  name: string;
  /** The call this leg belongs to for its user: its Linkedid when first seen. */
  call: string;
  /** The monitored extension whose phone this is; undefined for trunks and Local channels. */
  user?: string;
  /** `Local/<x>@<ctx>-<n>` halves: the pair's base name and which half. */
  local?: { base: string; half: 1 | 2 };
  role?: 'caller' | 'callee';
  context?: string;
  exten?: string;
  callerNum?: string;
  callerName?: string;
  /** The other party as this leg knows it. */
  peer?: Party;
  rang: boolean;
  answered: boolean;
  /** The leg is on this user's call record (announced to the tracker). */
  shown: boolean;
  /** The outgoing side already reported dialing out. */
  dialing: boolean;
  held: boolean;
  /** When the leg started ringing (the normalizer's answer sequence), for "answered elsewhere". */
  ringSeq: number;
  dialStatus?: string;
  /** Set by a transfer or forward seen on this leg, used when it hangs up. */
  cause?: Cause;
  newDestination?: Party;
  /** A Local `;2` (or the leg itself) that was answered by this real channel. */
  answeredBy?: string;
  /** The channel whose DialBegin created this leg. */
  dialedBy?: string;
  /** Click-to-call: the destination we originated this leg for. */
  originateTo?: string;
}

const LOCAL = /^Local\/(.+);([12])$/;

/** `PJSIP/201-0000001a` -> `{ tech: 'PJSIP', resource: '201' }`; Local and odd names give undefined resource. */
export function endpointOf(name: string): { tech: string; resource: string } | undefined {
  const slash = name.indexOf('/');
  if (slash <= 0) return undefined;
  const tech = name.slice(0, slash);
  if (tech === 'Local') return undefined;
  let rest = name.slice(slash + 1);
  const dash = rest.lastIndexOf('-');
  if (dash > 0) rest = rest.slice(0, dash);
  return rest ? { tech, resource: rest } : undefined;
}

export function localOf(name: string): Chan['local'] {
  if (!name.startsWith('Local/')) return undefined;
  const m = LOCAL.exec(name);
  return m ? { base: m[1], half: m[2] === '1' ? 1 : 2 } : undefined;
}

/** The name of the other half of a Local channel. */
export function otherHalf(name: string): string | undefined {
  const l = localOf(name);
  return l ? `Local/${l.base};${l.half === 1 ? 2 : 1}` : undefined;
}

/** `<unknown>` and empty values are no party. */
export function partyOf(num: string | undefined, name: string | undefined): Party | undefined {
  const n = num && num !== '<unknown>' ? num : undefined;
  if (!n) return undefined;
  const p: Party = { number: n };
  if (name && name !== '<unknown>' && name !== n) p.name = name;
  return p;
}
