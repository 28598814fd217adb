/**
 * TelServices pipeline: the spec's call examples and the derived meaning (answered, missed, transferred...), as ALE.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PbxEvent } from '../../shared/model/events';
import { encodeEvent } from '../../shared/platforms/telservices/codec';
import { TelServicesPipeline } from '../../shared/platforms/telservices/pipeline';
import type { TsCallInfo } from '../../shared/platforms/telservices/types';

interface Example { source: string; example: string; section: string; root: string; xml: string }
const examples: Example[] = JSON.parse(readFileSync(join(__dirname, '../fixtures/telservices/spec-examples.json'), 'utf8'));
const callExample = (n: number) => examples.filter((e) => e.root === 'TelServiceEvent' && e.section === 'Call' && e.example === `Example ${n}`).map((e) => e.xml);
const types = (evs: PbxEvent[]) => evs.filter((e) => e.type !== 'connection.state').map((e) => e.type);

function clock() {
  let t = Date.UTC(2026, 11, 1, 12);
  return { now: () => t, tick: (ms: number) => (t += ms) };
}

/** A call event in the spec's shape, for the states the examples do not show (cleared...). */
function callXml(device: string | undefined, prim: Partial<TsCallInfo> & { state: TsCallInfo['state'] }, opts: { id?: string; sec?: TsCallInfo; services?: string[] } = {}): string {
  const info = (i: Partial<TsCallInfo>) => ({ otherParty: { number: '3101' }, duration: 0, isOutgoing: false, isConference: false, ...i });
  return encodeEvent({
    ...(device ? { deviceNumber: device } : {}),
    event: { name: 'call', value: { id: opts.id ?? '1', primCall: info(prim) as TsCallInfo, ...(opts.sec ? { secCall: info(opts.sec) as TsCallInfo } : {}), permittedServices: (opts.services ?? []) as never } },
  });
}

describe('TelServices pipeline', () => {
  it('spec example 1: an outgoing call from 1101 is announced once and answered', () => {
    const c = clock();
    const p = new TelServicesPipeline({ now: c.now });
    const evs = callExample(1).flatMap((x) => (c.tick(1000), p.pushDatagram(x).events));
    expect(types(evs)).toEqual(['call.outgoing', 'call.answered']);
    expect(evs[1].call).toMatchObject({ direction: 'outgoing', from: { number: '1101' }, to: { number: '1102' }, answered: true, capabilities: ['holdCall', 'dropCall', 'divertCall', 'consultationCall'] });
  });

  it('spec example 2 then cleared: an incoming call answered on 1102 ends completed, not missed', () => {
    const c = clock();
    const p = new TelServicesPipeline({ now: c.now });
    const evs = [...callExample(2), callXml('1102', { state: 'cleared', otherParty: { number: '1101' } })].flatMap((x) => (c.tick(2000), p.pushDatagram(x).events));
    expect(types(evs)).toEqual(['call.incoming', 'call.answered', 'call.ended']);
    expect(evs[2].call).toMatchObject({ direction: 'incoming', from: { number: '1101' }, to: { number: '1102' }, endReason: 'completed', ringSeconds: 2, talkSeconds: 2 });
  });

  it('an incoming call that alerts and clears unanswered is missed; redirected or routed away it is not', () => {
    const c = clock();
    const p = new TelServicesPipeline({ now: c.now });
    const run = (xs: string[]) => xs.flatMap((x) => (c.tick(1000), p.pushDatagram(x).events));
    expect(types(run([callXml('3102', { state: 'alerting' }), callXml('3102', { state: 'cleared', cause: 'droppedByOtherParty' })])))
      .toEqual(['call.incoming', 'call.ended', 'call.missed']);
    expect(types(run([callXml('3102', { state: 'alerting', otherParty: { number: '3105' } }), callXml('3102', { state: 'cleared', otherParty: { number: '3105' }, cause: 'redirect' })])))
      .toEqual(['call.incoming', 'call.redirected', 'call.ended']);
    expect(types(run([callXml('3102', { state: 'alerting', otherParty: { number: '3106' } }), callXml('3102', { state: 'cleared', otherParty: { number: '3106' }, cause: 'route' })])))
      .toEqual(['call.incoming', 'call.redirected', 'call.ended']);
    // A call that vanishes from the next call event (no cleared state) ends too.
    const vanish = run([callXml('3103', { state: 'alerting', otherParty: { number: '3107' } }), '<TelServiceEvent><deviceNumber>3103</deviceNumber><event><call><id>1</id></call></event></TelServiceEvent>']);
    expect(types(vanish)).toEqual(['call.incoming', 'call.ended', 'call.missed']);
  });

  it('an outgoing call refused busy ends busy, not missed', () => {
    const c = clock();
    const p = new TelServicesPipeline({ now: c.now });
    const evs = [callXml('3102', { state: 'originated', isOutgoing: true, otherParty: { number: '3103' } }), callXml('3102', { state: 'failed', isOutgoing: true, otherParty: { number: '3103' }, cause: 'busy' })]
      .flatMap((x) => (c.tick(500), p.pushDatagram(x).events));
    expect(types(evs)).toEqual(['call.outgoing', 'call.ended']);
    expect(evs[1].call?.endReason).toBe('busy');
  });

  it('spec example 3: the consultation is a second call while the first is held', () => {
    const c = clock();
    const p = new TelServicesPipeline({ now: c.now });
    // 1101 is first connected to 1102.
    const evs = [callXml('1101', { state: 'connected', isOutgoing: true, otherParty: { number: '1102' } }), ...callExample(3)].flatMap((x) => (c.tick(1000), p.pushDatagram(x).events));
    expect(types(evs)).toEqual(['call.outgoing', 'call.answered', 'call.held', 'call.outgoing', 'call.answered']);
    const [first, , held, consult] = evs;
    expect(held.call!.id).toBe(first.call!.id);
    expect(consult.call!.id).not.toBe(first.call!.id);
    expect(consult.call!.to.number).toBe('1103');
    expect(p.tracker.callsOf('1101')).toHaveLength(2);
  });

  it('spec example 4: a call transferred to 1104 goes on with the new other party', () => {
    const c = clock();
    const p = new TelServicesPipeline({ now: c.now });
    const evs = [callXml('1104', { state: 'alerting', otherParty: { number: '1103' } }), callXml('1104', { state: 'connected', otherParty: { number: '1103' } }), ...callExample(4)]
      .flatMap((x) => (c.tick(1000), p.pushDatagram(x).events));
    expect(types(evs)).toEqual(['call.incoming', 'call.answered']);
    expect(p.tracker.callsOf('1104')).toHaveLength(1);
    expect(p.tracker.callsOf('1104')[0].from.number).toBe('1101');
  });

  it('spec example 6: a diverted call shows the first called party', () => {
    const p = new TelServicesPipeline();
    const evs = p.pushDatagram(callExample(6)[0]).events;
    expect(types(evs)).toEqual(['call.incoming']);
    expect(evs[0].call).toMatchObject({ from: { number: '1101' }, to: { number: '1102' } });
  });

  it('a duplicated datagram gives one event; a reordered one does not invent a call', () => {
    const c = clock();
    const p = new TelServicesPipeline({ now: c.now });
    const alert = callXml('3102', { state: 'alerting' });
    const conn = callXml('3102', { state: 'connected' });
    const clear = callXml('3102', { state: 'cleared' });
    const got: PbxEvent[] = [];
    const push = (x: string) => {
      c.tick(50);
      const r = p.pushDatagram(x);
      got.push(...r.events);
      return r;
    };
    push(alert);
    expect(push(alert).duplicates).toBe(1);
    push(conn);
    push(conn);
    push(clear);
    push(conn); // late copy of an earlier datagram, after the end
    expect(types(got)).toEqual(['call.incoming', 'call.answered', 'call.ended']);
    expect(p.tracker.size).toBe(0);
    // Connected before alerting (swapped on the way): answered, never missed.
    const q = new TelServicesPipeline({ now: c.now });
    const swapped = [conn, alert, clear].flatMap((x) => (c.tick(50), q.pushDatagram(x).events));
    expect(types(swapped)).toEqual(['call.incoming', 'call.answered', 'call.ended']);
    expect(swapped[2].call?.endReason).toBe('completed');
  });

  it('routes events without deviceNumber to the given device; forward and DND make routing.changed', () => {
    const p = new TelServicesPipeline();
    const fwd = examples.find((e) => e.source === 'TS:L2329-2341')!.xml;
    const dnd = examples.find((e) => e.source === 'TS:L2375-2381')!.xml;
    const r = p.pushDatagram(fwd, '3103');
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ type: 'routing.changed', user: '3103', routing: { forward: { type: 'number', destination: '1102', condition: 'immediate' }, overflow: null, dnd: false } });
    expect(p.pushDatagram(dnd, '3103').events[0]).toMatchObject({ type: 'routing.changed', user: '3103', routing: { dnd: true } });
    expect(() => p.pushLine(fwd)).toThrow(/no session to attribute/);
  });

  it('msgWaiting, agent and session events', () => {
    const p = new TelServicesPipeline({ defaultDevice: '3102' });
    const mw = p.pushLine(examples.find((e) => e.source === 'TS:L2397-2403')!.xml);
    expect(mw[0]).toMatchObject({ type: 'messages.changed', user: '3102', messages: { messageWaiting: true } });
    const ag = p.pushLine(examples.find((e) => e.source === 'TS:L1760-1769')!.xml);
    expect(ag[0]).toMatchObject({ type: 'agent.state', state: 'wrapup', agent: { state: 'wrapup', group: 'service1' } });
    const se = p.pushLine(examples.find((e) => e.source === 'TS:L2417-2423')!.xml);
    expect(se[0]).toMatchObject({ type: 'connection.state', connection: { state: 'reconnecting', reason: 'pbxlinkOutOfService' } });
  });

  it('two PDUs in one datagram, and a malformed one between good ones, each cost only themselves', () => {
    const p = new TelServicesPipeline({ endOfMessage: '\n\n' });
    const a = callXml('3102', { state: 'alerting' });
    const b = '<TelServiceEvent><event><msgWaiting><on/></msgWaiting></event></TelServiceEvent>';
    const r = p.pushDatagram(`${a}\n\n<TelServiceEvent><event><call><id>1</call></event>\n\n${b}\n\n`, '3102');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message).toMatch(/malformed XML/);
    expect(types(r.events)).toEqual(['call.incoming', 'messages.changed']);
  });

  it('a snapshot reconciles: calls gone meanwhile end during the outage, current ones are kept', () => {
    const c = clock();
    const p = new TelServicesPipeline({ now: c.now });
    p.pushDatagram(callXml('3102', { state: 'alerting', otherParty: { number: '3101' } }));
    c.tick(1000);
    const evs = p.pushSnapshot({ calls: [], forwards: [], msgWaiting: 'off', doNotDisturb: 'off' }, '3102');
    expect(types(evs)).toEqual(['call.ended']); // the first snapshot's features are the baseline, not news
    expect(evs[0].call).toMatchObject({ endedDuringOutage: true, endReason: 'unknown' });
    const again = p.pushSnapshot({ calls: [{ id: '2', primCall: { state: 'connected', otherParty: { number: '3109' }, isOutgoing: true } }] }, '3102');
    expect(types(again)).toEqual(['call.outgoing', 'call.answered']);
    expect(again[0].call?.inProgressAtConnect).toBe(true);
    expect(types(p.pushSnapshot({ calls: [{ id: '2', primCall: { state: 'connected', otherParty: { number: '3109' }, isOutgoing: true } }] }, '3102'))).toEqual([]);
    expect(types(p.pushSnapshot({ doNotDisturb: 'on', msgWaiting: 'off' }, '3102'))).toEqual(['routing.changed']);
  });

  it('a snapshot asked for before an event does not end the call that event started', () => {
    const c = clock();
    const p = new TelServicesPipeline({ now: c.now });
    const askedAt = c.now();
    c.tick(20);
    p.pushDatagram(callXml('3102', { state: 'alerting', otherParty: { number: '3101' } }));
    c.tick(20);
    expect(types(p.pushSnapshot({ calls: [] }, '3102', askedAt))).toEqual([]); // taken before the call rang
    c.tick(1000);
    expect(types(p.pushDatagram(callXml('3102', { state: 'cleared', otherParty: { number: '3101' } })).events)).toEqual(['call.ended', 'call.missed']);
    // Without the event since, the same snapshot ends the call (it was lost meanwhile).
    p.pushDatagram(callXml('3102', { state: 'alerting', otherParty: { number: '3105' } }, { id: '2' }));
    c.tick(20);
    expect(types(p.pushSnapshot({ calls: [] }, '3102', c.now()))).toEqual(['call.ended']);
  });
});
