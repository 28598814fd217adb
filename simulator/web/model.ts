/**
 * What the phones page shows, built from the virtual PBX and its feature modules: one card per user (their calls,
 * per device, with the time each entered its state), one per CCD pilot, the calls of outside parties, and a log of
 * what the PBX did. Follows the PBX's change stream; the page gets a fresh snapshot after every burst of changes.
 */
import { EventEmitter } from 'node:events';
import type { AgentChange } from '../pbx/agents';
import type { PilotChange } from '../pbx/pilots';
import type { PbxChange, SimRouteState } from '../pbx/types';
import { VOICEMAIL_NUMBER, type VirtualPbx } from '../pbx/virtual-pbx';
import { simFeatures, type SimFeatures, type SimOverflow } from '../frontends/ale/operation-routes/features';
import { describeAgent, describeChange, describePilot } from './describe';
import { trafficSwitch, type TrafficState, type TrafficSwitch } from './traffic-switch';
import { otherParty, phoneState, type PhoneState } from './views';

export type { PhoneState } from './views';

export interface CallLine {
  ref: string;
  state: PhoneState;
  direction: 'incoming' | 'outgoing';
  /** The other party, as the phone would display it. */
  other: string;
  otherNumber: string;
  devices: Array<{ device: string; state: PhoneState }>;
  /** Epoch ms when the call entered `state` (the card's timer). */
  since: number;
  capabilities: string[];
}

export interface PhoneCard {
  login: string;
  name: string;
  number: string;
  devices: Array<{ device: string; state: PhoneState }>;
  state: PhoneState;
  calls: CallLine[];
  routing: SimRouteState;
  overflow: SimOverflow | null;
  agent?: { activity: string; group?: string; groupName?: string };
}

export interface QueueCard {
  number: string;
  name: string;
  group: string;
  waiting: Array<{ ref: string; caller: string; since: number }>;
  agents: Array<{ login: string; name: string; activity: string; busy: boolean }>;
  readyAgents: number;
}

/** A call an outside party (not a user of this PBX) is on: the page can act as that party. */
export interface OutsideLine {
  ref: string;
  number: string;
  state: PhoneState;
  /** The users on the call. */
  with: string;
  since: number;
}

export interface PageState {
  now: number;
  ringTimeoutMs: number;
  phones: PhoneCard[];
  queues: QueueCard[];
  outside: OutsideLine[];
  /** Numbers a caller may dial here, for the page's suggestions. */
  directory: Array<{ number: string; label: string }>;
  /** The generated calls (`--traffic`, the demo) and their pause switch. */
  traffic: TrafficState;
}

export interface LogEntry {
  seq: number;
  time: number;
  kind: 'call' | 'routing' | 'queue' | 'agent' | 'feature' | 'action' | 'error';
  text: string;
}

const LOG_KEEP = 300;
/** Changes come in bursts (one per party and device): one snapshot per burst. */
const SNAPSHOT_DELAY_MS = 15;

/** What a card shows when a user has several calls: the one that needs them most. */
const PRIORITY: PhoneState[] = ['talking', 'ringing', 'dialing', 'held'];

export class PageModel extends EventEmitter {
  readonly features: SimFeatures;
  private readonly traffic: TrafficSwitch;
  private readonly since = new Map<string, { state: PhoneState; at: number }>();
  private readonly waitingSince = new Map<string, { caller: string; at: number }>();
  /** The other party of each live call, per user, for the line that says it ended. */
  private readonly lastOther = new Map<string, string>();
  private readonly entries: LogEntry[] = [];
  private seq = 0;
  private timer?: NodeJS.Timeout;
  /** Overflow routes are feature state the PBX does not announce: watched instead (cheap, once a second). */
  private readonly overflowWatch: NodeJS.Timeout;
  private overflowSeen = '';
  private readonly onPbx = (c: PbxChange) => this.pbxChanged(c);
  private readonly onPilot = (c: PilotChange) => this.pilotChanged(c);
  private readonly onAgent = (c: AgentChange) => {
    this.log('agent', describeAgent(c, this.features.agents.groups));
    this.changed();
  };
  private readonly onTraffic = () => this.changed();

  constructor(readonly pbx: VirtualPbx) {
    super();
    this.features = simFeatures(pbx);
    this.traffic = trafficSwitch(pbx);
    this.traffic.on('change', this.onTraffic);
    pbx.on('change', this.onPbx);
    this.features.pilots.on('change', this.onPilot);
    this.features.agents.on('change', this.onAgent);
    this.overflowWatch = setInterval(() => {
      const seen = JSON.stringify([...this.features.overflow]);
      if (seen === this.overflowSeen) return;
      this.overflowSeen = seen;
      this.changed();
    }, 1000);
    this.overflowWatch.unref();
  }

  log(kind: LogEntry['kind'], text: string): void {
    const e: LogEntry = { seq: ++this.seq, time: Date.now(), kind, text };
    this.entries.push(e);
    if (this.entries.length > LOG_KEEP) this.entries.shift();
    this.emit('log', e);
  }

  recentLog(): LogEntry[] {
    return [...this.entries];
  }

  /** Something outside the change stream moved (an overflow route set over REST): send a snapshot. */
  changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.emit('state', this.snapshot());
    }, SNAPSHOT_DELAY_MS);
    this.timer.unref();
  }

  snapshot(): PageState {
    const now = Date.now();
    const { agents, pilots, overflow } = this.features;
    const phones: PhoneCard[] = this.pbx.users.filter((u) => !u.admin).map((u) => {
      const calls = this.pbx.viewsOf(u.login).map((v): CallLine => {
        const other = otherParty(v);
        const state = phoneState(v.state);
        return {
          ref: v.ref, state, direction: v.direction, other: other.label, otherNumber: other.number,
          devices: v.legs.map((l) => ({ device: l.device, state: phoneState(l.state) })),
          since: this.sinceOf(u.login, v.ref, state, now), capabilities: v.capabilities,
        };
      });
      const devices = u.devices.map((device) => {
        const states = calls.flatMap((c) => c.devices.filter((d) => d.device === device).map((d) => d.state));
        return { device, state: PRIORITY.find((s) => states.includes(s)) ?? 'idle' };
      });
      const a = agents.state(u.login);
      const card: PhoneCard = {
        login: u.login, name: u.name, number: u.number, devices, calls,
        state: PRIORITY.find((s) => calls.some((c) => c.state === s)) ?? 'idle',
        routing: this.pbx.routing(u.login), overflow: overflow.get(u.login) ?? null,
      };
      if (a.activity !== 'logged_off') card.agent = { activity: a.activity, group: a.group, groupName: a.group ? agents.groups[a.group] : undefined };
      return card;
    });
    const queues: QueueCard[] = pilots.pilots.map((p) => {
      const inGroup = this.pbx.users.filter((u) => agents.state(u.login).group === p.group);
      const list = inGroup.map((u) => ({ login: u.login, name: u.name, activity: agents.state(u.login).activity, busy: this.pbx.viewsOf(u.login).length > 0 }));
      return {
        number: p.number, name: p.name, group: p.group,
        waiting: pilots.queued(p.number).map((ref) => ({ ref, caller: this.waitingSince.get(ref)?.caller ?? '?', since: this.waitingSince.get(ref)?.at ?? now })),
        agents: list, readyAgents: list.filter((x) => x.activity === 'ready' && !x.busy).length,
      };
    });
    const services = new Set([...pilots.pilots.map((p) => p.number), VOICEMAIL_NUMBER]);
    const outside: OutsideLine[] = [];
    for (const c of this.pbx.calls()) {
      const users = c.parties.filter((p) => p.login);
      for (const p of c.parties) {
        if (p.login || !p.id.startsWith('ext-') || services.has(p.number)) continue;
        const state = phoneState(p.state);
        outside.push({ ref: p.ref, number: p.number, state, with: users.map((q) => q.login).join(', ') || c.parties.filter((q) => q !== p).map((q) => q.number).join(', '), since: this.sinceOf(`ext-${p.number}`, p.ref, state, now) });
      }
    }
    const directory = [
      ...phones.map((p) => ({ number: p.number, label: `${p.name} (${p.login})` })),
      ...pilots.pilots.map((p) => ({ number: p.number, label: `${p.name} queue` })),
      { number: VOICEMAIL_NUMBER, label: 'Voicemail' },
    ];
    this.forgetEnded(phones, outside);
    return { now, ringTimeoutMs: this.pbx.ringTimeoutMs, phones, queues, outside, directory, traffic: this.traffic.state };
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.overflowWatch);
    this.pbx.off('change', this.onPbx);
    this.traffic.off('change', this.onTraffic);
    this.features.pilots.off('change', this.onPilot);
    this.features.agents.off('change', this.onAgent);
    this.removeAllListeners();
  }

  private pbxChanged(c: PbxChange): void {
    let known: string | undefined;
    if (c.kind === 'call') {
      const key = `${c.user}|${c.view.ref}`;
      known = this.lastOther.get(key);
      if (c.action === 'removed') this.lastOther.delete(key);
      else if (c.view.participants.length > 0) this.lastOther.set(key, otherParty(c.view).label);
      if (this.lastOther.size > 10_000) this.lastOther.clear(); // calls dropped by a PBX reset never say goodbye
    }
    const line = describeChange(c, known);
    if (line) this.log(line.kind, line.text);
    this.changed();
  }

  private pilotChanged(c: PilotChange): void {
    if (c.kind === 'queued') this.waitingSince.set(c.callRef, { caller: c.caller.name ?? (c.caller.number || 'anonymous'), at: c.time });
    if (c.kind === 'removed') this.waitingSince.delete(c.callRef);
    const text = describePilot(c);
    if (text) this.log('queue', text);
    this.changed();
  }

  /** When a call entered its current state, per party (the timer restarts on every state change). */
  private sinceOf(who: string, ref: string, state: PhoneState, now: number): number {
    const key = `${who}|${ref}`;
    const s = this.since.get(key);
    if (s && s.state === state) return s.at;
    this.since.set(key, { state, at: now });
    return now;
  }

  private forgetEnded(phones: PhoneCard[], outside: OutsideLine[]): void {
    const live = new Set([...phones.flatMap((p) => p.calls.map((c) => `${p.login}|${c.ref}`)), ...outside.map((o) => `ext-${o.number}|${o.ref}`)]);
    for (const k of this.since.keys()) if (!live.has(k)) this.since.delete(k);
  }
}
