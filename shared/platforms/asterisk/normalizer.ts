/**
 * AMI events -> observations for the tracker: the one place that knows Asterisk's call semantics.
 *
 * - A call for a user is the Linkedid of their phone's channel; each of their channels on it is a leg (a PJSIP
 *   endpoint with several contacts rings several channels).
 * - Direction: the user's channel that starts in state Ring (4) dialling out is outgoing; one created by another
 *   channel's DialBegin is incoming, announced only once it rings (Newstate 5 / DialState RINGING): a leg that never
 *   rang (DND, busy, immediate forward) is never a call for that user, so never missed.
 * - Local channel halves are never users; `;2` answering for `;1` is folded so the caller learns who answered.
 * - An unanswered incoming leg ends "answered elsewhere" (cause `picked_up`) when its Hangup says Cause 26 or
 *   another leg of the same Linkedid was answered after it started ringing (ring groups, pick-up); otherwise by its
 *   DialStatus (NOANSWER: no answer, BUSY after ringing: rejected, CANCEL: the caller gave up).
 * - Queue, member, device, hint and FreePBX DND/forward states become direct events.
 */
import { DecodeError } from '../../errors';
import type { Party, PbxEvent, RoutingInfo } from '../../model/events';
import type { CallObservation, Cause, LegState, Observation } from '../../model/observations';
import type { AmiMessage } from './codec';
import { endpointOf, localOf, otherHalf, partyOf, type Chan } from './channels';

const PLATFORM = 'asterisk' as const;
/** Most channels remembered at once; beyond, the oldest are forgotten (a lost Hangup must not grow memory). */
const MAX_CHANNELS = 100_000;

export interface NormalizerOptions {
  /** Monitored extensions; empty: every all-digit endpoint on an internal context. */
  users?: readonly string[];
  internalContexts?: readonly string[];
  now?: () => number;
  onWarning?: (message: string) => void;
}

type Fields = Record<string, string>;

export class AsteriskNormalizer {
  private readonly chans = new Map<string, Chan>();
  private readonly byName = new Map<string, string>();
  /** user \u0001 call -> the user's legs (Uniqueids) on it. */
  private readonly legsOf = new Map<string, Set<string>>();
  /** Linkedid -> sequence number of its latest answer. */
  private readonly lastAnswer = new Map<string, number>();
  private readonly routing = new Map<string, RoutingInfo>();
  /** User -> their forward on no answer's target (FreePBX AstDB `CFU/<ext>`), which no AMI event carries. */
  private readonly noAnswerForwards = new Map<string, string>();
  /** Originated legs we asked for (Originate ChannelId -> destination). */
  private readonly originates = new Map<string, string>();
  private readonly users?: ReadonlySet<string>;
  private readonly internal: ReadonlySet<string>;
  private readonly now: () => number;
  private readonly onWarning?: (message: string) => void;
  private seq = 0;
  /** Users seen with calls (the resync snapshots them all). */
  readonly seenUsers = new Set<string>();

  constructor(o: NormalizerOptions = {}) {
    this.users = o.users && o.users.length > 0 ? new Set(o.users) : undefined;
    this.internal = new Set(o.internalContexts ?? ['from-internal']);
    this.now = o.now ?? Date.now;
    this.onWarning = o.onWarning;
  }

  get channelCount(): number {
    return this.chans.size;
  }

  /** A click-to-call leg we are about to originate (its ChannelId): it rings the user first, as an outgoing call. */
  expectOriginate(uniqueid: string, destination: string): void {
    this.originates.set(uniqueid, destination);
    if (this.originates.size > 1000) this.originates.delete(this.originates.keys().next().value!);
  }

  /** The channel name of a user's leg on a call (for actions), the answered one first. */
  channelOf(user: string, call: string): string | undefined {
    const legs = this.legsOf.get(key(user, call));
    let any: string | undefined;
    if (legs) for (const id of legs) {
      const c = this.chans.get(id);
      if (!c) continue;
      if (c.answered) return c.name;
      any ??= c.name;
    }
    return any;
  }

  /** The channel that dials a user's ringing leg, through Local pairs (a redirect moves it). */
  callerChannelOf(user: string, call: string): string | undefined {
    const legs = this.legsOf.get(key(user, call));
    const first = legs ? this.chans.get([...legs][0]) : undefined;
    let c = first?.dialedBy ? this.chans.get(first.dialedBy) : undefined;
    for (let hops = 0; c?.local && hops < 10; hops++) {
      const oneId = c.local.half === 2 ? this.byName.get(otherHalf(c.name)!) : c.id;
      const one = oneId ? this.chans.get(oneId) : undefined;
      c = one?.dialedBy ? this.chans.get(one.dialedBy) : undefined;
    }
    return c?.name;
  }

  /** Our redirect of a user's ringing call: its legs end `redirected` to `destination`. */
  markRedirect(user: string, call: string, destination: string): void {
    for (const id of this.legsOf.get(key(user, call)) ?? []) {
      const c = this.chans.get(id);
      if (!c) continue;
      c.cause = 'redirected';
      c.newDestination = { number: destination };
    }
  }

  /** A user's live channels (for list calls and resync). */
  channelsOf(user: string): Chan[] {
    const out: Chan[] = [];
    for (const c of this.chans.values()) if (c.user === user && c.shown) out.push(c);
    return out;
  }

  /** The whose-phone rule: a monitored extension, or (none configured) an all-digit endpoint. */
  userOf(name: string, context?: string): string | undefined {
    const ep = endpointOf(name);
    if (!ep) return undefined;
    if (this.users) return this.users.has(ep.resource) ? ep.resource : undefined;
    if (!/^\d{2,10}$/.test(ep.resource)) return undefined;
    return context === undefined || this.internal.has(context) || !/^from-(pstn|trunk)/.test(context) ? ep.resource : undefined;
  }

  push(m: AmiMessage): Observation[] {
    const f = m.fields;
    const ev = f.Event;
    if (ev === undefined) return [];
    switch (ev) {
      case 'Newchannel': return this.newChannel(f, m);
      case 'Newstate': return this.newState(f, m);
      case 'DialBegin': return this.dialBegin(f, m);
      case 'DialState': return f.DialStatus === 'RINGING' ? this.ring(this.dest(f), f, m) : [];
      case 'DialEnd': return this.dialEnd(f, m);
      case 'Hangup': return this.hangup(f, m);
      case 'Hold': return this.hold(f, m, true);
      case 'Unhold': return this.hold(f, m, false);
      case 'BlindTransfer': return this.blindTransfer(f);
      case 'AttendedTransfer': return this.attendedTransfer(f);
      case 'QueueCallerJoin': return [this.queue('queue.joined', f, m)];
      case 'QueueCallerAbandon': return [this.queue('queue.abandoned', f, m)];
      case 'AgentConnect': return [this.queue('queue.answered', f, m)];
      case 'QueueMemberStatus':
      case 'QueueMemberPause':
      case 'QueueMemberAdded':
      case 'QueueMemberRemoved':
      case 'QueueMember':
        return this.member(ev, f, m);
      case 'DeviceStateChange': return this.deviceState(f.Device, f.State, m);
      case 'ExtensionStatus': return this.extensionState(f, m);
      default: return [];
    }
  }

  // ---- channels ---------------------------------------------------------------------------------------

  private chan(f: Fields, prefix = ''): Chan | undefined {
    const id = f[`${prefix}Uniqueid`];
    if (!id) return undefined;
    let c = this.chans.get(id);
    if (c) return c;
    const name = f[`${prefix}Channel`];
    if (!name) return undefined;
    const context = f[`${prefix}Context`];
    c = {
      id, name, call: f[`${prefix}Linkedid`] || id, context, exten: f[`${prefix}Exten`],
      callerNum: f[`${prefix}CallerIDNum`], callerName: f[`${prefix}CallerIDName`],
      user: this.userOf(name, context), local: localOf(name),
      rang: false, answered: false, shown: false, dialing: false, held: false, ringSeq: 0,
    };
    const dest = this.originates.get(id);
    if (dest !== undefined) {
      this.originates.delete(id);
      c.originateTo = dest;
      c.role = 'caller';
    }
    if (this.chans.size >= MAX_CHANNELS) this.forgetOldest();
    this.chans.set(id, c);
    this.byName.set(name, id);
    return c;
  }

  private dest(f: Fields): Chan | undefined {
    return this.chan(f, 'Dest');
  }

  private newChannel(f: Fields, m: AmiMessage): Observation[] {
    const c = this.chan(f);
    if (!c?.user || c.originateTo !== undefined) return [];
    // A phone that starts in Ring (4) is dialling out; one created Down (0) waits to be dialled.
    if (f.ChannelState !== '4' && f.ChannelState !== '3') return [];
    c.role = 'caller';
    const called = f.Exten && f.Exten !== 's' ? { number: f.Exten } : undefined;
    return [this.show(c, 'dialing', m, { initialCalled: called, direction: 'outgoing' })];
  }

  private newState(f: Fields, m: AmiMessage): Observation[] {
    const c = this.chan(f);
    if (!c?.user) return [];
    const s = f.ChannelState;
    if (s === '5') return this.ring(c, f, m);
    if (s === '6' && c.role !== 'caller') return this.answer(c, m);
    // chan_sip creates a phone's channel Down, then Ring: it dials out.
    if (s === '4' && c.role === undefined && c.originateTo === undefined) return this.newChannel(f, m);
    return [];
  }

  private ring(c: Chan | undefined, f: Fields, m: AmiMessage): Observation[] {
    if (!c?.user || c.rang || c.answered) return [];
    c.rang = true;
    c.ringSeq = ++this.seq;
    if (c.originateTo !== undefined) {
      // Click-to-call: the user's own phone rings first; for them it is the call they make.
      return [this.show(c, 'ringing_outgoing', m, { initialCalled: { number: c.originateTo }, direction: 'outgoing' })];
    }
    c.role = 'callee';
    c.peer ??= partyOf(f.DestConnectedLineNum ?? f.ConnectedLineNum, f.DestConnectedLineName ?? f.ConnectedLineName);
    const obs = this.show(c, 'ringing_incoming', m, { direction: 'incoming' });
    if (c.peer) obs.participants = [{ id: c.peer.number, ...c.peer }];
    return [obs];
  }

  private answer(c: Chan, m: AmiMessage): Observation[] {
    if (c.answered) return [];
    c.answered = true;
    this.lastAnswer.set(c.call, ++this.seq);
    if (!c.shown && !c.rang) {
      // Answered without our seeing it ring (a resync, an auto-answer): still this user's call.
      c.role ??= 'callee';
    }
    const obs = this.show(c, 'active', m, { direction: c.role === 'caller' ? 'outgoing' : 'incoming' });
    if (c.peer) obs.participants = [{ id: c.peer.number, ...c.peer }];
    return [obs];
  }

  private dialBegin(f: Fields, m: AmiMessage): Observation[] {
    const src = this.chan(f);
    const dst = this.dest(f);
    if (!dst) return [];
    dst.role = 'callee';
    if (src) dst.dialedBy = src.id;
    // Who the callee sees: the connected line Asterisk gives the new leg, else the dialling channel's caller id.
    dst.peer = partyOf(f.DestConnectedLineNum, f.DestConnectedLineName) ?? partyOf(f.CallerIDNum, f.CallerIDName);
    if (!src?.user || src.dialing || src.answered) return [];
    src.dialing = true;
    src.role ??= 'caller';
    return [this.show(src, 'ringing_outgoing', m, { direction: 'outgoing' })];
  }

  private dialEnd(f: Fields, m: AmiMessage): Observation[] {
    const src = this.chan(f);
    const dst = this.dest(f);
    if (!dst) return [];
    const status = f.DialStatus ?? '';
    dst.dialStatus = status;
    if (f.Forward) {
      dst.cause = 'redirected';
      dst.newDestination = { number: f.Forward };
    }
    const out: Observation[] = [];
    if (status === 'ANSWER') {
      if (!dst.local) this.lastAnswer.set(dst.call, ++this.seq);
      // Fold Local pairs: `;2` answered by a phone tells `;1` who it was.
      if (src?.local?.half === 2) {
        const one = this.byName.get(otherHalf(src.name)!);
        const c1 = one ? this.chans.get(one) : undefined;
        if (c1) c1.answeredBy = dst.answeredBy ?? dst.id;
      }
      if (dst.user && !dst.answered) out.push(...this.answer(dst, m));
      if (src?.user && !src.answered && src.role === 'caller') {
        src.answered = true;
        const who = this.chans.get(dst.answeredBy ?? dst.id) ?? dst;
        const party = who.user ? { number: who.user } : partyOf(who.callerNum, who.callerName) ?? (src.exten && src.exten !== 's' ? { number: src.exten } : undefined);
        if (party) src.peer = party;
        const obs = this.show(src, 'active', m, { direction: 'outgoing' });
        if (party) obs.participants = [{ id: party.number, ...party }];
        out.push(obs);
      }
    } else if (src?.user && src.role === 'caller' && !src.answered) {
      const cause = dialCause(status, true);
      if (cause) src.cause = cause;
    }
    return out;
  }

  private hangup(f: Fields, m: AmiMessage): Observation[] {
    const c = this.chans.get(f.Uniqueid);
    if (!c) return [];
    this.forget(c);
    if (!c.user || !c.shown) return [];
    const k = key(c.user, c.call);
    const legs = this.legsOf.get(k);
    legs?.delete(c.id);
    const time = this.now();
    if (legs && legs.size > 0) {
      return [{ kind: 'call', platform: PLATFORM, user: c.user, callId: c.call, time, removedLegs: [c.name], raw: m.fields }];
    }
    this.legsOf.delete(k);
    const obs: CallObservation = { kind: 'call', platform: PLATFORM, user: c.user, callId: c.call, time, removed: true, cause: this.endCause(c, f.Cause), raw: m.fields };
    if (c.newDestination) obs.newDestination = c.newDestination;
    else if (obs.cause === 'no_answer' && c.dialStatus === 'NOANSWER' && !this.chans.get(c.dialedBy ?? '')?.local) {
      // The caller's own Dial to the user's phone timed out (the caller is still there): FreePBX's forward on no
      // answer dials `Local/<CFU target>@from-internal/n` next (FPBX-core macro-dial-one, inventory 2.5). AMI names
      // that target only after this leg is gone, so it comes from AstDB (setNoAnswerForward): said, so that this end
      // can wait for the call's outcome there (shared/tracker/forward-hold.ts). A leg dialled through a Local pair
      // (a ring group's member, a forward's second hop) is left as it was: the member's own forward is not followed.
      const to = this.noAnswerForwards.get(c.user);
      if (to) obs.newDestination = { number: to };
    }
    return [obs];
  }

  private endCause(c: Chan, code: string | undefined): Cause {
    if (c.cause === 'transferred' || c.cause === 'redirected') return c.cause;
    if (c.answered) return 'cleared';
    if (c.role === 'caller') return c.cause ?? (code === '17' ? 'busy' : 'cleared');
    if (code === '26' || (this.lastAnswer.get(c.call) ?? 0) > c.ringSeq) return 'picked_up';
    const byStatus = dialCause(c.dialStatus ?? '', false);
    if (byStatus) return byStatus;
    if (code === '17' || code === '21') return 'rejected';
    if (code === '19' || code === '18') return 'no_answer';
    return 'other';
  }

  private hold(f: Fields, m: AmiMessage, on: boolean): Observation[] {
    const c = this.chans.get(f.Uniqueid);
    if (!c?.user || !c.shown || !c.answered || c.held === on) return [];
    c.held = on;
    return [this.show(c, on ? 'held' : 'active', m, {})];
  }

  private blindTransfer(f: Fields): Observation[] {
    if (f.Result && f.Result !== 'Success') return [];
    const c = this.chans.get(f.TransfererUniqueid);
    if (c?.user) {
      c.cause = 'transferred';
      if (f.Extension) c.newDestination = { number: f.Extension };
    }
    return [];
  }

  private attendedTransfer(f: Fields): Observation[] {
    if (f.Result && f.Result !== 'Success') return [];
    const orig = this.chans.get(f.OrigTransfererUniqueid);
    const second = this.chans.get(f.SecondTransfererUniqueid);
    if (orig?.user) {
      orig.cause = 'transferred';
      // Whom the transferer consulted: Asterisk's connected line when it knows, else who answered that leg.
      const to = partyOf(f.SecondTransfererConnectedLineNum, f.SecondTransfererConnectedLineName) ?? second?.peer ?? partyOf(f.TransferTargetCallerIDNum, f.TransferTargetCallerIDName);
      if (to) orig.newDestination = to;
    }
    if (second?.user) {
      second.cause = 'transferred';
      const to = partyOf(f.OrigTransfererConnectedLineNum, f.OrigTransfererConnectedLineName) ?? partyOf(f.TransfereeCallerIDNum, f.TransfereeCallerIDName);
      if (to) second.newDestination = to;
    }
    return [];
  }

  /** A leg's observation for its user: the leg joins the user's call record. */
  private show(c: Chan, state: LegState, m: AmiMessage, o: { initialCalled?: Party; direction?: 'incoming' | 'outgoing' }): CallObservation {
    const user = c.user!;
    if (!c.shown) {
      c.shown = true;
      const k = key(user, c.call);
      let legs = this.legsOf.get(k);
      if (!legs) this.legsOf.set(k, (legs = new Set()));
      legs.add(c.id);
      this.seenUsers.add(user);
    }
    const obs: CallObservation = { kind: 'call', platform: PLATFORM, user, callId: c.call, time: this.now(), legs: [{ device: c.name, state }], raw: m.fields };
    if (o.initialCalled) obs.initialCalled = o.initialCalled;
    if (o.direction) obs.direction = o.direction;
    return obs;
  }

  private forget(c: Chan): void {
    this.chans.delete(c.id);
    if (this.byName.get(c.name) === c.id) this.byName.delete(c.name);
    // The call's answer mark goes with its first channel (the Linkedid's own).
    if (c.id === c.call) this.lastAnswer.delete(c.call);
  }

  private forgetOldest(): void {
    const first = this.chans.values().next().value;
    if (!first) return;
    this.forget(first);
    this.onWarning?.(`more than ${MAX_CHANNELS} live AMI channels: forgetting the oldest (a Hangup was missed?)`);
  }

  // ---- resync -------------------------------------------------------------------------------------------

  /**
   * The live channels (CoreShowChannel events) after a (re)connect: the channel table becomes exactly this list,
   * and each user gets one snapshot (calls that vanished end once, live ones are not announced twice).
   */
  resync(list: AmiMessage[], users: readonly string[]): Observation[] {
    // A list we cannot read is not believed: ending calls on its word would end live calls.
    const unreadable = list.filter((m) => m.fields.Event === 'CoreShowChannel' && (!m.fields.Uniqueid || !m.fields.Channel || !/^\d+$/.test(m.fields.ChannelState ?? '')));
    if (unreadable.length > 0) throw new DecodeError(`${unreadable.length} of ${list.length} CoreShowChannel entries are unreadable: the calls are left as they are`);
    const live = new Set<string>();
    for (const m of list) if (m.fields.Uniqueid) live.add(m.fields.Uniqueid);
    for (const c of [...this.chans.values()]) if (!live.has(c.id)) this.forget(c);
    for (const k of [...this.legsOf.keys()]) {
      const legs = this.legsOf.get(k)!;
      for (const id of legs) if (!this.chans.has(id)) legs.delete(id);
      if (legs.size === 0) this.legsOf.delete(k);
    }
    const calls = new Map<string, Map<string, CallObservation>>();
    const time = this.now();
    for (const m of list) {
      const f = m.fields;
      const c = this.chan(f);
      if (!c?.user) continue;
      const s = f.ChannelState;
      let state: LegState;
      if (s === '6') {
        state = c.held ? 'held' : 'active';
        c.answered = true;
      } else if (s === '5') {
        state = 'ringing_incoming';
        if (!c.rang) {
          c.rang = true;
          c.ringSeq = ++this.seq;
        }
        c.role ??= 'callee';
      } else if (s === '4' || s === '3') {
        state = 'ringing_outgoing';
        c.role ??= 'caller';
      } else continue;
      const direction = c.role === 'caller' || (c.role === undefined && c.id === c.call) ? 'outgoing' : 'incoming';
      c.role ??= direction === 'outgoing' ? 'caller' : 'callee';
      const o = this.show(c, state, m, { direction });
      const peer = partyOf(f.ConnectedLineNum, f.ConnectedLineName);
      if (peer) {
        c.peer = peer;
        o.participants = [{ id: peer.number, ...peer }];
      }
      let mine = calls.get(c.user);
      if (!mine) calls.set(c.user, (mine = new Map()));
      const prev = mine.get(c.call);
      if (prev) prev.legs!.push(...o.legs!);
      else mine.set(c.call, o);
    }
    const out: Observation[] = [];
    const everyone = new Set<string>([...users, ...this.seenUsers, ...calls.keys()]);
    for (const u of everyone) out.push({ kind: 'snapshot', platform: PLATFORM, user: u, time, calls: [...(calls.get(u)?.values() ?? [])] });
    return out;
  }

  // ---- queues, members, states ---------------------------------------------------------------------------

  private queue(type: 'queue.joined' | 'queue.answered' | 'queue.abandoned', f: Fields, m: AmiMessage): Observation {
    const id = f.Queue ?? '';
    const callId = f.Linkedid || f.Uniqueid || '';
    const queue: NonNullable<PbxEvent['queue']> = { id, callId };
    const caller = partyOf(f.CallerIDNum, f.CallerIDName);
    if (caller) queue.caller = caller;
    const wait = Number(f.HoldTime);
    if (f.HoldTime !== undefined && Number.isFinite(wait)) queue.waitSeconds = wait;
    if (type === 'queue.answered') {
      const agent = memberUser(f.Interface, f.MemberName) ?? partyOf(f.DestCallerIDNum, f.DestCallerIDName)?.number;
      if (agent) queue.agent = { number: agent, ...(f.MemberName && f.MemberName !== agent ? { name: f.MemberName } : {}) };
    }
    return { kind: 'direct', time: this.now(), key: `${type}|${f.Uniqueid ?? callId}`, raw: m.fields, event: { type, platform: PLATFORM, user: id, queue } };
  }

  private member(ev: string, f: Fields, m: AmiMessage): Observation[] {
    const user = memberUser(f.StateInterface, undefined) ?? memberUser(f.Interface ?? f.Location, f.MemberName);
    if (!user || (this.users && !this.users.has(user))) return [];
    let state: string;
    if (ev === 'QueueMemberRemoved') state = 'logged_off';
    else if (f.Paused === '1') state = 'not_ready';
    else if (f.InCall === '1' || ['2', '3', '6', '7', '8'].includes(f.Status ?? '')) state = 'busy';
    else if (f.Status === '4' || f.Status === '5') state = 'unavailable';
    else state = 'ready';
    const group = f.Queue ?? '';
    const agent: { state: string; group?: string; reason?: string } = { state };
    if (group) agent.group = group;
    return [{
      kind: 'direct', time: this.now(), key: `${state}|${group}`, onChangeOnly: true, subject: group, raw: m.fields,
      event: { type: 'agent.state', platform: PLATFORM, user, state, agent },
    }];
  }

  /** Device states: phones (`PJSIP/201`) and FreePBX's `Custom:DND201` / `Custom:CF201` lamps. */
  deviceState(device: string | undefined, state: string | undefined, m?: AmiMessage): Observation[] {
    if (!device || !state) return [];
    const time = this.now();
    const custom = /^Custom:(DND|CF|CFB|CFU)(\d+)$/.exec(device);
    if (custom) {
      const user = custom[2];
      if (this.users && !this.users.has(user)) return [];
      const r = this.routing.get(user) ?? { forward: null, overflow: null, dnd: false };
      const on = state === 'BUSY' || state === 'INUSE';
      let next: RoutingInfo;
      if (custom[1] === 'DND') next = { ...r, dnd: on };
      else if (custom[1] === 'CF') next = { ...r, forward: on ? { type: 'number', destination: r.forward?.destination, condition: 'immediate' } : null };
      else return [];
      if (next.forward && next.forward.destination === undefined) delete next.forward.destination;
      this.routing.set(user, next);
      return [{ kind: 'direct', time, key: JSON.stringify(next), onChangeOnly: true, raw: m?.fields, event: { type: 'routing.changed', platform: PLATFORM, user, routing: next } }];
    }
    const ep = endpointOf(`${device}-x`);
    if (!ep || device.startsWith('Custom:')) return [];
    const user = this.users ? (this.users.has(ep.resource) ? ep.resource : undefined) : /^\d{2,10}$/.test(ep.resource) ? ep.resource : undefined;
    if (!user) return [];
    const s = state.toLowerCase();
    return [{ kind: 'direct', time, key: s, onChangeOnly: true, subject: device, raw: m?.fields, event: { type: 'device.state', platform: PLATFORM, user, device, state: s } }];
  }

  /** What a routing change we made (DND / forward, the FreePBX way) is, once Asterisk confirms it. */
  routingOf(user: string): RoutingInfo {
    const r = this.routing.get(user);
    return r ? { ...r, forward: r.forward ? { ...r.forward } : null } : { forward: null, overflow: null, dnd: false };
  }

  /**
   * The user's forward on no answer (AstDB `CFU/<ext>`, read with DBGet or written by our setForward; undefined:
   * off). FreePBX writes it from its feature codes with `Set(DB(CFU/<ext>)=…)` (FPBX-callforward
   * functions.inc.php `app-cf-unavailable-on`), which raises no AMI event and no device state (only `CF` has the
   * `Custom:CF<ext>` lamp): a change made from a phone is known once AstDB is read again.
   */
  setNoAnswerForward(user: string, destination: string | undefined): void {
    if (destination) this.noAnswerForwards.set(user, destination);
    else this.noAnswerForwards.delete(user);
  }

  /** The forward target (AstDB `CF/<ext>`), which no device state carries. */
  setForwardTarget(user: string, destination: string | undefined): void {
    const r = this.routing.get(user) ?? { forward: null, overflow: null, dnd: false };
    this.routing.set(user, { ...r, forward: destination ? { type: 'number', destination, condition: 'immediate' } : null });
  }

  private extensionState(f: Fields, m: AmiMessage): Observation[] {
    const user = f.Exten;
    if (!user || (this.users ? !this.users.has(user) : !/^\d{2,10}$/.test(user))) return [];
    const code = f.Status;
    let state: string;
    if (code === '0') state = 'free';
    else if (code === '4') state = 'unavailable';
    else if (code === '-1' || code === '-2' || code === undefined) return [];
    else state = 'busy';
    return [{ kind: 'direct', time: this.now(), key: state, onChangeOnly: true, raw: m.fields, event: { type: 'user.state', platform: PLATFORM, user, state } }];
  }
}

const key = (user: string, call: string): string => `${user}\u0001${call}`;

/** DialStatus -> cause, for the callee (`caller` false) or the caller's view. */
function dialCause(status: string, caller: boolean): Cause | undefined {
  switch (status) {
    case 'NOANSWER': return 'no_answer';
    case 'BUSY': return caller ? 'busy' : 'rejected';
    case 'CONGESTION':
    case 'CHANUNAVAIL': return 'failed';
    default: return undefined;
  }
}

/** The extension behind a queue member's interface: `PJSIP/201`, `Local/201@from-queue/n`, `hint:201@ext-local`. */
function memberUser(iface: string | undefined, name: string | undefined): string | undefined {
  if (iface) {
    const m = /^(?:[A-Za-z0-9]+\/|hint:)(\d+)(?:[@/-]|$)/.exec(iface);
    if (m && !iface.startsWith('Custom:')) return m[1];
  }
  return name && /^\d+$/.test(name) ? name : undefined;
}
