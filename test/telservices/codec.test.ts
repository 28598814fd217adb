/**
 * Golden tests of the TelServices codec against every example of the spec (test/fixtures/telservices).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthError, DecodeError, PbxApiError, PbxError } from '../../shared/errors';
import { decodeEvent, decodeRequest, decodeReturn, encodeEvent, encodeRequest, encodeReturn, expectResult, splitPdus } from '../../shared/platforms/telservices/codec';
import type { RequestName } from '../../shared/platforms/telservices/schema';
import { ERROR_NAMES } from '../../shared/platforms/telservices/schema';
import type { TsCall, TsEvent } from '../../shared/platforms/telservices/types';

interface Example { source: string; section: string; example: string; root: string; xml: string; fixed?: string }
const examples: Example[] = JSON.parse(readFileSync(join(__dirname, '../fixtures/telservices/spec-examples.json'), 'utf8'));
const doc = (e: Example) => e.fixed ?? e.xml;
/** The spec's examples are indented; the wire form has no whitespace between elements. */
const compact = (xml: string) => xml.replace(/>\s+</g, '><').trim();
const requests = examples.filter((e) => e.root === 'TelServiceRequest');
const returns = examples.filter((e) => e.root === 'TelServiceReturn');
const events = examples.filter((e) => e.root === 'TelServiceEvent');

describe('spec examples', () => {
  it('has every example of the spec', () => {
    expect([requests.length, returns.length, events.length]).toEqual([41, 28, 20]);
  });

  it.each(requests.map((e) => [e.source, e] as const))('request %s re-encodes to exactly the spec example', (_s, e) => {
    const r = decodeRequest(doc(e));
    expect(encodeRequest(r.service, r.params)).toBe(compact(doc(e)));
  });

  it.each(returns.map((e) => [e.source, e] as const))('return %s decodes, re-encodes to the example', (_s, e) => {
    const r = decodeReturn(doc(e));
    expect(JSON.stringify(r)).not.toContain('"extra"');
    expect(encodeReturn(r)).toBe(compact(doc(e)));
  });

  it.each(events.map((e) => [e.source, e] as const))('event %s decodes, re-encodes to the example', (_s, e) => {
    const ev = decodeEvent(doc(e));
    expect(ev.extra).toBeUndefined();
    expect(encodeEvent(ev)).toBe(compact(doc(e)));
  });

  it('the two broken examples are refused as they stand', () => {
    const broken = examples.filter((e) => e.fixed);
    expect(broken.map((e) => e.source)).toEqual(['TS:L453-460', 'TS:L902-952']);
    expect(() => decodeRequest(broken[0].xml)).toThrow(DecodeError);
    expect(() => decodeReturn(broken[1].xml)).toThrow(DecodeError);
  });
});

describe('encoding requests from parameters', () => {
  const cases: Array<[RequestName, Record<string, unknown>, string]> = [
    ['openSession', { deviceNumber: '1101', eventUDPPort: 20001, eventUpdate: 'full' }, 'TS:L229-237'],
    ['openSession', { deviceNumber: '1101', eventUDPPort: 20001, eventUpdate: 'full', userID: '1101' }, 'TS:L243-252'],
    ['agentState', { deviceNumber: '1101', state: 'notReady' }, 'TS:L315-322'],
    ['doNotDisturb', { deviceNumber: '1101', state: 'on' }, 'TS:L453-460'],
    ['forward', { deviceNumber: '1101', info: { number: '1102', type: 'immediate', state: 'on' } }, 'TS:L499-512'],
    ['makeCall', { deviceNumber: '1101', calledDeviceNumber: '1102' }, 'TS:L555-560'],
    ['answerCall', { deviceNumber: '1102', callingNumber: '1101' }, 'TS:L361-366'],
    ['queryHistory', { deviceNumber: '8001', startDate: '2009-12-02' }, 'TS:L761-766'],
    ['queryUserStatistics', { deviceNumber: '1101', type: 'total' }, 'TS:L894-901'],
    ['updateUserDirectory', { userID: 'user', directoryName: 'outlook', parties: [
      { number: '0160121314', name: 'Bob Blake', numberType: 'work', company: 'TheCompany' },
      { number: '0160121315', name: 'Bob Blake', numberType: 'ip', company: 'TheCompany' }] }, 'TS:L1246-1269'],
    ['queryRoutingPointStatistics', { service: 'service1', type: 'snapshot' }, 'TS:L1340-1347'],
  ];
  it.each(cases)('%s encodes to the example', (service, params, source) => {
    const e = requests.find((x) => x.source === source)!;
    expect(encodeRequest(service, params)).toBe(compact(doc(e)));
  });

  it('emits fields in the spec order whatever the input order, with booleans as empty elements', () => {
    expect(encodeRequest('openSession', { sessionTimeout: 60, userPassword: 'p&<', userID: 'u', deviceNumber: '3102', startPbxMonitor: true }))
      .toBe('<TelServiceRequest><openSession><deviceNumber>3102</deviceNumber><userID>u</userID><userPassword>p&amp;&lt;</userPassword><sessionTimeout>60</sessionTimeout><startPbxMonitor><true/></startPbxMonitor></openSession></TelServiceRequest>');
    expect(encodeRequest('snapshot', { deviceNumber: '3102', resultOnEvent: { timeout: 30, snapshotSeq: 4 } }))
      .toBe('<TelServiceRequest><snapshot><deviceNumber>3102</deviceNumber><resultOnEvent><timeout>30</timeout><snapshotSeq>4</snapshotSeq></resultOnEvent></snapshot></TelServiceRequest>');
  });

  it('refuses a missing required field or a value outside the enumeration', () => {
    expect(() => encodeRequest('makeCall', { deviceNumber: '1101' })).toThrow(/calledDeviceNumber: is required/);
    expect(() => encodeRequest('agentState', { deviceNumber: '1101', state: 'lunch' })).toThrow(PbxError);
    expect(() => encodeRequest('openSession', { deviceNumber: '1101', eventUDPPort: -1 })).toThrow(/whole number/);
  });
});

describe('decoding into typed objects', () => {
  const byCaption = (source: string) => doc(examples.find((e) => e.source === source)!);

  it('reads a transferred call with its parties and cause', () => {
    const ev = decodeEvent(byCaption('TS:L2167-2201'));
    expect(ev.deviceNumber).toBe('1104');
    expect(ev.event.name).toBe('call');
    const call = ev.event.value as TsCall;
    expect(call).toEqual({
      id: '1',
      primCall: { state: 'connected', otherParty: { number: '1102' }, lastRedirectionParty: { number: '1103' }, duration: 11, isOutgoing: false, isConference: false, cause: 'transfer' },
      permittedServices: ['holdCall', 'dropCall', 'divertCall', 'consultationCall'],
    });
  });

  it('reads a snapshot, an agent and statistics', () => {
    const snap = expectResult(decodeReturn(byCaption('TS:L1135-1171')), 'snapshot', 'snapshot');
    expect(snap.calls?.[0].primCall?.state).toBe('alerting');
    expect(snap.forwards).toEqual([]);
    expect([snap.msgWaiting, snap.doNotDisturb]).toEqual(['off', 'off']);
    const agent = expectResult(decodeReturn(byCaption('TS:L622-631')), 'agent', 'agent');
    expect(agent).toEqual({ state: 'workingAfterCall', timeout: 30, inboundServices: ['service1'], permittedStates: ['ready', 'notReady', 'workingAfterCall'] });
    const stats = expectResult(decodeReturn(byCaption('TS:L1419-1562')), 'routingPointStatistics', 'stats');
    expect(stats.name).toBe('total');
    expect(stats.value.incomingCallsAbandoneddImmediatelCount).toBe('0');
    expect(stats.value.agents).toHaveLength(5);
    const fwd = expectResult(decodeReturn(byCaption('TS:L692-706')), 'forwards', 'fwd');
    expect(fwd).toEqual([{ number: '1102', type: 'immediate', state: 'on' }]);
  });

  it('turns every error into a typed error an operator understands', () => {
    for (const name of ERROR_NAMES) {
      const ret = decodeReturn(`<TelServiceReturn><error><${name}/></error></TelServiceReturn>`);
      let err: unknown;
      try {
        expectResult(ret, 'standard', 'holdCall for 3102');
      } catch (e) {
        err = e;
      }
      if (name === 'invalidCredentials') expect(err).toBeInstanceOf(AuthError);
      else {
        expect(err).toBeInstanceOf(PbxApiError);
        expect((err as PbxApiError).type).toBe(name);
      }
      expect((err as Error).message).toMatch(new RegExp(`^holdCall for 3102: .*\\(${name}\\)`));
    }
  });

  it('tolerates whitespace and a prolog, keeps unknown elements, and refuses garbled XML', () => {
    const ev = decodeEvent('<?xml version="1.0"?>\n<TelServiceEvent>\n  <event> <msgWaiting> <on/> </msgWaiting> </event>\n  <vendorTag>7</vendorTag>\n</TelServiceEvent>');
    expect(ev).toEqual<TsEvent>({ event: { name: 'msgWaiting', value: 'on' }, extra: { vendorTag: '7' } });
    const call = decodeEvent('<TelServiceEvent><event><call><id>4</id><primCall><state><alerting/></state><otherParty><number>3101</number><nickname>x</nickname></otherParty><duration>oops</duration><isOutgoing><false/></isOutgoing></primCall></call></event></TelServiceEvent>').event.value as TsCall;
    expect(call.primCall?.otherParty).toEqual({ number: '3101', extra: { nickname: 'x' } });
    expect(call.primCall?.duration).toBeUndefined(); // a bad optional field is kept raw, not trusted
    expect(call.primCall?.extra).toEqual({ duration: 'oops' });
    expect(() => decodeEvent('<TelServiceEvent><event><call><id>1</id></event></TelServiceEvent>')).toThrow(DecodeError);
    expect(() => decodeEvent('<TelServiceEvent><event><call><primCall><state><alerting/></state></primCall></call></event></TelServiceEvent>')).toThrow(/<id> is missing/);
    expect(() => decodeEvent('<!DOCTYPE x [<!ENTITY a "b">]><TelServiceEvent/>')).toThrow(/DOCTYPE/);
    expect(() => decodeEvent('<TelServiceReturn><result><standard/></result></TelServiceReturn>')).toThrow(/expected a <TelServiceEvent>/);
  });

  it('splits PDUs on the end-of-message sequence, or after each document', () => {
    const a = '<TelServiceEvent><event><doNotDisturb><on/></doNotDisturb></event></TelServiceEvent>';
    const b = '<TelServiceEvent><event><msgWaiting><off/></msgWaiting></event></TelServiceEvent>';
    expect(splitPdus(`${a}\u0000${b}\u0000`, '\u0000')).toEqual([a, b]);
    expect(splitPdus(`${a}\n${b}\n`)).toEqual([a, b]);
  });
});
