/**
 * The virtual PBX's CCD pilots: a number callers dial, answered by the PBX itself, which hands each call to a ready,
 * free agent of the pilot's processing group or queues it (first come, first served) until one is. Platform-neutral:
 * it emits `change` with a `PilotChange` and front-ends render it (O2G `OnPilotCall*`).
 */
import { EventEmitter } from 'node:events';
import type { SimAgents } from './agents';
import type { PbxChange } from './types';
import { SimError, type VirtualPbx } from './virtual-pbx';

export interface SimPilot {
  number: string;
  name: string;
  /** The processing group whose agents take the calls. */
  group: string;
}

/** Pilots every simulator has: "Support" distributes to the agents of processing group 5000. */
export const DEFAULT_PILOTS: SimPilot[] = [{ number: '5000', name: 'Support', group: '5000' }];

export interface PilotCaller {
  number: string;
  name?: string;
  login?: string;
}

export type PilotChange =
  | { kind: 'created'; pilot: SimPilot; callRef: string; caller: PilotCaller; time: number }
  /** No agent could take the call: it waits, `queued` calls in all (this one included). */
  | { kind: 'queued'; pilot: SimPilot; callRef: string; caller: PilotCaller; queued: number; time: number }
  | { kind: 'removed'; pilot: SimPilot; callRef: string; caller: PilotCaller; cause: 'distributed'; agent: { login: string; number: string }; time: number }
  | { kind: 'removed'; pilot: SimPilot; callRef: string; caller: PilotCaller; cause: 'abandoned'; time: number };

interface Waiting {
  callRef: string;
  caller: PilotCaller;
}

export class SimPilots extends EventEmitter {
  private readonly waiting = new Map<string, Waiting[]>();

  constructor(private readonly pbx: VirtualPbx, private readonly agents: SimAgents, readonly pilots: SimPilot[] = DEFAULT_PILOTS) {
    super();
    for (const p of pilots) {
      this.waiting.set(p.number, []);
      pbx.registerService(p.number, { name: p.name, arrived: (ref, caller) => this.arrived(p, ref, caller), left: (ref) => this.left(p, ref) });
    }
    // A queued call goes to the first agent who becomes ready, or who is ready and just got free.
    agents.on('change', (c: { state: { activity: string } }) => {
      if (c.state.activity === 'ready') this.drain();
    });
    pbx.on('change', (c: PbxChange) => {
      if (c.kind === 'userState' && c.state === 'free') this.drain();
    });
  }

  pilot(number: string): SimPilot | undefined {
    return this.pilots.find((p) => p.number === number);
  }

  /** Calls waiting on a pilot, oldest first. */
  queued(number: string): string[] {
    return (this.waiting.get(number) ?? []).map((w) => w.callRef);
  }

  private arrived(p: SimPilot, callRef: string, caller: PilotCaller): void {
    this.emit('change', { kind: 'created', pilot: p, callRef, caller, time: Date.now() } satisfies PilotChange);
    const queue = this.waiting.get(p.number)!;
    const agent = queue.length === 0 ? this.freeAgent(p) : undefined;
    if (agent) return this.distribute(p, { callRef, caller }, agent);
    queue.push({ callRef, caller });
    this.emit('change', { kind: 'queued', pilot: p, callRef, caller, queued: queue.length, time: Date.now() } satisfies PilotChange);
  }

  private left(p: SimPilot, callRef: string): void {
    const queue = this.waiting.get(p.number)!;
    const i = queue.findIndex((w) => w.callRef === callRef);
    if (i < 0) return;
    const [w] = queue.splice(i, 1);
    this.emit('change', { kind: 'removed', pilot: p, callRef, caller: w.caller, cause: 'abandoned', time: Date.now() } satisfies PilotChange);
  }

  private drain(): void {
    for (const p of this.pilots) {
      const queue = this.waiting.get(p.number)!;
      let agent: { login: string; number: string } | undefined;
      while (queue.length > 0 && (agent = this.freeAgent(p))) this.distribute(p, queue.shift()!, agent);
    }
  }

  private distribute(p: SimPilot, w: Waiting, agent: { login: string; number: string }): void {
    // The pilot event first, as O2G reports the call leaving the queue before it rings at the agent.
    this.emit('change', { kind: 'removed', pilot: p, callRef: w.callRef, caller: w.caller, cause: 'distributed', agent, time: Date.now() } satisfies PilotChange);
    try {
      this.pbx.distribute(w.callRef, agent.number);
    } catch (err) {
      // The call vanished without telling us (a PBX reset): nothing left to hand over.
      if (!(err instanceof SimError)) throw err;
    }
  }

  /** A ready agent of the pilot's group with no call, on the device they logged on from. */
  private freeAgent(p: SimPilot): { login: string; number: string } | undefined {
    for (const u of this.pbx.users) {
      const s = this.agents.state(u.login);
      if (s.activity === 'ready' && s.group === p.group && this.pbx.viewsOf(u.login).length === 0) return { login: u.login, number: s.device ?? u.number };
    }
    return undefined;
  }
}
