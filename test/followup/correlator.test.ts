/**
 * The follow-up correlator on event sequences: per-user views made by the real tracker from observations (as a
 * platform's normalizer gives them), fed to the correlator, on a test clock.
 */
import { FollowUpCorrelator, type FollowUpOptions } from '../../shared/followup/correlator';
import { numberKey } from '../../shared/followup/numbers';
import type { PbxEvent, Platform } from '../../shared/model/events';
import type { CallObservation, Cause } from '../../shared/model/observations';
import { CallTracker } from '../../shared/tracker/tracker';

const T0 = Date.UTC(2026, 0, 5, 9);
const CUSTOMER = '+33612345678';

class Bench {
  now = T0;
  readonly tracker = new CallTracker({ now: () => this.now });
  readonly fu: FollowUpCorrelator;
  readonly out: PbxEvent[] = [];
  readonly perUser: PbxEvent[] = [];

  constructor(readonly platform: Platform = 'opentouch', o: FollowUpOptions = {}) {
    this.fu = new FollowUpCorrelator({ settleMs: 2000, now: () => this.now, ...o });
  }

  push(obs: Omit<CallObservation, 'kind' | 'platform' | 'time'>): void {
    const events = this.tracker.push({ kind: 'call', platform: this.platform, time: this.now, ...obs } as CallObservation);
    for (const e of events) {
      this.perUser.push(e);
      this.out.push(...this.fu.push(e));
    }
  }

  /** `user` starts ringing for a call from `from` (`key`: the platform's call-wide id). */
  ring(user: string, ref: string, key: string | undefined, from = CUSTOMER): void {
    this.push({ user, callId: ref, ...this.keyed(key), legs: [{ device: `${user}-set`, state: 'ringing_incoming' }], participants: [{ id: 'c', number: from }] });
  }

  answer(user: string, ref: string, key?: string): void {
    this.push({ user, callId: ref, ...this.keyed(key), legs: [{ device: `${user}-set`, state: 'active' }] });
  }

  end(user: string, ref: string, cause: Cause, key?: string): void {
    this.push({ user, callId: ref, ...this.keyed(key), removed: true, cause });
  }

  /** `user` dials `to` and it is answered. */
  callOut(user: string, ref: string, to: string, key?: string): void {
    this.push({ user, callId: ref, ...this.keyed(key), legs: [{ device: `${user}-set`, state: 'ringing_outgoing' }], participants: [{ id: 'c', number: to }], initialCalled: { number: to } });
    this.push({ user, callId: ref, ...this.keyed(key), legs: [{ device: `${user}-set`, state: 'active' }] });
  }

  wait(ms: number): void {
    this.now += ms;
    this.out.push(...this.fu.tick());
  }

  of(type: string): PbxEvent[] {
    return this.out.filter((e) => e.type === type);
  }

  private keyed(key: string | undefined): Partial<CallObservation> {
    if (!key) return {};
    return this.platform === 'telservices' ? { callKey: key } : { globalId: key };
  }
}

describe('follow-up: call.unanswered', () => {
  it('a group call nobody answers: one call.unanswered naming both users, the ring time and the missed ids', () => {
    const b = new Bench();
    b.ring('alice', 'r1', 'U1');
    b.now += 1000;
    b.ring('bob', 'r2', 'U1');
    b.now += 14_000;
    b.end('alice', 'r1', 'cleared', 'U1');
    b.end('bob', 'r2', 'cleared', 'U1');
    const missed = b.perUser.filter((e) => e.type === 'call.missed');
    expect(missed.map((e) => e.user)).toEqual(['alice', 'bob']);
    expect(b.of('call.unanswered')).toEqual([]); // settling: a forward could still ring someone
    b.wait(2000);
    const [u, ...more] = b.of('call.unanswered');
    expect(more).toEqual([]);
    expect(u.followUp).toMatchObject({
      caller: { number: CUSTOMER }, users: ['alice', 'bob'], ringSeconds: 15, endReason: 'abandoned',
      missedEventIds: missed.map((e) => e.id), firstRingAt: new Date(T0).toISOString(),
    });
    expect(u.call).toMatchObject({ direction: 'incoming', answered: false, from: { number: CUSTOMER } });
    b.wait(60_000);
    expect(b.of('call.unanswered')).toHaveLength(1);
  });

  it('a group call one user answers: the others end answered_elsewhere, no missed, no unanswered', () => {
    const b = new Bench();
    b.ring('alice', 'r1', 'U2');
    b.ring('bob', 'r2', 'U2');
    b.ring('carol', 'r3', 'U2');
    b.now += 5000;
    b.answer('bob', 'r2', 'U2');
    // The PBX then takes the call away from the others with a plain "cleared".
    b.end('alice', 'r1', 'cleared', 'U2');
    b.end('carol', 'r3', 'no_answer', 'U2');
    const ends = b.perUser.filter((e) => e.type === 'call.ended').map((e) => [e.user, e.call!.endReason]);
    expect(ends).toEqual([['alice', 'answered_elsewhere'], ['carol', 'answered_elsewhere']]);
    expect(b.perUser.filter((e) => e.type === 'call.missed')).toEqual([]);
    b.now += 60_000;
    b.end('bob', 'r2', 'cleared', 'U2');
    b.wait(10_000);
    expect(b.of('call.unanswered')).toEqual([]);
  });

  it('a transfer after the answer still rings someone new: that user missed it (their ringing began after the answer)', () => {
    const b = new Bench();
    b.ring('alice', 'r1', 'U3');
    b.answer('alice', 'r1', 'U3');
    b.now += 10_000;
    b.ring('bob', 'r2', 'U3');
    b.now += 10_000;
    b.end('bob', 'r2', 'cleared', 'U3');
    expect(b.perUser.filter((e) => e.type === 'call.missed').map((e) => e.user)).toEqual(['bob']);
  });

  it('forward on no answer to another monitored user who answers: no unanswered', () => {
    const b = new Bench();
    b.ring('alice', 'r1', 'U4');
    b.now += 20_000;
    b.end('alice', 'r1', 'no_answer', 'U4');
    b.now += 200;
    b.ring('bob', 'r2', 'U4');
    b.wait(5000);
    b.answer('bob', 'r2', 'U4');
    b.now += 30_000;
    b.end('bob', 'r2', 'cleared', 'U4');
    b.wait(10_000);
    expect(b.of('call.unanswered')).toEqual([]);
  });

  it('a forward chain ending on voicemail: one unanswered, ended by voicemail, ringing both', () => {
    const b = new Bench();
    b.ring('alice', 'r1', 'U5');
    b.now += 20_000;
    b.end('alice', 'r1', 'no_answer', 'U5');
    b.ring('bob', 'r2', 'U5');
    b.now += 20_000;
    b.end('bob', 'r2', 'voicemail', 'U5');
    b.wait(3000);
    expect(b.of('call.unanswered').map((e) => [e.followUp!.endReason, e.followUp!.users])).toEqual([['voicemail', ['alice', 'bob']]]);
  });

  it('without a call-wide id (TelServices with no callReference), overlapping views of one caller are one call', () => {
    const b = new Bench('telservices');
    b.ring('201', 'd201-1', undefined);
    b.ring('202', 'd202-1', undefined);
    b.now += 8000;
    b.end('201', 'd201-1', 'cleared');
    b.end('202', 'd202-1', 'cleared');
    b.wait(2000);
    expect(b.of('call.unanswered').map((e) => e.followUp!.users)).toEqual([['201', '202']]);
  });

  it('with TelServices callReference as callKey the views correlate by it, even for two callers at once', () => {
    const b = new Bench('telservices');
    b.ring('201', 'd201-1', 'R9');
    b.ring('202', 'd202-1', 'R9');
    b.answer('202', 'd202-1', 'R9');
    b.end('201', 'd201-1', 'cleared', 'R9');
    expect(b.perUser.filter((e) => e.type === 'call.ended').map((e) => e.call!.endReason)).toEqual(['answered_elsewhere']);
  });

  it('an anonymous caller gets a ticket but nothing to follow up', () => {
    const b = new Bench('opentouch');
    b.fu.want(60_000);
    b.push({ user: 'alice', callId: 'r1', globalId: 'A1', legs: [{ device: 'a', state: 'ringing_incoming' }], participants: [{ id: 'c', number: '', anonymous: true }] });
    b.end('alice', 'r1', 'cleared', 'A1');
    b.wait(3000);
    expect(b.of('call.unanswered')).toHaveLength(1);
    expect(b.fu.size.pending).toBe(0);
  });
});

describe('follow-up: call.returned and call.unreturned', () => {
  const missedCall = (b: Bench, key: string, from = CUSTOMER): PbxEvent => {
    b.ring('alice', `r-${key}`, key, from);
    b.ring('bob', `s-${key}`, key, from);
    b.now += 10_000;
    b.end('alice', `r-${key}`, 'cleared', key);
    b.end('bob', `s-${key}`, 'cleared', key);
    b.wait(2000);
    return b.of('call.unanswered').at(-1)!;
  };

  it('a callback within the window (number in national form, outside-line prefix) returns it, once', () => {
    const b = new Bench('o2g', { numbers: { outsideLinePrefix: '0' } });
    const u = missedCall(b, 'K1');
    b.wait(5 * 60_000);
    b.callOut('bob', 'out1', '00612345678');
    const [r, ...more] = b.of('call.returned');
    expect(more).toEqual([]);
    expect(r.followUp).toMatchObject({ closes: [u.id], returnedBy: 'bob', returnDirection: 'outgoing', afterSeconds: 302 });
    expect(r.user).toBe('bob');
    b.callOut('alice', 'out2', '0612345678');
    expect(b.of('call.returned')).toHaveLength(1);
  });

  it('the customer calling again and getting through returns every pending call of that number', () => {
    const b = new Bench();
    const u1 = missedCall(b, 'K2');
    b.wait(60_000);
    const u2 = missedCall(b, 'K3');
    b.wait(60_000);
    b.ring('carol', 'r9', 'K4', '0033 6 12 34 56 78');
    b.answer('carol', 'r9', 'K4');
    const [r] = b.of('call.returned');
    expect(r.followUp).toMatchObject({ closes: [u1.id, u2.id], returnedBy: 'carol', returnDirection: 'incoming' });
  });

  it('no callback: one call.unreturned after the follow-up time, naming the unanswered call; a later callback still closes it', () => {
    const b = new Bench();
    b.fu.want(30 * 60_000);
    const u = missedCall(b, 'K5');
    b.wait(29 * 60_000);
    expect(b.of('call.unreturned')).toEqual([]);
    b.wait(60_000);
    b.wait(60 * 60_000);
    const [n, ...more] = b.of('call.unreturned');
    expect(more).toEqual([]);
    expect(n.followUp).toMatchObject({ unansweredEventId: u.id, followUpSeconds: 1800, users: ['alice', 'bob'] });
    b.callOut('alice', 'o1', CUSTOMER);
    expect(b.of('call.returned').map((e) => e.followUp!.closes)).toEqual([[u.id]]);
  });

  it('a callback after the window returns nothing, and the state is gone', () => {
    const b = new Bench('opentouch', { windowMs: 3600_000 });
    missedCall(b, 'K6');
    b.wait(3601_000);
    expect(b.fu.size).toEqual({ open: 0, callers: 0, pending: 0 });
    b.callOut('bob', 'o1', CUSTOMER);
    expect(b.of('call.returned')).toEqual([]);
  });

  it('an unanswered call is not returned by a call with another number', () => {
    const b = new Bench();
    missedCall(b, 'K7');
    b.callOut('bob', 'o1', '+33699999999');
    expect(b.of('call.returned')).toEqual([]);
  });

  it('each follow-up time gets its own call.unreturned; a time asked for later does not escalate older calls', () => {
    const b = new Bench();
    b.fu.want(60_000);
    missedCall(b, 'K8');
    b.fu.want(120_000);
    b.wait(200_000);
    expect(b.of('call.unreturned').map((e) => e.followUp!.followUpSeconds)).toEqual([60]);
    missedCall(b, 'K9', '+33611111111');
    b.wait(200_000);
    expect(b.of('call.unreturned').map((e) => e.followUp!.followUpSeconds)).toEqual([60, 60, 120]);
  });

  it('keeps bounded state: callers and calls per caller are capped, with a warning', () => {
    const warnings: string[] = [];
    const b = new Bench('opentouch', { maxCallers: 3, maxPerCaller: 2, onWarning: (m) => warnings.push(m) });
    for (let i = 0; i < 5; i++) missedCall(b, `C${i}`, `+3361000000${i}`);
    for (let i = 0; i < 4; i++) missedCall(b, `D${i}`, '+33620000000');
    expect(b.fu.size).toEqual({ open: 0, callers: 3, pending: 2 + 1 + 1 });
    expect(warnings.length).toBeGreaterThan(0);
  });
});

describe('follow-up: numbers', () => {
  it('compares national, international and outside-line forms alike; extensions whole', () => {
    const k = (n: string) => numberKey(n, { outsideLinePrefix: '9' });
    expect(k('+33 6 12 34 56 78')).toBe(k('0612345678'));
    expect(k('0033612345678')).toBe(k('0612345678'));
    expect(k('90612345678')).toBe(k('+33612345678'));
    expect(k('955512345')).toBe(k('55512345'));
    expect(k('201')).toBe('201');
    expect(k('9201')).toBe('9201');
    expect(numberKey('')).toBe('');
  });
});
