/**
 * A forward on no answer (alice -> bob, both monitored) on the simulator front-ends other than O2G (covered in
 * simulator.test.ts), each through the platform's own connection over real sockets. The virtual PBX rings alice,
 * ends her leg `no_answer` naming where the call went, then rings bob. Alice's end must wait for the call's outcome
 * (shared/tracker/forward-hold.ts): bob answers -> she ends `answered_elsewhere` and nobody missed it; bob does not
 * answer -> both missed it, one `call.unanswered`, and her end went out once bob's phone had rung. Both cases
 * resolve by bob's answer or end, never by the hold's 2 s settle.
 *
 * The platforms whose wire form says where the forwarded leg went (the hold needs it):
 * - OpenTouch: `OnCallRemoved` with `newDestination` (as O2G).
 * - TelServices: the diverting device's call clears with cause `redirect`, and the device's forward on no answer
 *   (its `forward` events / snapshot `forwards`) names the number (telservices/normalizer.ts forwardedOnNoAnswer).
 * Not here: Voicenter (a HANGUP says "Normal hangup" and nothing of where the call went, in the Real Time API doc
 * and the official SDK alike) and Asterisk (FreePBX's forward on no answer is AstDB `CFU/<ext>`, which AMI never
 * announces: the target is known only once pbxflow reads AstDB, see AsteriskNormalizer.setNoAnswerForward).
 */
import type { PbxConnection } from '../../shared/connection/types';
import { followUpOf } from '../../shared/followup/hub';
import type { PbxEvent } from '../../shared/model/events';
import { AmiMessage } from '../../shared/platforms/asterisk/codec';
import { AsteriskPipeline } from '../../shared/platforms/asterisk/pipeline';
import { connectionFor, EXT, startFollowUpSimulator, stopFollowUpSimulator, type Front as AnyFront } from './connections';
import type { Simulator } from '../../simulator';
import { waitFor } from '../ale/helpers';

/** How long alice's phone rings before her forward takes the call to bob. */
const SHORT_RING_MS = 150;
const SETTLE_MS = 150;

type Front = Exclude<AnyFront, 'voicenter'>;

let sim: Simulator;

beforeAll(async () => {
  sim = await startFollowUpSimulator(SETTLE_MS, [], { ringTimeoutMs: SHORT_RING_MS });
  sim.pbx.setForward('alice', { destination: EXT.bob, condition: 'no_answer' });
});
afterAll(() => stopFollowUpSimulator(sim));


describe.each<Front>(['opentouch', 'telservices', 'asterisk'])('forward on no answer (%s)', (front) => {
  let conn: PbxConnection;
  const perUser: PbxEvent[] = [];
  const followUps: PbxEvent[] = [];
  let stop: () => void = () => undefined;
  /** A user id as this platform names it (a login on OpenTouch, an extension elsewhere). */
  const id = (login: string) => (front === 'opentouch' ? login : EXT[login]);
  const settle = (ms = SETTLE_MS + 150) => new Promise((r) => setTimeout(r, ms));
  let seq = 0;
  /** A caller number of its own for each test (the follow-up state is per caller number). */
  const customer = () => `07${front.length % 10}${String(++seq).padStart(7, '0')}`;
  const ofType = (type: string, user?: string) => perUser.filter((e) => e.type === type && (user === undefined || e.user === id(user)));
  /** The order the events went out in, as `user:type`. */
  const order = () => perUser.filter((e) => e.type.startsWith('call.')).map((e) => `${e.user}:${e.type}`);

  beforeAll(async () => {
    conn = connectionFor(sim, front);
    conn.onEvent((e) => perUser.push(e));
    await conn.ready(8000);
    // FreePBX's forward on no answer set the way pbxflow sets it (AstDB CFU/201, which the normalizer then knows).
    if (front === 'asterisk') await conn.execute('setForward', { target: 'number', number: EXT.bob, condition: 'no_answer' }, { user: EXT.alice });
  }, 10_000);
  afterAll(async () => {
    await conn?.close();
  });
  beforeEach(() => {
    sim.pbx.ringTimeoutMs = SHORT_RING_MS;
    stop = followUpOf(conn).subscribe((e) => followUps.push(e), { followUpMs: 0 });
  });
  afterEach(() => {
    stop();
    perUser.length = 0;
    followUps.length = 0;
  });

  it('bob, rung by alice\'s forward, answers: alice ends answered_elsewhere, nobody missed it, no call.unanswered', async () => {
    const ref = sim.pbx.callFromOutside(customer(), EXT.alice);
    // Alice's ring timer runs (150 ms); bob, rung by her forward, rings long enough to answer.
    sim.pbx.ringTimeoutMs = 5000;
    await waitFor(() => ofType('call.incoming', 'bob').length > 0, 3000, 'bob rings');
    sim.pbx.answer(ref, 'bob');
    await waitFor(() => ofType('call.ended', 'alice').length > 0, 3000, 'alice\'s end');
    sim.pbx.hangUp(ref, 'bob');
    await waitFor(() => ofType('call.ended', 'bob').length > 0, 3000, 'bob\'s end');
    await settle();
    expect(ofType('call.missed')).toEqual([]);
    expect(ofType('call.ended', 'alice').map((e) => [e.call!.endReason, e.call!.redirectedTo?.number])).toEqual([['answered_elsewhere', EXT.bob]]);
    expect(order().indexOf(`${id('alice')}:call.ended`)).toBeGreaterThan(order().indexOf(`${id('bob')}:call.answered`));
    expect(followUps).toEqual([]);
  });

  it('bob does not answer either: both missed it, one call.unanswered naming both', async () => {
    const caller = customer();
    sim.pbx.callFromOutside(caller, EXT.alice);
    await waitFor(() => followUps.some((e) => e.type === 'call.unanswered'), 3000, 'call.unanswered');
    await settle();
    const missed = ofType('call.missed');
    expect(missed.map((e) => e.user)).toEqual([id('alice'), id('bob')]);
    expect(ofType('call.ended', 'alice').map((e) => [e.call!.endReason, e.call!.redirectedTo?.number])).toEqual([['no_answer', EXT.bob]]);
    // Alice's end waited for the call's outcome at bob's: it goes out after bob's phone rang.
    expect(order().indexOf(`${id('alice')}:call.ended`)).toBeGreaterThan(order().indexOf(`${id('bob')}:call.incoming`));
    const unanswered = followUps.filter((e) => e.type === 'call.unanswered');
    expect(unanswered).toHaveLength(1);
    expect(unanswered[0].followUp).toMatchObject({ caller: { number: caller }, users: [id('alice'), id('bob')] });
    expect([...unanswered[0].followUp!.missedEventIds!].sort()).toEqual(missed.map((e) => e.id).sort());
  });
});

/**
 * Asterisk (FreePBX): the forward on no answer is AstDB `CFU/<ext>`, which AMI never announces, and the Dial that
 * times out (DialEnd NOANSWER, Hangup 19) names no target; FreePBX dials `Local/<target>@from-internal/n` only
 * after. Once the normalizer knows the user's CFU target (read from AstDB), that leg's end names it, so the hold
 * can wait for the call's outcome there. The connection does not read AstDB CFU yet: until it does, this is proven
 * on the pipeline the driver runs, with AMI as the simulator's front-end writes it.
 */
describe('forward on no answer (asterisk pipeline, FreePBX CFU)', () => {
  const snap = (p: string, c: { name: string; id: string; state: number; context: string; exten: string; num: string }): Record<string, string> => ({
    [`${p}Channel`]: c.name, [`${p}ChannelState`]: String(c.state), [`${p}CallerIDNum`]: c.num, [`${p}CallerIDName`]: '', [`${p}ConnectedLineNum`]: '', [`${p}ConnectedLineName`]: '',
    [`${p}Context`]: c.context, [`${p}Exten`]: c.exten, [`${p}Priority`]: '1', [`${p}Uniqueid`]: c.id, [`${p}Linkedid`]: '1700000000.1',
  });
  const msg = (fields: Record<string, string>): AmiMessage => Object.assign(new AmiMessage(), { fields });
  /** A caller's channel (`dialler`) dials 201's phone, which rings until the Dial times out. */
  const timedOut = (normalizer: (p: AsteriskPipeline) => void, dialler: { name: string; context: string }): PbxEvent[] => {
    const p = new AsteriskPipeline({ users: ['201', '202'] });
    normalizer(p);
    const caller = { name: dialler.name, id: '1700000000.1', state: 4, context: dialler.context, exten: '201', num: '0612345678' };
    const phone = { name: 'PJSIP/201-00000002', id: '1700000000.2', state: 0, context: 'from-internal', exten: 's', num: '201' };
    const out: PbxEvent[] = [];
    const push = (f: Record<string, string>) => out.push(...p.pushMessage(msg(f)));
    push({ Event: 'Newchannel', ...snap('', caller) });
    push({ Event: 'Newchannel', ...snap('', phone) });
    push({ Event: 'DialBegin', ...snap('', caller), ...snap('Dest', phone), DialString: '201' });
    phone.state = 5;
    push({ Event: 'Newstate', ...snap('', phone) });
    push({ Event: 'DialState', ...snap('', caller), ...snap('Dest', phone), DialStatus: 'RINGING' });
    push({ Event: 'DialEnd', ...snap('', caller), ...snap('Dest', phone), DialStatus: 'NOANSWER' });
    push({ Event: 'Hangup', ...snap('', phone), Cause: '19', 'Cause-txt': 'User alerting, no answer' });
    return out.filter((e) => e.type === 'call.ended');
  };
  const trunk = { name: 'PJSIP/trunk-00000001', context: 'from-pstn' };

  it('a Dial that times out names the CFU target the normalizer knows, and only then', () => {
    const known = timedOut((p) => p.normalizer.setNoAnswerForward('201', '202'), trunk);
    expect(known.map((e) => [e.user, e.call!.endReason, e.call!.redirectedTo])).toEqual([['201', 'no_answer', { number: '202' }]]);
    expect(timedOut(() => undefined, trunk).map((e) => e.call!.redirectedTo)).toEqual([undefined]);
    const off = timedOut((p) => { p.normalizer.setNoAnswerForward('201', '202'); p.normalizer.setNoAnswerForward('201', undefined); }, trunk);
    expect(off.map((e) => e.call!.redirectedTo)).toEqual([undefined]);
  });

  it('a ring group member dialled through a Local pair: the member\'s own forward is not where the call went', () => {
    const member = timedOut((p) => p.normalizer.setNoAnswerForward('201', '202'), { name: 'Local/201@from-internal-00000001;2', context: 'from-internal' });
    expect(member.map((e) => [e.call!.endReason, e.call!.redirectedTo])).toEqual([['no_answer', undefined]]);
  });
});
