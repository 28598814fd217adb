/** The phones page's live log: one short line per thing the PBX did, in words a person reads at a glance. */
import type { AgentChange } from '../pbx/agents';
import type { PilotChange } from '../pbx/pilots';
import type { PbxChange, SimCause, SimRouteState } from '../pbx/types';
import type { LogEntry } from './model';
import { otherParty, phoneState } from './views';

const CAUSE: Record<SimCause, string> = {
  normal: 'hung up',
  abandoned: 'caller hung up',
  busy: 'busy',
  redirected: 'redirected',
  transferred: 'transferred',
  conferenced: 'conference',
  no_answer: 'not answered',
  picked_up: 'picked up',
  voicemail: 'sent to voicemail',
  participant_left: 'a participant left',
  distributed: 'from the queue',
  answered_elsewhere: 'answered elsewhere',
  rejected: 'rejected',
};

export function describeRouting(r: SimRouteState): string {
  const f = r.forward;
  const fwd = f ? `forward to ${f.destination} (${f.condition.replace(/_/g, ' ')})` : 'forward off';
  return `${fwd}, do not disturb ${r.dnd ? 'on' : 'off'}`;
}

/** `known`: the other party as last seen on this call (an ending call's view may list no one any more). */
export function describeChange(c: PbxChange, known?: string): { kind: LogEntry['kind']; text: string } | undefined {
  switch (c.kind) {
    case 'call': {
      const other = (c.view.participants.length === 0 && known) || otherParty(c.view).label;
      const devices = c.view.legs.map((l) => l.device).join(', ');
      if (c.action === 'removed') {
        const to = c.newDestination ? ` -> ${c.newDestination}` : '';
        return { kind: 'call', text: `${c.user}: call with ${other} ended (${CAUSE[c.cause]}${to})` };
      }
      const state = phoneState(c.view.state);
      const cause = c.cause ? ` (${CAUSE[c.cause]})` : '';
      if (c.action === 'created') {
        const what = c.view.direction === 'incoming' ? `call from ${other} ringing on ${devices}` : `calling ${other}`;
        return { kind: 'call', text: `${c.user}: ${what}${cause}` };
      }
      return { kind: 'call', text: `${c.user}: ${state} with ${other}${cause}` };
    }
    case 'routing':
      return { kind: 'routing', text: `${c.user}: ${describeRouting(c.routing)}` };
    case 'custom':
      return { kind: 'feature', text: `${c.user}: ${c.name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}` };
    // Free/busy follows from the call lines above: not worth a line of its own.
    case 'userState':
      return undefined;
  }
}

export function describePilot(c: PilotChange): string | undefined {
  const who = c.caller.name ?? (c.caller.number || 'anonymous');
  const q = `${c.pilot.name} (${c.pilot.number})`;
  if (c.kind === 'queued') return `${q}: ${who} waits in the queue (${c.queued} waiting)`;
  if (c.kind === 'removed' && c.cause === 'distributed') return `${q}: ${who} handed to agent ${c.agent.login} (${c.agent.number})`;
  if (c.kind === 'removed') return `${q}: ${who} gave up waiting`;
  return undefined;
}

export function describeAgent(c: AgentChange, groups: Record<string, string>): string {
  const g = c.state.group ? ` in ${groups[c.state.group] ?? c.state.group}` : '';
  return `${c.user}: agent ${c.state.activity.replace(/_/g, ' ')}${g}`;
}
