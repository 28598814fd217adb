/**
 * The virtual PBX's call-center (CCD) agents: one agent state per user and a few processing groups.
 * Platform-neutral: front-ends render the state in their dialect (O2G `OperatorState`). Emits `change` with
 * an `AgentChange` after every state change, so front-ends can send their own notification.
 */
import { EventEmitter } from 'node:events';
import { SimError, type VirtualPbx } from './virtual-pbx';

/** Logged off; logged on and ready, paused, or logged on out of any group (no group given). */
export type SimAgentActivity = 'logged_off' | 'ready' | 'paused' | 'out_of_group';

export interface SimAgentState {
  activity: SimAgentActivity;
  /** The processing group the agent is in. */
  group?: string;
  /** The device the agent logged on from. */
  device?: string;
}

export interface AgentChange {
  user: string;
  state: SimAgentState;
}

/** Processing groups every simulator has (number -> name). */
export const DEFAULT_GROUPS: Record<string, string> = { '5000': 'Support', '5001': 'Sales' };

export class SimAgents extends EventEmitter {
  private readonly states = new Map<string, SimAgentState>();

  constructor(private readonly pbx: VirtualPbx, readonly groups: Record<string, string> = DEFAULT_GROUPS) {
    super();
  }

  state(user: string): SimAgentState {
    return { ...(this.states.get(user) ?? { activity: 'logged_off' }) };
  }

  /** Logs the agent on from `device`, into `group` when given (ready at once, as CCD agents are). */
  logon(user: string, device: string, group?: string): SimAgentState {
    const u = this.pbx.user(user);
    if (!u) throw new SimError('not_found', `unknown user ${user}`);
    if (!u.devices.includes(device)) throw new SimError('bad_parameter', `device ${device} is not a device of ${user}`);
    if (group !== undefined && !(group in this.groups)) throw new SimError('not_found', `unknown processing group ${group}`);
    return this.set(user, { activity: group === undefined ? 'out_of_group' : 'ready', group, device });
  }

  /** Logging off a logged-off agent does nothing (as on O2G). */
  logoff(user: string): SimAgentState {
    if (this.state(user).activity === 'logged_off') return this.state(user);
    return this.set(user, { activity: 'logged_off' });
  }

  /** Ready or paused: only for an agent logged on into a group. */
  setActivity(user: string, activity: 'ready' | 'paused'): SimAgentState {
    const cur = this.state(user);
    if (cur.activity === 'logged_off') throw new SimError('bad_state', `${user} is not logged on as an agent`);
    if (cur.group === undefined) throw new SimError('bad_state', `${user} is not in a processing group`);
    if (cur.activity === activity) return cur;
    return this.set(user, { ...cur, activity });
  }

  private set(user: string, state: SimAgentState): SimAgentState {
    this.states.set(user, state);
    this.emit('change', { user, state: { ...state } } satisfies AgentChange);
    return { ...state };
  }
}
