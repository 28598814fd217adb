/** The doc's example payloads (test/fixtures/voicenter) through the Voicenter pipeline, normalized as documented. */
import { DecodeError } from '../../shared/errors';
import { guardLine } from '../../shared/connection/line-guard';
import type { PbxEvent } from '../../shared/model/events';
import { VoicenterPipeline } from '../../shared/platforms/voicenter/pipeline';
import doc from '../fixtures/voicenter/doc-examples.json';

type Example = (typeof doc.examples)[number]['name'];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests edit the doc's payloads freely
type Payload = Record<string, any>;
const example = (name: Example): [string, Payload] => structuredClone(doc.examples.find((e) => e.name === name)!.event) as [string, Payload];
const line = (name: Example, edit?: (p: Payload) => void): string => {
  const ev = example(name);
  edit?.(ev[1]);
  return JSON.stringify(ev);
};
const run = (p: VoicenterPipeline, lines: string[]): PbxEvent[] => lines.flatMap((l) => p.pushLine(l));
const types = (events: PbxEvent[]): string[] => events.map((e) => e.type);

describe('Voicenter doc examples', () => {
  it('every example is a socket.io event array that decodes', () => {
    for (const e of doc.examples) {
      expect(Array.isArray(e.event)).toBe(true);
      expect(() => new VoicenterPipeline().pushLine(JSON.stringify(e.event))).not.toThrow();
    }
  });

  it('incoming NEWCALL, ANSWER, HANGUP: one answered call with its Voicenter fields', () => {
    const p = new VoicenterPipeline();
    const ev = run(p, [line('incoming-newcall'), line('incoming-answer'), line('incoming-hangup')]);
    expect(types(ev)).toEqual(['call.incoming', 'call.answered', 'call.ended']);
    const [inc, , end] = ev;
    expect(inc.user).toBe('1234567');
    expect(inc.call).toMatchObject({
      id: '202012021122010135330b4f77', direction: 'incoming', answered: false,
      from: { number: '0501234567', name: 'Test Voicenter' }, to: { number: '0722776772' },
      extra: { ivrid: '202012021122010135330b4f77', did: '0722776772', recording: { filename: '2020120-aws-0501234567-0722776772.mp3', muted: false }, customdata: {}, voicenterDirection: 'Incoming' },
    });
    expect(inc.time).toBe(new Date(1606908124_000).toISOString());
    expect(end.call).toMatchObject({ endReason: 'completed', answered: true, talkSeconds: 15, extra: { did: '0722776772' } });
    expect(p.heldCalls).toBe(0);
  });

  it('an unanswered incoming call that hangs up is missed; "Answered elsewhere" is not', () => {
    const unanswered = (q: Payload) => Object.assign(q.data.currentCall, { answered: 0, callAnswered: 0, callstatus: 'Ringing' });
    const p = new VoicenterPipeline();
    const missed = run(p, [line('incoming-newcall'), line('incoming-hangup', unanswered)]);
    expect(types(missed)).toEqual(['call.incoming', 'call.ended', 'call.missed']);
    expect(missed[2].call).toMatchObject({ endReason: 'abandoned', answered: false, ringSeconds: 15, extra: { did: '0722776772' } });

    const q = new VoicenterPipeline();
    const elsewhere = run(q, [line('incoming-newcall'), line('incoming-hangup', (x) => { unanswered(x); x.data.cause = 'Answered elsewhere'; })]);
    expect(types(elsewhere)).toEqual(['call.incoming', 'call.ended']);
    expect(elsewhere[1].call?.endReason).toBe('answered_elsewhere');
  });

  it('a HANGUP saying answered, for a call first seen ringing, is not a missed call', () => {
    const p = new VoicenterPipeline();
    const ev = run(p, [line('incoming-newcall'), line('incoming-hangup')]);
    expect(types(ev)).toEqual(['call.incoming', 'call.answered', 'call.ended']);
    expect(ev[2].call?.endReason).toBe('completed');
  });

  it('click-to-call legs 1 and 2 are one outgoing call, answered when the customer answers', () => {
    const p = new VoicenterPipeline();
    const legs = ['c2c-leg1-newcall', 'c2c-leg1-answer', 'c2c-leg2-newcall', 'c2c-leg2-answer', 'c2c-leg2-hangup'] as const;
    const per = legs.map((n) => types(p.pushLine(line(n))));
    expect(per).toEqual([['call.outgoing'], [], [], ['call.answered'], ['call.ended']]);
    const p2 = new VoicenterPipeline();
    const ev = run(p2, legs.map((n) => line(n)));
    expect(new Set(ev.map((e) => e.call?.id))).toEqual(new Set(['20201200013quvnhxku5v']));
    expect(ev[0].call).toMatchObject({ direction: 'outgoing', to: { number: '0501234567' }, extra: { voicenterDirection: 'Click2Call' } });
    expect(ev[1].time).toBe(new Date(1606913090_000).toISOString());
    expect(ev[2].call).toMatchObject({ endReason: 'completed', ringSeconds: 10, talkSeconds: 4 });
  });

  it('click-to-call leg 1 rejected: an unanswered outgoing call, never missed', () => {
    const p = new VoicenterPipeline();
    const ev = run(p, [line('c2c-leg1-newcall'), line('c2c-leg2-hangup', (x) => {
      Object.assign(x.data.currentCall, { c2cdirection: '1', answered: 0, callAnswered: 0 });
      x.data.cause = 'Call Rejected';
    })]);
    expect(types(ev)).toEqual(['call.outgoing', 'call.ended']);
    expect(ev[1].call?.endReason).toBe('rejected');
  });

  it('HOLD and UNHOLD: held and retrieved', () => {
    const p = new VoicenterPipeline();
    const ev = run(p, [line('incoming-newcall'), line('incoming-answer'),
      line('incoming-answer', (x) => { x.data.reason = 'HOLD'; }), line('incoming-answer', (x) => { x.data.reason = 'UNHOLD'; }),
      line('incoming-answer', (x) => { x.data.reason = 'HOLD'; }), line('incoming-hangup')]);
    expect(types(ev)).toEqual(['call.incoming', 'call.answered', 'call.held', 'call.retrieved', 'call.held', 'call.ended']);
    expect(new Set(ev.map((e) => e.id)).size).toBe(ev.length);
  });

  it('reason and servertime at the top level or inside data are the same event', () => {
    const top = line('incoming-newcall', (x) => {
      x.reason = x.data.reason; x.eventName = x.data.eventName; x.servertime = x.data.servertime;
      delete x.data.reason; delete x.data.eventName; delete x.data.servertime;
    });
    const a = new VoicenterPipeline().pushLine(line('incoming-newcall'));
    const b = new VoicenterPipeline().pushLine(top);
    expect(b).toEqual(a);
    expect(a).toHaveLength(1);
  });

  it('userStatusUpdate: agent.state by status name, once per change', () => {
    const p = new VoicenterPipeline();
    const ev = run(p, [line('user-status-update'), line('user-status-update'), line('user-status-update', (x) => { x.data.representativeStatus = 1; })]);
    expect(ev.map((e) => [e.type, e.user, e.state, e.agent?.state])).toEqual([
      ['agent.state', '1234567', 'lunch', 'lunch'],
      ['agent.state', '1234567', 'logged_in', 'logged_in'],
    ]);
  });

  it('QueueEvent JOIN then EXIT: joined with its caller, answered with the wait', () => {
    const p = new VoicenterPipeline();
    const ev = run(p, [line('queue-join'), line('queue-join'), line('queue-exit')]);
    expect(types(ev)).toEqual(['queue.joined', 'queue.answered']);
    expect(ev[0]).toMatchObject({ user: '1234567', queue: { id: '1234567', name: 'Queue1', callId: '2020082015645675456434324949c071d', caller: { number: '0501234567', name: 'John Doe' } } });
    expect(ev[1].queue).toMatchObject({ callId: '2020082015645675456434324949c071d', waitSeconds: 14, caller: { number: '0501234567' } });
  });

  it('QueueEvent ABANDONED: the abandoned queue call, with the wait when its JOIN was seen', () => {
    const p = new VoicenterPipeline();
    // The doc's ABANDONED example is about another call (its id ends in c0712): no JOIN seen, no wait.
    const lone = p.pushLine(line('queue-abandoned'));
    expect(lone.map((e) => [e.type, e.queue?.callId, e.queue?.waitSeconds])).toEqual([['queue.abandoned', '2020082015645675456434324949c0712', undefined]]);
    const q = new VoicenterPipeline();
    const ev = run(q, [line('queue-join'), line('queue-abandoned', (x) => { x.ivruniqueid = '2020082015645675456434324949c071d'; })]);
    expect(ev[1]).toMatchObject({ type: 'queue.abandoned', queue: { waitSeconds: 146, caller: { name: 'John Doe' } } });
  });

  it('loginStatus: calls already waiting joined; known ones are not repeated', () => {
    const p = new VoicenterPipeline();
    const first = p.pushLine(line('login-status'));
    expect(first.map((e) => [e.type, e.queue?.id, e.queue?.name, e.queue?.caller?.name])).toEqual([['queue.joined', '12345678', 'Queue1', 'John Doe']]);
    expect(p.pushLine(line('login-status'))).toEqual([]);
  });

  it('AllExtensionsStatus: the agent states of every extension; reconciles calls that vanished', () => {
    const p = new VoicenterPipeline();
    const ev = p.pushLine(line('all-extensions-status'));
    expect(ev.map((e) => [e.type, e.user, e.state])).toEqual([['agent.state', '9876543', 'logged_out'], ['agent.state', '9876542', 'logged_in']]);
    // A ringing call on 1234567, then a snapshot that lists that extension without it: the call ended.
    p.pushLine(line('incoming-newcall'));
    const snap = p.pushLine(line('all-extensions-status', (x) => {
      x.extensions.push({ number: 1234567, calls: [], representativeStatus: 1 });
    }));
    expect(snap.filter((e) => e.type.startsWith('call.')).map((e) => [e.type, e.call?.endedDuringOutage])).toEqual([['call.ended', true]]);
    expect(p.pushLine(line('all-extensions-status'))).toEqual([]);
  });

  it('a call in the snapshot is announced once, as in progress, and its hang-up ends it', () => {
    const p = new VoicenterPipeline();
    const call = example('incoming-answer')[1].data.currentCall;
    const snap = (): string => line('all-extensions-status', (x) => { x.extensions[0].calls = [call]; });
    const ev = run(p, [snap(), snap()]);
    expect(ev.filter((e) => e.type.startsWith('call.')).map((e) => [e.type, e.user, e.call?.inProgressAtConnect])).toEqual([
      ['call.incoming', '9876543', true], ['call.answered', '9876543', true],
    ]);
  });

  it('bad events cost one DecodeError each and the stream goes on', () => {
    const p = new VoicenterPipeline();
    const bad = [
      'not json', '{"an":"object"}', '[1,{}]', '["ExtensionEvent","text"]', '["ExtensionEvent",{}]',
      line('incoming-newcall', (x) => { delete x.data.reason; }),
      line('incoming-newcall', (x) => { delete x.data.number; delete x.data.extenUser; }),
      line('incoming-newcall', (x) => { x.data.currentCall.ivrid = 42e300; x.data.calls = []; }),
      line('user-status-update', (x) => { x.data.representativeStatus = 99; }),
      line('queue-join', (x) => { x.data.QueueID = 'abc'; }),
      line('queue-exit', (x) => { delete x.ivruniqueid; }),
    ];
    const out = bad.map((l) => guardLine(l, () => p.pushLine(l)));
    for (const r of out) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toBeInstanceOf(DecodeError);
    }
    expect(types(p.pushLine(line('incoming-newcall')))).toEqual(['call.incoming']);
  });

  it('fields of the wrong type are not trusted', () => {
    const p = new VoicenterPipeline();
    const ev = p.pushLine(line('incoming-newcall', (x) => {
      Object.assign(x.data.currentCall, { callername: { evil: true }, did: ['x'], recording: 'nope', customdata: { a: 1, b: { deep: 1 }, c: 'x'.repeat(2000) }, direction: 7 });
      x.servertime = 99e99;
    }));
    expect(ev).toHaveLength(1);
    const c = ev[0].call!;
    expect(c.from).toEqual({ number: '0501234567' });
    expect(c.extra).toEqual({ ivrid: '202012021122010135330b4f77', customdata: { a: 1, c: 'x'.repeat(512) } });
    expect(Number.isNaN(Date.parse(ev[0].time))).toBe(false);
  });
});
