/**
 * The virtual PBX's call-center pilots and agents as app_queue shows them on AMI (AST:apps/app_queue.c; FreePBX
 * members are `Local/<ext>@from-queue/n` with state interface `hint:<ext>@ext-local`): a pilot is a queue named by
 * its number, an agent logged on into the pilot's group is a dynamic member.
 *
 *   caller arrives            QueueCallerJoin (Position, Count)
 *   handed to an agent        AgentCalled when the agent's phone rings, AgentConnect + QueueCallerLeave when answered
 *   caller gives up           QueueCallerAbandon (Position, OriginalPosition, HoldTime)
 *   agent logs on / off       QueueMemberAdded / QueueMemberRemoved
 *   agent ready / paused      QueueMemberPause
 *   agent's phone busy / free QueueMemberStatus (Status 2 INUSE / 1 NOT_INUSE, InCall)
 *
 * QueueStatus and QueueSummary answer from the same state, for a client's resync.
 */
import type { AgentChange, SimAgents, SimAgentState } from '../../pbx/agents';
import type { PilotChange, SimPilot, SimPilots } from '../../pbx/pilots';
import type { PbxChange, SimUser } from '../../pbx/types';
import type { VirtualPbx } from '../../pbx/virtual-pbx';
import { snapshot, type SimChan } from './channels';
import type { AmiOut, AmiRenderer } from './render';

type Pairs = Array<[string, string | number | undefined]>;

interface Waiting {
  uuid: string;
  chan: SimChan;
  joinedAt: number;
  position: number;
}

interface Handed {
  pilot: SimPilot;
  agent: { login: string; number: string };
  chan: SimChan;
  joinedAt: number;
  position: number;
  rangAt?: number;
  agentChan?: SimChan;
}

const secondsSince = (t: number) => Math.max(0, Math.round((Date.now() - t) / 1000));

export class AmiQueues {
  /** pilot number -> callers waiting, in order. */
  private readonly waiting = new Map<string, Waiting[]>();
  /** call uuid -> handed to an agent, not answered yet. */
  private readonly handed = new Map<string, Handed>();
  private readonly onAgent: (c: AgentChange) => void;
  private readonly onPilot: (c: PilotChange) => void;
  private readonly inCall = new Set<string>();
  private readonly stats = new Map<string, { completed: number; abandoned: number }>();
  /** Each user's agent state as last rendered (what changed decides the event). */
  private readonly last: Map<string, SimAgentState>;

  constructor(
    private readonly pbx: VirtualPbx,
    private readonly agents: SimAgents,
    private readonly pilots: SimPilots,
    private readonly renderer: AmiRenderer,
    private readonly userOf: (login: string) => SimUser | undefined,
    private readonly emit: (out: AmiOut[]) => void,
  ) {
    this.onAgent = (c) => this.emit(this.agentChanged(c));
    this.onPilot = (c) => this.emit(this.pilotChanged(c));
    agents.on('change', this.onAgent);
    pilots.on('change', this.onPilot);
    this.last = new Map(pbx.users.map((u) => [u.login, agents.state(u.login)]));
  }

  close(): void {
    this.agents.off('change', this.onAgent);
    this.pilots.off('change', this.onPilot);
  }

  /** After the renderer rendered a PBX change: the agent's side of a queue call, and members' busy states. */
  afterChange(c: PbxChange): AmiOut[] {
    if (c.kind === 'userState') return this.memberStatus(c.user, c.state === 'busy');
    if (c.kind !== 'call') return [];
    const h = this.handed.get(c.view.uuid);
    if (!h || h.agent.login !== c.user) return [];
    const queue = h.pilot.number;
    const member = this.memberPairs(h.agent.login);
    if (c.action === 'removed') {
      this.handed.delete(c.view.uuid);
      const out: AmiOut[] = [];
      if (h.agentChan) out.push(agentEv('AgentRingNoAnswer', h.chan, h.agentChan, [['Queue', queue], ...member, ['RingTime', secondsSince(h.rangAt ?? Date.now())]]));
      // The caller hung up while the agent's phone rang: the queue call is abandoned.
      if (!this.pbx.calls().some((x) => x.uuid === c.view.uuid)) out.push(this.abandon(queue, h.chan, h.position, h.joinedAt));
      return out;
    }
    if (!h.agentChan) {
      const chan = this.renderer.chanOf(c.user, c.view.ref);
      if (!chan) return [];
      h.agentChan = chan;
      h.rangAt = Date.now();
      return [agentEv('AgentCalled', h.chan, chan, [['Queue', queue], ...member])];
    }
    if (c.view.state !== 'active') return [];
    this.handed.delete(c.view.uuid);
    this.count(queue).completed++;
    return [
      agentEv('AgentConnect', h.chan, h.agentChan, [['Queue', queue], ...member, ['HoldTime', secondsSince(h.joinedAt)], ['RingTime', secondsSince(h.rangAt ?? Date.now())]]),
      { cls: 'agent', pairs: [['Event', 'QueueCallerLeave'], ...snapshot(h.chan), ['Queue', queue], ['Count', this.queued(queue).length], ['Position', 1]] },
    ];
  }

  /** QueueStatus list items: per queue its QueueParams, members and waiting callers (optionally one queue / member). */
  status(queue: string | undefined, member: string | undefined): Pairs[] {
    const items: Pairs[] = [];
    for (const p of this.pilots.pilots) {
      if (queue && queue !== p.number) continue;
      const waiting = this.queued(p.number);
      const s = this.count(p.number);
      if (!member) {
        items.push([['Event', 'QueueParams'], ['Queue', p.number], ['Max', 0], ['Strategy', 'ringall'], ['Calls', waiting.length], ['Holdtime', 0], ['TalkTime', 0],
          ['Completed', s.completed], ['Abandoned', s.abandoned], ['ServiceLevel', 60], ['ServicelevelPerf', 0], ['ServicelevelPerf2', 0], ['Weight', 0]]);
      }
      for (const u of this.members(p)) {
        if (member && member !== iface(u.number)) continue;
        items.push([['Event', 'QueueMember'], ['Queue', p.number], ['Name', u.number], ['Location', iface(u.number)], ['StateInterface', `hint:${u.number}@ext-local`],
          ['Membership', 'dynamic'], ['Penalty', 0], ['CallsTaken', 0], ['LastCall', 0], ['LastPause', 0], ['LoginTime', 0], ['InCall', this.inCall.has(u.login) ? 1 : 0],
          ['Status', this.inCall.has(u.login) ? 2 : 1], ['Paused', this.agents.state(u.login).activity === 'paused' ? 1 : 0], ['PausedReason', ''], ['Wrapuptime', 0]]);
      }
      if (member) continue;
      waiting.forEach((w, i) => items.push([['Event', 'QueueEntry'], ['Queue', p.number], ['Position', i + 1], ['Channel', w.chan.name], ['Uniqueid', w.chan.uniqueid],
        ['CallerIDNum', w.chan.callerNum || '<unknown>'], ['CallerIDName', w.chan.callerName || '<unknown>'], ['ConnectedLineNum', '<unknown>'], ['ConnectedLineName', '<unknown>'],
        ['Wait', secondsSince(w.joinedAt)], ['Priority', 0]]));
    }
    return items;
  }

  /** QueueSummary list items. */
  summary(queue: string | undefined): Pairs[] {
    return this.pilots.pilots.filter((p) => !queue || queue === p.number).map((p) => {
      const ms = this.members(p);
      const available = ms.filter((u) => this.agents.state(u.login).activity === 'ready' && !this.inCall.has(u.login)).length;
      const waiting = this.queued(p.number);
      return [['Event', 'QueueSummary'], ['Queue', p.number], ['LoggedIn', ms.length], ['Available', available], ['Callers', waiting.length],
        ['HoldTime', 0], ['TalkTime', 0], ['LongestHoldTime', waiting.length ? secondsSince(waiting[0].joinedAt) : 0]];
    });
  }

  /** Whether `queue` is a pilot's queue (QueueAdd/QueuePause/QueueRemove then drive the PBX's agents). */
  isPilot(queue: string | undefined): boolean {
    return !!queue && this.pilots.pilot(queue) !== undefined;
  }

  /** Queues a member interface (`Local/202@from-queue/n`) belongs to. */
  queuesOf(memberIface: string): string[] {
    return this.pilots.pilots.filter((p) => this.members(p).some((u) => iface(u.number) === memberIface)).map((p) => p.number);
  }

  /** The pilot queue's group (the processing group its agents log on into). */
  groupOf(queue: string): string | undefined {
    return this.pilots.pilot(queue)?.group;
  }

  // ---- callers ----------------------------------------------------------------------------------------------

  private pilotChanged(c: PilotChange): AmiOut[] {
    const uuid = this.pbx.calls().find((x) => x.id === c.callRef)?.uuid;
    const queue = c.pilot.number;
    const list = this.queued(queue);
    switch (c.kind) {
      case 'created': {
        if (!uuid) return [];
        const { chan, out } = this.renderer.queueCaller(uuid, c.caller, queue);
        const w: Waiting = { uuid, chan, joinedAt: Date.now(), position: list.length + 1 };
        list.push(w);
        out.push({ cls: 'agent', pairs: [['Event', 'QueueCallerJoin'], ...snapshot(chan), ['Queue', queue], ['Position', w.position], ['Count', list.length]] });
        return out;
      }
      case 'queued':
        return [];
      case 'removed': {
        const i = list.findIndex((w) => w.uuid === uuid || (!uuid && !this.pbx.calls().some((x) => x.uuid === w.uuid)));
        if (i < 0) return [];
        const [w] = list.splice(i, 1);
        if (c.cause === 'distributed') {
          this.handed.set(w.uuid, { pilot: c.pilot, agent: c.agent, chan: w.chan, joinedAt: w.joinedAt, position: i + 1 });
          return [];
        }
        const out = [this.abandon(queue, w.chan, i + 1, w.joinedAt, w.position)];
        // The caller's trunk channel goes once the PBX has dropped the call.
        queueMicrotask(() => this.emit(this.renderer.sweepTrunks(new Set(this.pbx.calls().map((x) => x.uuid)))));
        return out;
      }
    }
  }

  private abandon(queue: string, chan: SimChan, position: number, joinedAt: number, original = position): AmiOut {
    this.count(queue).abandoned++;
    return { cls: 'agent', pairs: [['Event', 'QueueCallerAbandon'], ...snapshot(chan), ['Queue', queue], ['Position', position], ['OriginalPosition', original], ['HoldTime', secondsSince(joinedAt)]] };
  }

  // ---- members ----------------------------------------------------------------------------------------------

  private agentChanged(c: AgentChange): AmiOut[] {
    const before = this.last.get(c.user) ?? { activity: 'logged_off' as const };
    this.last.set(c.user, c.state);
    const u = this.userOf(c.user);
    if (!u) return [];
    const out: AmiOut[] = [];
    const wasIn = before.activity === 'ready' || before.activity === 'paused' ? before.group : undefined;
    const isIn = c.state.activity === 'ready' || c.state.activity === 'paused' ? c.state.group : undefined;
    for (const p of this.pilots.pilots) {
      const was = wasIn === p.group;
      const is = isIn === p.group;
      if (!was && is) out.push(this.member('QueueMemberAdded', u, p));
      else if (was && !is) out.push(this.member('QueueMemberRemoved', u, p));
      else if (was && is && before.activity !== c.state.activity) out.push(this.member('QueueMemberPause', u, p));
    }
    return out;
  }

  private memberStatus(login: string, busy: boolean): AmiOut[] {
    if (busy === this.inCall.has(login)) return [];
    if (busy) this.inCall.add(login);
    else this.inCall.delete(login);
    const u = this.userOf(login);
    if (!u) return [];
    return this.pilots.pilots.filter((p) => this.members(p).some((m) => m.login === login)).map((p) => this.member('QueueMemberStatus', u, p));
  }

  private member(event: string, u: SimUser, p: SimPilot): AmiOut {
    const s = this.agents.state(u.login);
    const busy = this.inCall.has(u.login);
    return { cls: 'agent', pairs: [
      ['Event', event], ['Queue', p.number], ['MemberName', u.number], ['Interface', iface(u.number)], ['StateInterface', `hint:${u.number}@ext-local`],
      ['Membership', 'dynamic'], ['Penalty', 0], ['CallsTaken', 0], ['LastCall', 0], ['LastPause', 0], ['LoginTime', 0], ['InCall', busy ? 1 : 0],
      ['Status', busy ? 2 : 1], ['Paused', s.activity === 'paused' ? 1 : 0], ['PausedReason', ''], ['Ringinuse', 0], ['Wrapuptime', 0],
    ] };
  }

  private memberPairs(login: string): Pairs {
    const n = this.userOf(login)?.number ?? login;
    return [['MemberName', n], ['Interface', iface(n)]];
  }

  private members(p: SimPilot): SimUser[] {
    return this.pbx.users.filter((u) => {
      const s = this.agents.state(u.login);
      return (s.activity === 'ready' || s.activity === 'paused') && s.group === p.group;
    });
  }

  private queued(queue: string): Waiting[] {
    let list = this.waiting.get(queue);
    if (!list) this.waiting.set(queue, (list = []));
    return list;
  }

  private count(queue: string): { completed: number; abandoned: number } {
    let s = this.stats.get(queue);
    if (!s) this.stats.set(queue, (s = { completed: 0, abandoned: 0 }));
    return s;
  }
}

/** FreePBX's queue member interface for an extension. */
export function iface(ext: string): string {
  return `Local/${ext}@from-queue/n`;
}

function agentEv(name: string, caller: SimChan, member: SimChan, extra: Pairs): AmiOut {
  return { cls: 'agent', pairs: [['Event', name], ...snapshot(caller), ...snapshot(member, 'Dest'), ...extra] };
}
