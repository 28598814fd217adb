/**
 * The virtual PBX: users, devices, calls with parties and legs, and the usual call control. It knows nothing
 * about wire formats; it emits `change` events (`PbxChange`), one per user view that changed, in the order a
 * real PBX would notify them. Front-ends render those changes in their own dialect.
 */
import { EventEmitter } from 'node:events';
import type { PbxChange, SimCallView, SimCause, SimGroupInfo, SimLegState, SimPartyInfo, SimRingGroup, SimRouteState, SimUser } from './types';

/** The number calls go to when sent to voicemail. */
export const VOICEMAIL_NUMBER = '8000';

interface Party {
  pid: string;
  user?: SimUser;
  number: string;
  name?: string;
  /** The call reference this party knows the call by (parties merged in from another call keep theirs). */
  ref: string;
  role: 'caller' | 'callee';
  state: SimLegState;
  legs: Map<string, SimLegState>;
  anonymous: boolean;
  /** Shown as the participant's login when there is no `user` (a refusing user, who must get no events). */
  login?: string;
  /** The service number (a CCD pilot) holding the call for now: it has no phone and gets no events. */
  service?: string;
  /** A ring group's member: the group's number (kept after the member answers). */
  memberOf?: string;
  /** The member's phone rings for the group: it sees only the caller, and the caller does not see it yet. */
  ringingFor?: string;
  /** The group itself, as the caller sees it while its members ring (no phone, no events). */
  groupSlot?: boolean;
}

interface Call {
  id: string;
  uuid: string;
  parties: Party[];
  initialCalled?: { number: string; login?: string; name?: string };
  ringTimer?: NodeJS.Timeout;
  /** The ring group the call came through. */
  group?: SimRingGroup;
  /** Hunt: the members still to ring, in order. */
  huntNext?: SimUser[];
}

export interface MakeCallOptions {
  device?: string;
  /** Hide the caller's identity. */
  anonymous?: boolean;
}

export interface SimCallSummary {
  id: string;
  uuid: string;
  parties: Array<{ id: string; login?: string; number: string; ref: string; state: SimLegState; devices: string[] }>;
}

/**
 * A number answered by the PBX itself (a CCD pilot): the call waits on it, the caller hearing it ring, until the
 * service hands it to someone (`distribute`) or the caller gives up (`left`).
 */
export interface PbxService {
  name: string;
  arrived(callRef: string, caller: { number: string; name?: string; login?: string }): void;
  /** The call ended while the service held it (the caller hung up). */
  left(callRef: string): void;
}

export class SimError extends Error {
  constructor(readonly kind: 'not_found' | 'bad_state' | 'bad_parameter', message: string) {
    super(message);
    this.name = 'SimError';
  }
}

export interface VirtualPbxOptions {
  users: SimUser[];
  /** Ring-no-answer timeout. Default 30 s. */
  ringTimeoutMs?: number;
  now?: () => number;
  /** Ring groups (more can be added with `addGroup`). */
  groups?: SimRingGroup[];
}

export class VirtualPbx extends EventEmitter {
  readonly users: SimUser[];
  private readonly live = new Map<string, Call>();
  private readonly byRef = new Map<string, Call>();
  private readonly routingOf = new Map<string, SimRouteState>();
  private readonly lastUserState = new Map<string, 'free' | 'busy'>();
  private readonly services = new Map<string, PbxService>();
  private readonly ringGroups = new Map<string, SimRingGroup>();
  private readonly now: () => number;
  private seq = 0;
  ringTimeoutMs: number;

  constructor(o: VirtualPbxOptions) {
    super();
    this.users = o.users;
    this.ringTimeoutMs = o.ringTimeoutMs ?? 30_000;
    this.now = o.now ?? Date.now;
    for (const u of o.users) this.routingOf.set(u.login, { forward: null, dnd: false });
    for (const g of o.groups ?? []) this.addGroup(g);
  }

  // ---- ring groups ------------------------------------------------------------------------------------

  /** A ring group: calls to its number ring its members (all at once, or in turn). */
  addGroup(g: SimRingGroup): void {
    if (!/^\d{2,10}$/.test(g.number) || this.user(g.number) || this.services.has(g.number)) throw new SimError('bad_parameter', `${g.number} cannot be a ring group number`);
    const members = g.members.map((m) => this.mustUser(m));
    if (members.length === 0 || members.some((u) => u.admin)) throw new SimError('bad_parameter', `ring group ${g.number} needs members with phones`);
    if (g.ringMs !== undefined && !(g.ringMs > 0)) throw new SimError('bad_parameter', 'ringMs must be positive');
    this.ringGroups.set(g.number, { ...g, members: members.map((u) => u.login) });
  }

  /** The ring groups, for front-ends and the phones page. */
  groups(): SimRingGroup[] {
    return [...this.ringGroups.values()].map((g) => ({ ...g, members: [...g.members] }));
  }

  // ---- look-ups ---------------------------------------------------------------------------------------

  /** A user by login, extension or one of their device numbers. */
  user(key: string): SimUser | undefined {
    return this.users.find((u) => u.login === key || (u.number !== '' && u.number === key) || u.devices.includes(key));
  }

  /** Every live call, for tests and the CLI. */
  calls(): SimCallSummary[] {
    return [...this.live.values()].map((c) => ({
      id: c.id,
      uuid: c.uuid,
      parties: c.parties.map((p) => ({ id: p.pid, login: p.user?.login, number: p.number, ref: p.ref, state: p.state, devices: [...p.legs.keys()] })),
    }));
  }

  /** The calls of a user as they see them (what a "list calls" or "telephony state" request returns). */
  viewsOf(login: string): SimCallView[] {
    const out: SimCallView[] = [];
    for (const c of this.live.values()) for (const p of c.parties) if (p.user?.login === login) out.push(this.view(c, p));
    return out;
  }

  /** One call as a user sees it, by any of its references. */
  viewOf(ref: string, login: string): SimCallView | undefined {
    const c = this.byRef.get(ref);
    const p = c?.parties.find((q) => q.user?.login === login);
    return c && p ? this.view(c, p) : undefined;
  }

  routing(login: string): SimRouteState {
    const r = this.routingOf.get(login);
    if (!r) throw new SimError('not_found', `unknown user ${login}`);
    return { forward: r.forward ? { ...r.forward } : null, dnd: r.dnd };
  }

  // ---- call control -----------------------------------------------------------------------------------

  /** `fromUser` dials `toNumber` (a user's extension or login, or any outside number). Returns the call reference. */
  makeCall(fromUser: string, toNumber: string, opts: MakeCallOptions = {}): string {
    const u = this.mustUser(fromUser);
    const device = opts.device ?? u.devices[0];
    if (!device || !u.devices.includes(device)) throw new SimError('bad_parameter', `${u.login} has no device ${opts.device ?? ''}`);
    if (!toNumber) throw new SimError('bad_parameter', 'no destination');
    const call = this.newCall();
    call.initialCalled = this.calledParty(toNumber);
    const caller = this.party(call, u, u.number, 'caller', 'ringing_outgoing', [device]);
    caller.anonymous = opts.anonymous === true;
    call.parties.push(caller);
    this.route(call, toNumber, undefined, 0);
    return call.id;
  }

  /**
   * An outside caller (`fromNumber`, no user of this PBX) dials in: to a user, a service (CCD pilot) or voicemail.
   * The caller has no phone here, so only the callee's side produces changes. Returns the call reference.
   */
  callFromOutside(fromNumber: string, toNumber: string, opts: { anonymous?: boolean; name?: string } = {}): string {
    if (!/^\+?\d{2,20}$/.test(fromNumber) || this.user(fromNumber)) throw new SimError('bad_parameter', `${fromNumber} is not an outside number`);
    const target = this.user(toNumber);
    const service = target ? undefined : this.services.get(toNumber) ?? this.ringGroups.get(toNumber);
    if ((!target || target.admin) && !service && toNumber !== VOICEMAIL_NUMBER) throw new SimError('bad_parameter', `${toNumber} is not a phone of this PBX`);
    const call = this.newCall();
    call.initialCalled = this.calledParty(toNumber);
    const caller = this.party(call, undefined, fromNumber, 'caller', 'ringing_outgoing', []);
    caller.anonymous = opts.anonymous === true;
    if (opts.name) caller.name = opts.name;
    call.parties.push(caller);
    this.route(call, toNumber, undefined, 0);
    return call.id;
  }

  /** The callee (a user, on one of their ringing devices; or the outside party when `user` is omitted) answers. */
  answer(callRef: string, user?: string, device?: string): void {
    const call = this.mustCall(callRef);
    const p = user ? this.partyOf(call, user) : call.parties.find((q) => q.state === 'ringing_incoming');
    if (!p || p.state !== 'ringing_incoming') throw new SimError('bad_state', `no ringing party ${user ?? ''} on call ${callRef}`);
    const d = device ?? [...p.legs.keys()][0];
    if (p.user && (!d || !p.legs.has(d))) throw new SimError('bad_parameter', `device ${device} is not ringing`);
    this.clearRing(call);
    if (p.ringingFor) return this.groupAnswered(call, p, d!);
    p.state = 'active';
    p.legs = p.user ? new Map([[d!, 'active']]) : new Map();
    for (const q of call.parties) {
      if (q !== p && q.state === 'ringing_outgoing') this.setState(q, 'active');
    }
    this.notify(call, 'modified', [p, ...call.parties.filter((q) => q !== p)]);
  }

  /** `user` (login, or the number of an outside party) leaves the call; a two-party call ends for both. */
  hangUp(callRef: string, user: string): void {
    const call = this.mustCall(callRef);
    const p = this.partyOf(call, user);
    if (!p) throw new SimError('not_found', `${user} is not on call ${callRef}`);
    this.leave(call, p);
  }

  /**
   * A ringing `user` turns the call down (the phone's Reject). A direct call ends: for the callee `rejected`, for
   * the others `busy` (the caller hears the busy tone, as for a refusing user). A ring group's call goes on: only
   * that member's leg ends (a hunt group moves to the next member).
   */
  reject(callRef: string, user: string): void {
    const call = this.mustCall(callRef);
    const p = this.partyOf(call, user);
    if (!p?.user || p.state !== 'ringing_incoming') throw new SimError('bad_state', `${user} is not ringing on call ${callRef}`);
    if (p.ringingFor) return this.memberDeclines(call, p, 'rejected');
    this.clearRing(call);
    const others = call.parties.filter((q) => q !== p);
    call.parties = others;
    this.removed(call, p, 'rejected');
    for (const q of others) this.removed(call, q, 'busy');
    call.parties = [];
    this.releaseServices(call, others);
    this.drop(call);
  }

  /** The caller gives up (typically while it rings): the callee sees an abandoned call. */
  callerHangsUp(callRef: string): void {
    const call = this.mustCall(callRef);
    const p = call.parties.find((q) => q.role === 'caller');
    if (!p) throw new SimError('bad_state', `call ${callRef} has no caller any more`);
    this.leave(call, p);
  }

  hold(callRef: string, user: string): void {
    const call = this.mustCall(callRef);
    const p = this.partyOf(call, user);
    if (!p || p.state !== 'active') throw new SimError('bad_state', `${user} has no active call ${callRef}`);
    this.setState(p, 'held');
    this.notify(call, 'modified', [p]);
  }

  retrieve(callRef: string, user: string): void {
    const call = this.mustCall(callRef);
    const p = this.partyOf(call, user);
    if (!p || p.state !== 'held') throw new SimError('bad_state', `${user} has no held call ${callRef}`);
    this.setState(p, 'active');
    this.notify(call, 'modified', [p]);
  }

  /** Attended transfer: `user` joins the other party of `activeRef` with the other party of `heldRef` and leaves. */
  transfer(activeRef: string, heldRef: string, user: string): void {
    const a = this.mustCall(activeRef);
    const b = this.mustCall(heldRef);
    const pa = this.partyOf(a, user);
    const pb = this.partyOf(b, user);
    if (!pa || !pb || a === b) throw new SimError('bad_state', `${user} does not hold both calls`);
    this.mergeInto(a, b, pb);
    a.parties = a.parties.filter((q) => q !== pa);
    this.removed(a, pa, 'transferred');
    this.removed(a, { ...pb, ref: pb.ref }, 'transferred');
    this.notify(a, 'modified', a.parties, 'transferred');
    this.afterChange(a);
  }

  /** `user` sends the call's other party to `toNumber` without consulting first, and leaves. */
  blindTransfer(callRef: string, user: string, toNumber: string): void {
    const call = this.mustCall(callRef);
    const p = this.partyOf(call, user);
    if (!p) throw new SimError('not_found', `${user} is not on call ${callRef}`);
    call.parties = call.parties.filter((q) => q !== p);
    this.removed(call, p, 'transferred', toNumber);
    for (const q of call.parties) if (q.role === 'callee' && q.state === 'active') q.role = 'caller';
    this.route(call, toNumber, 'transferred', 0);
  }

  /** A ringing `user` sends the call elsewhere (`voicemail` for their mailbox). */
  redirect(callRef: string, user: string, toNumber: string): void {
    const call = this.mustCall(callRef);
    const p = this.partyOf(call, user);
    if (!p || p.state !== 'ringing_incoming') throw new SimError('bad_state', `${user} is not ringing on call ${callRef}`);
    if (p.ringingFor) throw new SimError('bad_state', `${user} is ringing for group ${p.ringingFor}: decline it instead`);
    this.clearRing(call);
    call.parties = call.parties.filter((q) => q !== p);
    const vm = toNumber.toLowerCase() === 'voicemail';
    this.removed(call, p, vm ? 'voicemail' : 'redirected', vm ? VOICEMAIL_NUMBER : toNumber);
    this.route(call, vm ? VOICEMAIL_NUMBER : toNumber, vm ? 'voicemail' : 'redirected', 0);
  }

  /** Three-party conference: `user`'s held call joins the active one. */
  conference(activeRef: string, heldRef: string, user: string): void {
    const a = this.mustCall(activeRef);
    const b = this.mustCall(heldRef);
    const pa = this.partyOf(a, user);
    const pb = this.partyOf(b, user);
    if (!pa || !pb || a === b) throw new SimError('bad_state', `${user} does not hold both calls`);
    this.mergeInto(a, b, pb);
    this.emitChange({ kind: 'call', action: 'modified', user: pa.user!.login, view: this.view(a, pa), cause: 'conferenced', previousRef: pb.ref, time: this.now() });
    this.notify(a, 'modified', a.parties.filter((q) => q !== pa), 'conferenced');
  }

  /** A service (CCD pilot) now holding `callRef` hands it to `toNumber` (an agent): the call rings there. */
  distribute(callRef: string, toNumber: string): void {
    const call = this.mustCall(callRef);
    const held = call.parties.find((q) => q.service);
    if (!held) throw new SimError('bad_state', `call ${callRef} is not held by a service`);
    call.parties = call.parties.filter((q) => q !== held);
    this.route(call, toNumber, 'distributed', 0);
  }

  /** Calls to `number` go to `service` (numbers of users take precedence). */
  registerService(number: string, service: PbxService): void {
    this.services.set(number, service);
  }

  // ---- routing ----------------------------------------------------------------------------------------

  setForward(user: string, forward: SimRouteState['forward']): void {
    const u = this.mustUser(user);
    const r = this.routingOf.get(u.login)!;
    r.forward = forward ? { ...forward } : null;
    this.emitChange({ kind: 'routing', user: u.login, routing: this.routing(u.login), time: this.now() });
  }

  setDnd(user: string, on: boolean): void {
    const u = this.mustUser(user);
    this.routingOf.get(u.login)!.dnd = on;
    this.emitChange({ kind: 'routing', user: u.login, routing: this.routing(u.login), time: this.now() });
  }

  /** Lets feature modules (messaging, comlog...) announce their own changes through the same stream. */
  announce(user: string, name: string, data: Record<string, unknown>): void {
    this.emitChange({ kind: 'custom', user, name, data, time: this.now() });
  }

  /** Ends every call silently (a PBX restart) and stops timers. */
  reset(): void {
    for (const c of this.live.values()) this.clearRing(c);
    this.live.clear();
    this.byRef.clear();
    this.lastUserState.clear();
  }

  close(): void {
    this.reset();
    this.removeAllListeners();
  }

  // ---- internals --------------------------------------------------------------------------------------

  private newCall(): Call {
    const n = ++this.seq;
    const id = `${(0xa4032a57 + n).toString(16)}${n.toString(16).padStart(8, '0')}`;
    const call: Call = { id, uuid: `sim-${id}`, parties: [] };
    this.live.set(id, call);
    this.byRef.set(id, call);
    return call;
  }

  private party(call: Call, user: SimUser | undefined, number: string, role: Party['role'], state: SimLegState, devices: string[]): Party {
    return {
      pid: user ? user.number || user.login : `ext-${number}`,
      user,
      number,
      name: user?.name,
      ref: call.id,
      role,
      state,
      legs: new Map(devices.map((d) => [d, state])),
      anonymous: false,
    };
  }

  /** Offers the call to `number`: a user (DND, forward, ringing on all devices) or an outside party. */
  private route(call: Call, number: string, cause: SimCause | undefined, depth: number): void {
    const target = this.user(number);
    const others = call.parties.filter((q) => q.user);
    const group = target ? undefined : this.ringGroups.get(number);
    if (group) return this.routeGroup(call, group, others, cause);
    const service = target ? undefined : this.services.get(number);
    if (service) {
      // The service answers for the number without a phone: the caller keeps hearing it ring, with no ring timeout.
      const held = this.party(call, undefined, number, 'callee', 'ringing_incoming', []);
      held.name = service.name;
      held.service = number;
      call.parties.push(held);
      this.notifyOthers(call, held, others, cause);
      this.afterChange(call);
      const caller = call.parties.find((q) => q.role === 'caller') ?? others[0];
      service.arrived(call.id, { number: caller?.anonymous ? '' : (caller?.number ?? ''), name: caller?.name, login: caller?.user?.login });
      return;
    }
    if (target && !target.admin) {
      const r = this.routingOf.get(target.login)!;
      if (r.dnd) return this.refuse(call, target, others, cause);
      const fwd = r.forward;
      const busy = this.viewsOf(target.login).length > 0;
      if (fwd && depth < 3 && (fwd.condition === 'immediate' || (busy && (fwd.condition === 'busy' || fwd.condition === 'busy_no_answer')))) {
        const dest = fwd.destination === 'voicemail' ? VOICEMAIL_NUMBER : fwd.destination;
        return this.route(call, dest, cause ?? 'redirected', depth + 1);
      }
      const callee = this.party(call, target, target.number, 'callee', 'ringing_incoming', target.devices);
      call.parties.push(callee);
      this.notifyOthers(call, callee, others, cause);
      this.emitCall(call, callee, 'created');
      this.startRing(call);
    } else if (number === VOICEMAIL_NUMBER) {
      const vm = this.party(call, undefined, VOICEMAIL_NUMBER, 'callee', 'active', []);
      vm.name = 'Voicemail';
      call.parties.push(vm);
      for (const q of call.parties) if (q.state === 'ringing_outgoing') this.setState(q, 'active');
      this.notifyOthers(call, vm, others, cause);
    } else {
      const ext = this.party(call, undefined, number, 'callee', 'ringing_incoming', []);
      call.parties.push(ext);
      this.notifyOthers(call, ext, others, cause);
      this.startRing(call);
    }
    this.afterChange(call);
  }

  /** Whom a call to `number` is shown as calling: a user, a service, a ring group, or the number itself. */
  private calledParty(number: string): NonNullable<Call['initialCalled']> {
    const target = this.user(number);
    if (target) return { number: target.number, login: target.login, name: target.name };
    const named = this.services.get(number) ?? this.ringGroups.get(number);
    return named ? { number, name: named.name } : { number };
  }

  /**
   * A call reaches a ring group: the caller sees the group ringing; its members (not in do-not-disturb, not the
   * caller) ring all at once or, for a hunt group, one after the other. Members' own forwards are not followed, as
   * FreePBX's ring groups dial the members' phones directly.
   */
  private routeGroup(call: Call, g: SimRingGroup, others: Party[], cause: SimCause | undefined): void {
    const inCall = new Set(call.parties.map((q) => q.user?.login));
    const members = g.members.map((m) => this.user(m)!).filter((u) => !inCall.has(u.login) && !this.routingOf.get(u.login)!.dnd);
    call.group = g;
    if (members.length === 0) {
      // Nobody can ring: the caller hears busy, as for a refusing user.
      for (const q of others) if (q.state === 'ringing_outgoing') this.setState(q, 'dialing');
      for (const q of others) this.emitCall(call, q, q.state === 'active' || q.state === 'held' || cause ? 'modified' : 'created', cause);
      for (const q of others) this.emitCall(call, q, 'modified', 'busy');
      this.endAll(call, 'busy');
      return;
    }
    const slot = this.party(call, undefined, g.number, 'callee', 'ringing_incoming', []);
    slot.pid = `group-${g.number}`;
    slot.name = g.name;
    slot.groupSlot = true;
    call.parties.push(slot);
    this.notifyOthers(call, slot, others, cause);
    this.afterChange(call);
    const now = g.strategy === 'hunt' ? members.slice(0, 1) : members;
    call.huntNext = g.strategy === 'hunt' ? members.slice(1) : [];
    for (const u of now) this.ringMember(call, u);
    this.startGroupRing(call);
  }

  private ringMember(call: Call, u: SimUser): void {
    const m = this.party(call, u, u.number, 'callee', 'ringing_incoming', u.devices);
    m.memberOf = call.group!.number;
    m.ringingFor = call.group!.number;
    call.parties.push(m);
    this.emitCall(call, m, 'created');
    this.afterChange(call);
  }

  private startGroupRing(call: Call): void {
    this.clearRing(call);
    call.ringTimer = setTimeout(() => this.ringNoAnswer(call), call.group?.ringMs ?? this.ringTimeoutMs);
    call.ringTimer.unref();
  }

  /** The group's ring time is up: a hunt group rings its next member; otherwise nobody answered. */
  private groupNoAnswer(call: Call): void {
    const next = call.huntNext?.shift();
    if (!next) return this.endAll(call, 'no_answer');
    const ringing = call.parties.filter((q) => q.ringingFor);
    call.parties = call.parties.filter((q) => !q.ringingFor);
    for (const q of ringing) this.removed(call, q, 'no_answer');
    this.ringMember(call, next);
    this.startGroupRing(call);
  }

  /** A ringing member turns the group's call down: the others keep ringing (a hunt group goes on to the next). */
  private memberDeclines(call: Call, p: Party, cause: SimCause = 'busy'): void {
    call.parties = call.parties.filter((q) => q !== p);
    this.removed(call, p, cause);
    this.afterChange(call);
    if (call.parties.some((q) => q.ringingFor)) return;
    this.clearRing(call);
    this.groupNoAnswer(call);
  }

  /**
   * A member answers the group's call: their view goes active first, then every other member's leg ends
   * `answered_elsewhere`, then the caller's side learns who answered.
   */
  private groupAnswered(call: Call, p: Party, device: string): void {
    const siblings = call.parties.filter((q) => q !== p && q.ringingFor);
    call.parties = call.parties.filter((q) => !q.groupSlot && !siblings.includes(q));
    call.huntNext = [];
    p.ringingFor = undefined;
    p.state = 'active';
    p.legs = new Map([[device, 'active']]);
    this.emitCall(call, p, 'modified');
    for (const q of siblings) this.removed(call, q, 'answered_elsewhere');
    for (const q of call.parties) if (q !== p && q.state === 'ringing_outgoing') this.setState(q, 'active');
    this.notify(call, 'modified', call.parties.filter((q) => q !== p));
  }

  /**
   * `target` refuses the call (do-not-disturb). As a real PBX reports a busy callee (scenario trace
   * icm/11-callee-busy), the caller first sees the call created towards the callee, then the callee removed and
   * the call removed, both with cause BUSY; so the caller's view has an outgoing call that ended busy. The callee
   * takes no part: it is shown by number, name and login only, and gets no event and no busy state.
   */
  private refuse(call: Call, target: SimUser, others: Party[], cause: SimCause | undefined): void {
    const shown = this.party(call, undefined, target.number, 'callee', 'dialing', []);
    shown.pid = target.number || target.login;
    shown.name = target.name;
    shown.login = target.login;
    // A new call never got past dialing; parties already talking (a transfer to the refusing user) stay as they are.
    for (const q of others) if (q.state === 'ringing_outgoing') this.setState(q, 'dialing');
    call.parties.push(shown);
    this.notifyOthers(call, shown, others, cause);
    this.afterChange(call);
    call.parties = call.parties.filter((q) => q !== shown);
    for (const q of others) this.emitCall(call, q, 'modified', 'busy');
    this.endAll(call, 'busy');
  }

  /** The parties already on the call learn of a new one: the first time they see the call, it is created. */
  private notifyOthers(call: Call, _added: Party, others: Party[], cause: SimCause | undefined): void {
    for (const q of others) {
      if (q.state === 'active' || q.state === 'held' || cause) this.emitCall(call, q, 'modified', cause);
      else this.emitCall(call, q, 'created');
    }
  }

  private startRing(call: Call): void {
    this.clearRing(call);
    call.ringTimer = setTimeout(() => this.ringNoAnswer(call), this.ringTimeoutMs);
    call.ringTimer.unref();
  }

  private clearRing(call: Call): void {
    if (call.ringTimer) clearTimeout(call.ringTimer);
    call.ringTimer = undefined;
  }

  private ringNoAnswer(call: Call): void {
    call.ringTimer = undefined;
    if (!this.live.has(call.id)) return;
    if (call.parties.some((q) => q.groupSlot)) return this.groupNoAnswer(call);
    const ringing = call.parties.find((q) => q.state === 'ringing_incoming');
    if (!ringing) return;
    const fwd = ringing.user ? this.routingOf.get(ringing.user.login)?.forward : null;
    if (ringing.user && fwd && (fwd.condition === 'no_answer' || fwd.condition === 'busy_no_answer')) {
      const dest = fwd.destination === 'voicemail' ? VOICEMAIL_NUMBER : fwd.destination;
      call.parties = call.parties.filter((q) => q !== ringing);
      this.removed(call, ringing, 'no_answer', dest);
      this.route(call, dest, 'redirected', 1);
      return;
    }
    this.endAll(call, 'no_answer');
  }

  private leave(call: Call, p: Party): void {
    if (p.ringingFor) return this.memberDeclines(call, p);
    this.clearRing(call);
    const remaining = call.parties.filter((q) => q !== p && !q.groupSlot);
    if (remaining.length < call.parties.length - 1) {
      // The caller gives up while the group rings: every member's leg ends, abandoned.
      call.parties = remaining;
      this.removed(call, p, 'normal');
      for (const q of remaining) this.removed(call, q, q.state === 'ringing_incoming' ? 'abandoned' : 'normal');
      call.parties = [];
      this.releaseServices(call, remaining);
      this.drop(call);
      return;
    }
    if (remaining.length >= 2) {
      call.parties = remaining;
      this.removed(call, p, 'normal');
      this.notify(call, 'modified', remaining, 'participant_left');
      this.afterChange(call);
      return;
    }
    call.parties = remaining;
    this.removed(call, p, 'normal');
    for (const q of remaining) this.removed(call, q, q.state === 'ringing_incoming' ? 'abandoned' : 'normal');
    call.parties = [];
    this.releaseServices(call, remaining);
    this.drop(call);
  }

  private endAll(call: Call, cause: SimCause): void {
    this.clearRing(call);
    const parties = call.parties;
    call.parties = [];
    for (const q of parties) this.removed(call, q, cause);
    this.releaseServices(call, parties);
    this.drop(call);
  }

  /** Tells the services still holding an ending call, before the freed users' states go out (a free agent takes the next call). */
  private releaseServices(call: Call, parties: Party[]): void {
    for (const q of parties) if (q.service) this.services.get(q.service)?.left(call.id);
  }

  private drop(call: Call): void {
    this.clearRing(call);
    this.live.delete(call.id);
    for (const [ref, c] of this.byRef) if (c === call) this.byRef.delete(ref);
    this.userStates();
  }

  /** Moves the other parties of `from` into `into` (they keep their references); `leaving` leaves `from`. */
  private mergeInto(into: Call, from: Call, leaving: Party): void {
    this.clearRing(from);
    for (const q of from.parties) if (q !== leaving) into.parties.push(q);
    for (const [ref, c] of this.byRef) if (c === from) this.byRef.set(ref, into);
    // References stay valid: the other parties of `from` keep knowing the call by theirs.
    this.live.delete(from.id);
    for (const q of into.parties) if (q.user && q.state === 'held' && q !== leaving) this.setState(q, 'active');
  }

  private removed(call: Call, p: Party, cause: SimCause, newDestination?: string): void {
    if (!p.user) return;
    const change: PbxChange = { kind: 'call', action: 'removed', user: p.user.login, view: this.view(call, p), cause, time: this.now() };
    if (newDestination) change.newDestination = newDestination;
    this.emitChange(change);
  }

  private notify(call: Call, action: 'modified', parties: Party[], cause?: SimCause): void {
    for (const q of parties) this.emitCall(call, q, action, cause);
    this.afterChange(call);
  }

  private emitCall(call: Call, p: Party, action: 'created' | 'modified', cause?: SimCause): void {
    if (!p.user) return;
    const change: PbxChange = { kind: 'call', action, user: p.user.login, view: this.view(call, p), time: this.now() };
    if (cause) change.cause = cause;
    this.emitChange(change);
  }

  private afterChange(_call: Call): void {
    this.userStates();
  }

  /** Free/busy per user, announced on change. */
  private userStates(): void {
    for (const u of this.users) {
      if (u.admin) continue;
      const state = this.viewsOf(u.login).length > 0 ? 'busy' : 'free';
      const last = this.lastUserState.get(u.login) ?? 'free';
      if (state !== last) {
        this.lastUserState.set(u.login, state);
        this.emitChange({ kind: 'userState', user: u.login, state, time: this.now() });
      }
    }
  }

  private setState(p: Party, s: SimLegState): void {
    p.state = s;
    for (const d of p.legs.keys()) p.legs.set(d, s);
  }

  private view(call: Call, p: Party): SimCallView {
    // A member ringing for a group sees the caller only; everyone else sees the group, not its ringing members.
    const shown = call.parties.filter((q) => q !== p && (p.ringingFor ? !q.memberOf && !q.groupSlot : !q.ringingFor));
    const participants: SimPartyInfo[] = shown.map((q) => {
      const info: SimPartyInfo = { id: q.pid, number: q.anonymous ? '' : q.number };
      if (q.anonymous) info.anonymous = true;
      else {
        if (q.name) info.name = q.name;
        const login = q.user?.login ?? q.login;
        if (login) info.login = login;
      }
      return info;
    });
    const group: SimGroupInfo | undefined = call.group ? { number: call.group.number, name: call.group.name, strategy: call.group.strategy } : undefined;
    return {
      ...(group ? { group } : {}),
      ref: p.ref,
      uuid: call.uuid,
      direction: p.role === 'caller' ? 'outgoing' : 'incoming',
      state: p.state,
      legs: [...p.legs].map(([device, state]) => ({ device, state })),
      participants,
      initialCalled: call.initialCalled,
      anonymous: participants.some((q) => q.anonymous),
      capabilities: capabilitiesFor(p.state, shown.length + 1),
    };
  }

  private partyOf(call: Call, key: string): Party | undefined {
    return call.parties.find((q) => q.user?.login === key || q.number === key || (q.user && q.user.devices.includes(key)));
  }

  private mustUser(key: string): SimUser {
    const u = this.user(key);
    if (!u) throw new SimError('not_found', `unknown user ${key}`);
    return u;
  }

  private mustCall(ref: string): Call {
    const c = this.byRef.get(ref);
    if (!c) throw new SimError('not_found', `no call ${ref}`);
    return c;
  }

  private emitChange(c: PbxChange): void {
    this.emit('change', c);
  }
}

/** Call-level capabilities in the ALE vocabulary's neutral spelling (front-ends may rename). */
function capabilitiesFor(state: SimLegState, parties: number): string[] {
  switch (state) {
    case 'ringing_incoming': return ['answer', 'redirect', 'redirectToVoiceMail', 'dropMe'];
    case 'ringing_outgoing': case 'dialing': return ['dropMe', 'terminate'];
    case 'active': return ['hold', 'transfer', 'blindTransfer', 'dropMe', 'terminate', 'addParticipant', ...(parties > 2 ? [] : ['merge'])];
    case 'held': return ['retrieve', 'transfer', 'merge', 'dropMe', 'terminate'];
  }
}
