/**
 * Renders the virtual PBX's changes as the AMI event sequences Asterisk (FreePBX, PJSIP) emits for them:
 * Newchannel / DialBegin / Newstate / DialState / DialEnd / Bridge* / Hold / BlindTransfer / Hangup, with
 * Linkedid = the caller's Uniqueid on every leg. A user with several devices is one PJSIP endpoint with several
 * contacts: each rings as its own channel, and when one answers the others end with Cause 26 (answered
 * elsewhere), as a FreePBX ring group does. Outside parties are trunk channels (context from-pstn).
 *
 * A ring-group (or hunt-group) call reaches each member through a Local channel pair, as in the real capture of a
 * call group (CACO ab_callgroup): Newchannel `Local/<ext>@from-internal-…;1` and `;2`, LocalBridge, DialBegin
 * caller -> `;1`, DialBegin `;2` -> the member's phone. When one member answers, the others' legs end with Cause 26
 * (Answered elsewhere) before the caller's Dial reports ANSWER; the winning pair is then optimised away (the phone
 * takes the `;1` half's place in the caller's bridge). Legs nobody answered end NOANSWER (hunt: one after the other).
 */
import type { PbxChange, SimCallView, SimUser } from '../../pbx/types';
import { ChannelNames, snapshot, type SimChan } from './channels';

export type EventClass = 'call' | 'agent' | 'system' | 'user';
export interface AmiOut {
  cls: EventClass;
  pairs: Array<[string, string | number | undefined]>;
}

const TRUNK = 'trunk';

export class AmiRenderer {
  readonly chans = new Map<string, SimChan>();
  private readonly names = new ChannelNames();
  /** login|ref -> the user's channels on that call. */
  private readonly mine = new Map<string, SimChan[]>();
  /** uuid -> the channel that dials (the caller's). */
  private readonly callerOf = new Map<string, SimChan>();
  /** uuid|number -> an outside party's trunk channel. */
  private readonly trunks = new Map<string, SimChan>();
  /** Click-to-call: the next outgoing call of this login uses this (already ringing) channel. */
  private readonly originated = new Map<string, SimChan>();
  private readonly lastRouting = new Map<string, { dnd: boolean; cf: boolean }>();
  /** login|ref -> the Local pair a ring group reaches that member through, while it rings. */
  private readonly pairs = new Map<string, { one: SimChan; two: SimChan; uuid: string }>();
  /** uuid -> a member answered: the caller's side waits until the other members' legs are cancelled. */
  private readonly pendingAnswer = new Map<string, { one: SimChan; two: SimChan; member: SimChan }>();
  private bridges = 0;

  constructor(private readonly userOf: (login: string) => SimUser | undefined) {}

  /** A user's (first) channel on a call, while it lives. */
  chanOf(login: string, ref: string): SimChan | undefined {
    return this.mine.get(`${login}|${ref}`)?.[0];
  }

  /**
   * A caller reaching a queue: its channel (a user's, already there, or a trunk's), answered by the queue for its
   * music as in the real capture (CACO queue_a_cancel: trunk Newchannel state 4, then Newstate 6).
   */
  queueCaller(uuid: string, caller: { number: string; name?: string }, queue: string): { chan: SimChan; out: AmiOut[] } {
    let c = this.callerOf.get(uuid);
    if (c) return { chan: c, out: [] };
    c = this.newChan(TRUNK, { state: 4, context: 'from-pstn', exten: queue, callerNum: caller.number, callerName: caller.name ?? '', outside: caller.number });
    this.trunks.set(`${uuid}|${caller.number}`, c);
    this.callerOf.set(uuid, c);
    const out = [ev('Newchannel', c)];
    c.state = 6;
    out.push(ev('Newstate', c));
    return { chan: c, out };
  }

  /** The channels of a call still live, for CoreShowChannels. */
  live(): SimChan[] {
    return [...this.chans.values()];
  }

  /** Click-to-call: the user's phone rings first (a channel with the id the client chose), then answers. */
  originate(login: string, uniqueid: string | undefined, destination: string): AmiOut[] {
    const u = this.userOf(login)!;
    const c = this.newChan(u.number, { uniqueid, state: 0, context: 'from-internal', exten: destination, callerNum: destination, callerName: destination, login });
    this.originated.set(login, c);
    const out = [ev('Newchannel', c)];
    c.state = 5;
    out.push(ev('Newstate', c));
    c.state = 6;
    c.callerNum = u.number;
    c.callerName = u.name;
    out.push(ev('Newstate', c));
    return out;
  }

  /** The originated channel was not used (the call could not be placed): it hangs up. */
  originateFailed(login: string): AmiOut[] {
    const c = this.originated.get(login);
    if (!c) return [];
    this.originated.delete(login);
    return this.hangup(c, 1, 'Unallocated (unassigned) number');
  }

  render(change: PbxChange): AmiOut[] {
    switch (change.kind) {
      case 'call':
        if (change.action === 'removed') return this.removed(change.user, change.view, change.cause, change.newDestination);
        if (change.action === 'created') return this.created(change.user, change.view);
        return this.modified(change.user, change.view);
      case 'userState': {
        const u = this.userOf(change.user);
        if (!u) return [];
        const busy = change.state === 'busy';
        return [
          { cls: 'call', pairs: [['Event', 'DeviceStateChange'], ['Device', `PJSIP/${u.number}`], ['State', busy ? 'INUSE' : 'NOT_INUSE']] },
          { cls: 'call', pairs: [['Event', 'ExtensionStatus'], ['Exten', u.number], ['Context', 'ext-local'], ['Hint', `PJSIP/${u.number}&Custom:DND${u.number}`], ['Status', busy ? 1 : 0], ['StatusText', busy ? 'InUse' : 'Idle']] },
        ];
      }
      case 'routing': {
        const u = this.userOf(change.user);
        if (!u) return [];
        const last = this.lastRouting.get(u.login) ?? { dnd: false, cf: false };
        const next = { dnd: change.routing.dnd, cf: change.routing.forward?.condition === 'immediate' };
        this.lastRouting.set(u.login, next);
        const out: AmiOut[] = [];
        if (next.dnd !== last.dnd) out.push({ cls: 'call', pairs: [['Event', 'DeviceStateChange'], ['Device', `Custom:DND${u.number}`], ['State', next.dnd ? 'BUSY' : 'NOT_INUSE']] });
        if (next.cf !== last.cf) out.push({ cls: 'call', pairs: [['Event', 'DeviceStateChange'], ['Device', `Custom:CF${u.number}`], ['State', next.cf ? 'BUSY' : 'NOT_INUSE']] });
        return out;
      }
      default:
        return [];
    }
  }

  // ---- calls ----------------------------------------------------------------------------------------------

  private created(login: string, v: SimCallView): AmiOut[] {
    const u = this.userOf(login);
    if (!u) return [];
    const out: AmiOut[] = [];
    const key = `${login}|${v.ref}`;
    if (v.direction === 'outgoing') {
      if (!this.mine.has(key)) {
        const called = v.initialCalled?.number ?? v.participants[0]?.number ?? 's';
        let c = this.originated.get(login);
        if (c) this.originated.delete(login);
        else {
          c = this.newChan(u.number, { state: 4, context: 'from-internal', exten: called, callerNum: u.number, callerName: u.name, login });
          out.push(ev('Newchannel', c));
        }
        c.ref = v.ref;
        this.mine.set(key, [c]);
        this.callerOf.set(v.uuid, c);
      }
      const caller = this.callerOf.get(v.uuid)!;
      // An outside callee: a trunk channel dialled from the caller's.
      for (const p of v.participants) {
        if (p.login || p.number === '8000' || this.trunks.has(`${v.uuid}|${p.number}`)) continue;
        if (v.group && p.number === v.group.number) continue; // the ring group: its members are dialled through Local pairs
        if (v.state !== 'ringing_outgoing') continue;
        const t = this.newChan(TRUNK, { state: 0, context: 'from-trunk', exten: 's', callerNum: p.number, callerName: p.name ?? '', linkedid: caller.linkedid, outside: p.number });
        t.connectedNum = caller.callerNum;
        t.connectedName = caller.callerName;
        t.dialedBy = caller;
        this.trunks.set(`${v.uuid}|${p.number}`, t);
        out.push(ev('Newchannel', t), dial('DialBegin', caller, t, [['DialString', `trunk/sip:${p.number}@provider`]]));
        t.state = 5;
        out.push(ev('Newstate', t), dial('DialState', caller, t, [['DialStatus', 'RINGING']]));
      }
      return out;
    }
    // Incoming: the caller's channel (a user's, or a trunk for an outside caller), then one channel per device.
    let caller = this.callerOf.get(v.uuid);
    if (!caller) {
      const from = v.participants[0];
      caller = this.newChan(TRUNK, { state: 4, context: 'from-pstn', exten: v.group?.number ?? u.number, callerNum: from?.number ?? '', callerName: from?.name ?? '', outside: from?.number });
      this.trunks.set(`${v.uuid}|${from?.number ?? ''}`, caller);
      this.callerOf.set(v.uuid, caller);
      out.push(ev('Newchannel', caller));
    }
    const legs: SimChan[] = [];
    let dialer = caller;
    if (v.group) {
      const pair = this.localPair(u, v, caller);
      out.push(...pair.out);
      dialer = pair.two;
    }
    for (const leg of v.legs.length ? v.legs : [{ device: u.devices[0] ?? u.number, state: v.state }]) {
      const c = this.newChan(u.number, { state: 0, context: 'from-internal', exten: 's', callerNum: u.number, callerName: u.name, login, linkedid: caller.linkedid });
      c.device = leg.device;
      c.ref = v.ref;
      c.connectedNum = caller.callerNum;
      c.connectedName = caller.callerName;
      c.dialedBy = dialer;
      legs.push(c);
      out.push(ev('Newchannel', c), dial('DialBegin', dialer, c, [['DialString', `${u.number}/sip:${u.number}@127.0.0.1`]]));
      c.state = 5;
      out.push(ev('Newstate', c), dial('DialState', dialer, c, [['DialStatus', 'RINGING']]));
    }
    const pair = this.pairs.get(`${login}|${v.ref}`);
    if (pair && pair.one.state !== 5) {
      // Ringing goes back through the pair to the caller's Dial.
      pair.one.state = 5;
      out.push(ev('Newstate', pair.one), dial('DialState', caller, pair.one, [['DialStatus', 'RINGING']]));
    }
    this.mine.set(`${login}|${v.ref}`, legs);
    return out;
  }

  /** A ring group reaches `u` through a Local pair: `;1` dialled by the caller, `;2` dialling the member's phones. */
  private localPair(u: SimUser, v: SimCallView, caller: SimChan): { two: SimChan; out: AmiOut[] } {
    const [n1, n2] = this.names.nextLocal(u.number, 'from-internal');
    const base = { context: 'from-internal', exten: u.number, linkedid: caller.linkedid };
    const one = this.newChan('', { ...base, id: n1, state: 0, callerNum: v.group!.number, callerName: v.group!.name });
    const two = this.newChan('', { ...base, id: n2, state: 4, callerNum: caller.callerNum, callerName: caller.callerName });
    one.connectedNum = caller.callerNum;
    one.connectedName = caller.callerName;
    one.dialedBy = caller;
    two.connectedNum = u.number;
    two.connectedName = u.name;
    this.pairs.set(`${u.login}|${v.ref}`, { one, two, uuid: v.uuid });
    const out: AmiOut[] = [ev('Newchannel', one), ev('Newchannel', two)];
    out.push({ cls: 'call', pairs: [['Event', 'LocalBridge'], ...snapshot(one, 'LocalOne'), ...snapshot(two, 'LocalTwo'), ['Context', 'from-internal'], ['Exten', u.number], ['LocalOptimization', 'Yes']] });
    out.push(dial('DialBegin', caller, one, [['DialString', `Local/${u.number}@from-internal`]]));
    return { two, out };
  }

  /** The caller's Dial gets the member's answer (once no other member's leg rings), and the pair is optimised away. */
  private flushGroupAnswer(uuid: string): AmiOut[] {
    const p = this.pendingAnswer.get(uuid);
    if (!p || [...this.pairs.values()].some((x) => x.uuid === uuid && x.one !== p.one)) return [];
    this.pendingAnswer.delete(uuid);
    const caller = p.one.dialedBy!;
    const out: AmiOut[] = [dial('DialEnd', caller, p.one, [['DialStatus', 'ANSWER']])];
    out.push(...this.answerCaller(caller, p.one));
    caller.connectedNum = p.member.callerNum;
    caller.connectedName = p.member.callerName;
    // Local optimisation: the phone takes `;1`'s place in the caller's bridge, then both halves go.
    const bridge = p.one.bridge!;
    p.member.bridge = bridge;
    p.member.dialedBy = caller;
    out.push({ cls: 'call', pairs: [['Event', 'BridgeEnter'], ['BridgeUniqueid', bridge], ['BridgeType', 'basic'], ['BridgeNumChannels', 3], ...snapshot(p.member), ['SwapUniqueid', p.one.uniqueid]] });
    out.push(...this.hangup(p.one, 16, 'Normal Clearing'), ...this.hangup(p.two, 16, 'Normal Clearing'));
    return out;
  }

  /** A member's leg of a group call ends before anyone answered it (or because someone else did). */
  private pairRemoved(key: string, legs: SimChan[], cause: string): AmiOut[] {
    const pair = this.pairs.get(key)!;
    this.pairs.delete(key);
    const caller = pair.one.dialedBy!;
    const [status, code, text] = cause === 'answered_elsewhere' ? ['CANCEL', 26, 'Answered elsewhere']
      : cause === 'no_answer' ? ['NOANSWER', 19, 'User alerting, no answer']
        : cause === 'busy' || cause === 'rejected' ? ['BUSY', 17, 'User busy']
          : ['CANCEL', 127, 'Interworking, unspecified'];
    const halves = code === 19 ? [0, 'Unknown'] as const : [code, text] as const;
    const out: AmiOut[] = [dial('DialEnd', caller, pair.one, [['DialStatus', status]]), ...this.hangup(pair.one, halves[0], halves[1])];
    for (const c of legs) out.push(dial('DialEnd', pair.two, c, [['DialStatus', status]]), ...this.hangup(c, code, text));
    out.push(...this.hangup(pair.two, halves[0], halves[1]));
    return [...out, ...this.flushGroupAnswer(pair.uuid)];
  }

  private modified(login: string, v: SimCallView): AmiOut[] {
    const legs = this.mine.get(`${login}|${v.ref}`);
    if (!legs) return this.created(login, v);
    const out: AmiOut[] = [];
    const ringing = legs.filter((c) => c.state === 5 && c.dialedBy);
    if (v.state === 'active' && ringing.length > 0) {
      // This user answered on one device: the others are cancelled, answered elsewhere.
      const device = v.legs[0]?.device;
      const won = ringing.find((c) => c.device === device) ?? ringing[0];
      const caller = won.dialedBy!;
      won.state = 6;
      out.push(ev('Newstate', won), dial('DialEnd', caller, won, [['DialStatus', 'ANSWER']]));
      for (const other of ringing) {
        if (other === won) continue;
        out.push(dial('DialEnd', caller, other, [['DialStatus', 'CANCEL']]), ...this.hangup(other, 26, 'Answered elsewhere'));
      }
      this.mine.set(`${login}|${v.ref}`, legs.filter((c) => c === won || !ringing.includes(c)));
      const pair = this.pairs.get(`${login}|${v.ref}`);
      if (pair) {
        // A ring group's member answered: `;1` answers the caller's Dial once the other members' legs are gone.
        this.pairs.delete(`${login}|${v.ref}`);
        pair.one.state = 6;
        out.push(ev('Newstate', pair.one));
        this.pendingAnswer.set(pair.uuid, { one: pair.one, two: pair.two, member: won });
        out.push(...this.flushGroupAnswer(pair.uuid));
        return out;
      }
      out.push(...this.answerCaller(caller, won));
      return out;
    }
    const mineNow = this.mine.get(`${login}|${v.ref}`)!;
    if (v.direction === 'outgoing' && v.state === 'active') {
      // An outside callee answered.
      for (const t of this.trunks.values()) {
        if (t.dialedBy === mineNow[0] && t.state !== 6) {
          t.state = 6;
          out.push(ev('Newstate', t), dial('DialEnd', t.dialedBy!, t, [['DialStatus', 'ANSWER']]), ...this.answerCaller(t.dialedBy!, t));
        }
      }
    }
    const c = mineNow.find((x) => x.state === 6);
    if (c && v.state === 'held' && !c.held) {
      c.held = true;
      out.push(ev('Hold', c, [['MusicClass', 'default']]));
    } else if (c && v.state === 'active' && c.held) {
      c.held = false;
      out.push(ev('Unhold', c));
    }
    return out;
  }

  private answerCaller(caller: SimChan, callee: SimChan): AmiOut[] {
    const out: AmiOut[] = [];
    if (caller.state !== 6) {
      caller.state = 6;
      out.push(ev('Newstate', caller));
    }
    caller.connectedNum = callee.outside ?? callee.callerNum;
    caller.connectedName = callee.outside ? callee.callerName : callee.callerName;
    const bridge = `b${(++this.bridges).toString(16).padStart(8, '0')}-sim`;
    callee.bridge = bridge;
    caller.bridge = bridge;
    const b: Array<[string, string | number]> = [['BridgeUniqueid', bridge], ['BridgeType', 'basic'], ['BridgeTechnology', 'simple_bridge'], ['BridgeCreator', '<unknown>'], ['BridgeName', '<unknown>']];
    out.push({ cls: 'call', pairs: [['Event', 'BridgeCreate'], ...b, ['BridgeNumChannels', 0]] });
    out.push({ cls: 'call', pairs: [['Event', 'BridgeEnter'], ...b, ['BridgeNumChannels', 1], ...snapshot(callee)] });
    out.push({ cls: 'call', pairs: [['Event', 'BridgeEnter'], ...b, ['BridgeNumChannels', 2], ...snapshot(caller)] });
    return out;
  }

  private removed(login: string, v: SimCallView, cause: string, newDestination?: string): AmiOut[] {
    const key = `${login}|${v.ref}`;
    const legs = this.mine.get(key);
    if (!legs) return [];
    this.mine.delete(key);
    if (this.pairs.has(key)) return this.pairRemoved(key, legs, cause);
    const out: AmiOut[] = [];
    for (const c of legs) {
      const caller = c.dialedBy;
      const ringingCallee = c.state === 5 && caller !== undefined;
      if (cause === 'transferred' && newDestination) {
        const other = this.partnerOf(c);
        out.push({ cls: 'call', pairs: [['Event', 'BlindTransfer'], ['Result', 'Success'], ...snapshot(c, 'Transferer'), ...(other ? snapshot(other, 'Transferee') : []), ['IsExternal', 'No'], ['Context', 'from-internal'], ['Extension', newDestination]] });
        if (other) this.callerOf.set(v.uuid, other);
        out.push(...this.hangup(c, 16, 'Normal Clearing'));
      } else if (cause === 'transferred' && c.state === 6 && this.heldLegOf(login, v.ref)) {
        out.push(...this.attendedTransfer(this.heldLegOf(login, v.ref)!, c));
      } else if (ringingCallee && (cause === 'redirected' || cause === 'voicemail') && newDestination) {
        out.push(dial('DialEnd', caller!, c, [['DialStatus', 'CANCEL'], ['Forward', newDestination]]), ...this.hangup(c, 16, 'Normal Clearing'));
      } else if (ringingCallee && cause === 'no_answer') {
        out.push(dial('DialEnd', caller!, c, [['DialStatus', 'NOANSWER']]), ...this.hangup(c, 19, 'User alerting, no answer'));
      } else if (ringingCallee && cause === 'rejected') {
        // As a real capture of a rejected call (CACO ab_reject): DialEnd BUSY, the phone's leg ends 17, then the caller's.
        out.push(dial('DialEnd', caller!, c, [['DialStatus', 'BUSY']]), ...this.hangup(c, 17, 'User busy'));
      } else if (ringingCallee && cause === 'picked_up') {
        out.push(dial('DialEnd', caller!, c, [['DialStatus', 'CANCEL']]), ...this.hangup(c, 26, 'Answered elsewhere'));
      } else if (ringingCallee) {
        out.push(dial('DialEnd', caller!, c, [['DialStatus', 'CANCEL']]), ...this.hangup(c, 127, 'Interworking, unspecified'));
      } else if (cause === 'busy') {
        out.push(...this.hangup(c, 17, 'User busy'));
      } else if (cause === 'no_answer') {
        out.push(...this.hangup(c, 19, 'User alerting, no answer'));
      } else {
        out.push(...this.hangup(c, 16, 'Normal Clearing'));
      }
    }
    return out;
  }

  /** The user's answered channel on another call (the call held during a consultation). */
  private heldLegOf(login: string, ref: string): { key: string; chan: SimChan } | undefined {
    for (const [k, legs] of this.mine) {
      if (!k.startsWith(`${login}|`) || k === `${login}|${ref}`) continue;
      const chan = legs.find((x) => x.state === 6 && x.bridge);
      if (chan) return { key: k, chan };
    }
    return undefined;
  }

  /**
   * An attended transfer as Asterisk reports it (CACO xfer_abbcac): AttendedTransfer naming both transferer legs,
   * the transferer's two channels leave and hang up, then the transferee enters the consultation's bridge.
   */
  private attendedTransfer(held: { key: string; chan: SimChan }, second: SimChan): AmiOut[] {
    const orig = held.chan;
    this.mine.delete(held.key);
    const transferee = this.partnerOf(orig);
    const target = this.partnerOf(second);
    const dest = second.bridge!;
    const out: AmiOut[] = [{ cls: 'call', pairs: [
      ['Event', 'AttendedTransfer'], ['Result', 'Success'],
      ...snapshot(orig, 'OrigTransferer'), ['OrigBridgeUniqueid', orig.bridge], ['OrigBridgeType', 'basic'],
      ...snapshot(second, 'SecondTransferer'), ['SecondBridgeUniqueid', dest], ['SecondBridgeType', 'basic'],
      ['DestType', 'Bridge'], ['DestBridgeUniqueid', dest],
      ...(transferee ? snapshot(transferee, 'Transferee') : []), ...(target ? snapshot(target, 'TransferTarget') : []),
      ['IsExternal', 'No'],
    ] }];
    out.push(...this.hangup(orig, 16, 'Normal Clearing'), ...this.hangup(second, 16, 'Normal Clearing'));
    if (transferee?.bridge) {
      out.push({ cls: 'call', pairs: [['Event', 'BridgeLeave'], ['BridgeUniqueid', transferee.bridge], ['BridgeType', 'basic'], ['BridgeNumChannels', 0], ...snapshot(transferee)] });
      transferee.bridge = dest;
      if (target) {
        transferee.connectedNum = target.outside ?? target.callerNum;
        transferee.connectedName = target.callerName;
        target.connectedNum = transferee.outside ?? transferee.callerNum;
        target.connectedName = transferee.callerName;
      }
      out.push({ cls: 'call', pairs: [['Event', 'BridgeEnter'], ['BridgeUniqueid', dest], ['BridgeType', 'basic'], ['BridgeNumChannels', 2], ...snapshot(transferee)] });
    }
    return out;
  }

  /** The other channel of a channel's bridge (or the one that dialled it). */
  private partnerOf(c: SimChan): SimChan | undefined {
    for (const x of this.chans.values()) if (x !== c && x.bridge !== undefined && x.bridge === c.bridge) return x;
    return c.dialedBy && this.chans.has(c.dialedBy.uniqueid) ? c.dialedBy : undefined;
  }

  /** Ends the trunk channels of calls that are over (the PBX no longer has them). */
  sweepTrunks(liveUuids: ReadonlySet<string>): AmiOut[] {
    const out: AmiOut[] = [];
    for (const [k, t] of this.trunks) {
      const uuid = k.slice(0, k.lastIndexOf('|'));
      if (liveUuids.has(uuid) && this.chans.has(t.uniqueid)) continue;
      this.trunks.delete(k);
      if (this.chans.has(t.uniqueid)) out.push(...this.hangup(t, 16, 'Normal Clearing'));
    }
    for (const [uuid, c] of this.callerOf) if (!liveUuids.has(uuid) && !this.chans.has(c.uniqueid)) this.callerOf.delete(uuid);
    return out;
  }

  private hangup(c: SimChan, cause: number, text: string): AmiOut[] {
    const out: AmiOut[] = [];
    if (c.bridge) {
      out.push({ cls: 'call', pairs: [['Event', 'BridgeLeave'], ['BridgeUniqueid', c.bridge], ['BridgeType', 'basic'], ['BridgeNumChannels', 1], ...snapshot(c)] });
      c.bridge = undefined;
    }
    this.chans.delete(c.uniqueid);
    out.push(ev('Hangup', c, [['Cause', cause], ['Cause-txt', text]]));
    return out;
  }

  private newChan(endpoint: string, o: Partial<SimChan> & { state: number; context: string; exten: string; callerNum: string; callerName: string; id?: { name: string; uniqueid: string } }): SimChan {
    const id = o.id ?? this.names.next(endpoint);
    const uniqueid = o.uniqueid ?? id.uniqueid;
    const c: SimChan = {
      name: id.name, uniqueid, linkedid: o.linkedid ?? uniqueid, state: o.state, callerNum: o.callerNum, callerName: o.callerName,
      connectedNum: '', connectedName: '', context: o.context, exten: o.exten, login: o.login, outside: o.outside, held: false, startedAt: Date.now(),
    };
    this.chans.set(uniqueid, c);
    return c;
  }
}

function ev(name: string, c: SimChan, extra: Array<[string, string | number]> = []): AmiOut {
  return { cls: 'call', pairs: [['Event', name], ...snapshot(c), ...extra] };
}

function dial(name: 'DialBegin' | 'DialState' | 'DialEnd', from: SimChan, to: SimChan, extra: Array<[string, string | number]>): AmiOut {
  return { cls: 'call', pairs: [['Event', name], ...snapshot(from), ...snapshot(to, 'Dest'), ...extra] };
}
