/**
 * The 55 event payloads of the O2G SDK's own tests (test/fixtures/o2g-sdk/events.json: o2g-node-sdk 2.5.9, MIT),
 * each replayed through the O2G pipeline as a line of the event channel, and what each normalizes to. Payloads the
 * nodes have no event for must give none (and never throw); link events become connection warnings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PbxEvent } from '../../shared/model/events';
import { detectAleFlavour } from '../../shared/platforms/ale/detect';
import { AlePipeline } from '../../shared/platforms/ale/pipeline';
import { systemWarning } from '../../shared/platforms/ale/subscription';

interface Fixture { file: string; test: string; eventName: string; payload: Record<string, unknown> }
const data = JSON.parse(readFileSync(join(__dirname, '../fixtures/o2g-sdk/events.json'), 'utf8')) as { events: Fixture[] };
const NOW = Date.parse('2026-02-28T10:10:00Z');

const pipeline = () => new AlePipeline({ platform: 'o2g', defaultUser: 'sup', now: () => NOW });
const line = (f: Fixture) => JSON.stringify({ eventName: f.eventName, ...f.payload });
const find = (eventName: string, test: string | RegExp): Fixture => {
  const f = data.events.find((x) => x.eventName === eventName && (typeof test === 'string' ? x.test === test : test.test(x.test)));
  if (!f) throw new Error(`no fixture ${eventName} / ${String(test)}`);
  return f;
};
const run = (...fs: Fixture[]): PbxEvent[] => {
  const p = pipeline();
  return fs.flatMap((f) => p.pushLine(line(f)));
};

/** What the nodes get from each payload alone. */
const EXPECTED: Array<[string, RegExp, (events: PbxEvent[]) => void]> = [
  ['OnCallCreated', /.*/, (ev) => {
    expect(ev.map((e) => e.type)).toEqual(['call.incoming']);
    expect(ev[0]).toMatchObject({ user: 'oxe1000', call: { id: 'call-1', direction: 'incoming', from: { number: '12300' }, device: '12300' } });
  }],
  // Alone, a ringing call first seen in a modification (its added participant is the caller); the reference it is
  // replaced by is followed (see the sequence below).
  ['OnCallModified', /.*/, (ev) => {
    expect(ev.map((e) => e.type)).toEqual(['call.incoming']);
    expect(ev[0].call).toMatchObject({ id: 'call-1', from: { number: '23300' }, to: { number: '9000' } });
  }],
  ['OnDeviceStateModified', /.*/, (ev) => expect(ev.map((e) => [e.type, e.device, e.state])).toEqual([['device.state', '1200', 'in_service']])],
  ['OnUserStateModified', /.*/, (ev) => expect(ev.map((e) => [e.type, e.user, e.state])).toEqual([['user.state', 'oxe1000', 'busy']])],
  ['OnTelephonyState', /.*/, (ev) => {
    // The snapshot's call, and (O2G) its userState.
    expect(ev.find((e) => e.type === 'user.state')).toMatchObject({ user: 'oxe1000', state: 'busy' });
    expect(ev.find((e) => e.type === 'call.incoming')?.call).toMatchObject({ id: '11111abcdf', inProgressAtConnect: true });
  }],
  ['OnPilotCallRemoved', /^should correctly/, (ev) => expect(ev.map((e) => [e.type, e.user, e.queue])).toEqual([['queue.answered', '33000', { id: '33000', callId: '123456abcdef', agent: { number: '09876543' } }]])],
  // CLEARED with a newDestination and no known caller: the call went on elsewhere, nothing says the caller gave up.
  ['OnPilotCallRemoved', /other causes/, (ev) => expect(ev).toEqual([])],
  ['OnPilotCallCreated', /.*/, (ev) => expect(ev.map((e) => [e.type, e.queue])).toEqual([['queue.joined', { id: '33000', callId: '123456abcdef', caller: { number: '01235642' } }]])],
  ['OnPilotCallQueued', /.*/, (ev) => expect(ev.map((e) => [e.type, e.queue])).toEqual([['queue.joined', { id: '33000', callId: '123456abcdef', caller: { number: '01235642' } }]])],
  ['OnComRecordCreated', /.*/, (ev) => expect(ev.map((e) => [e.type, e.user, e.callLog])).toEqual([['callLog.created', 'oxe1000', {
    recordId: '1', callId: '1111abcdef', acknowledged: false, startedAt: '2026-02-28T10:00:00.000Z', endedAt: '2026-02-28T10:05:00.000Z',
    parties: [{ number: '12000', name: 'Alice', role: 'caller', answered: true }, { number: '12001', name: 'Bob', role: 'callee', answered: true }],
  }]])],
  ['OnEventSummaryUpdated', /.*/, (ev) => expect(ev.map((e) => [e.type, e.messages])).toEqual([['messages.changed', { missedCalls: 5, voicemailsUnread: 2, callbackRequests: 3, textMessages: 2, eventWaiting: true }]])],
  ['OnAgentStateChanged', /should create/, (ev) => expect(ev.map((e) => [e.type, e.user, e.agent])).toEqual([['agent.state', 'agent007', { state: 'busy', group: '2300' }]])],
  ['OnAgentStateChanged', /null proAcd/, (ev) => expect(ev.map((e) => [e.type, e.agent])).toEqual([['agent.state', { state: 'busy' }]])],
  ['OnAgentStateChanged', /null state main/, (ev) => expect(ev.map((e) => [e.type, e.agent])).toEqual([['agent.state', { state: 'log_on' }]])],
  ['OnRoutingStateChanged', /DND/, (ev) => expect(ev.map((e) => e.routing)).toEqual([{ forward: null, overflow: null, dnd: true }])],
  ['OnRoutingStateChanged', /forward/, (ev) => expect(ev.map((e) => e.routing)).toEqual([{ forward: { type: 'voicemail', condition: 'busy_no_answer' }, overflow: null, dnd: false }])],
  ['OnRoutingStateChanged', /overflow/, (ev) => expect(ev.map((e) => e.routing)).toEqual([{ forward: null, overflow: { type: 'number', destination: '12500', condition: 'no_answer' }, dnd: false }])],
];

/** Payloads with no node event (skills, supervisor help, user and PBX object management, system, acks). */
const SILENT = new Set([
  'OnCallRemoved', 'OnDynamicStateChanged', 'OnComRecordModified', 'OnComRecordsAck', 'OnComRecordsDeleted',
  'OnComRecordsUnAck', 'OnAgentSkillChanged', 'OnSupervisorHelpCancelled', 'OnSupervisorHelpRequested', 'OnUserCreated',
  'OnUserDeleted', 'OnUserInfoChanged', 'OnPbxObjectInstanceCreated', 'OnPbxObjectInstanceDeleted', 'OnPbxObjectInstanceModified',
  'OnCtiLinkDown', 'OnCtiLinkUp', 'OnLicenseExpiration', 'OnPbxLoaded', 'OnPbxLinkDown', 'OnPbxLinkUp', 'OnServerStart',
]);

describe('the O2G SDK test payloads', () => {
  it('are the 55 payloads of 14 SDK test files', () => {
    expect(data.events).toHaveLength(55);
    expect(new Set(data.events.map((e) => e.file)).size).toBe(14);
  });

  it.each(data.events.map((f, i) => [`${i + 1} ${f.eventName}: ${f.test}`, f] as const))('%s', (_name, f) => {
    const events = run(f);
    const rows = EXPECTED.filter(([name, test]) => name === f.eventName && test.test(f.test));
    if (rows.length) rows[0][2](events);
    else {
      expect(SILENT.has(f.eventName)).toBe(true);
      expect(events).toEqual([]);
    }
    for (const e of events) expect(e.platform).toBe('o2g');
  });
});

describe('sequences built from the SDK payloads', () => {
  it('OnCallRemoved (CLEARED) after OnCallCreated: the unanswered call ends and is missed', () => {
    const ev = run(find('OnCallCreated', /.*/), find('OnCallRemoved', /.*/));
    expect(ev.map((e) => e.type)).toEqual(['call.incoming', 'call.ended', 'call.missed']);
    expect(ev[1].call).toMatchObject({ id: 'call-1', endReason: 'abandoned' });
  });

  it('OnCallModified with replacedByCallRef: the call goes on under the new reference', () => {
    const p = pipeline();
    p.pushLine(line(find('OnCallCreated', /.*/)));
    p.pushLine(line(find('OnCallModified', /.*/)));
    const ids = p.tracker.callsOf('oxe1000').map((c) => c.id);
    expect(ids).toContain('call-2');
    expect(ids).not.toContain('call-1');
  });

  it('a caller hanging up in the queue (CLEARED, released by the caller): queue.abandoned with the wait', () => {
    const removed = find('OnPilotCallRemoved', /other causes/).payload;
    const p = pipeline();
    const created = { eventName: 'OnPilotCallCreated', pilot: removed.pilot, caller: removed.releasingDevice, callRef: removed.callRef, cause: 'ACD_ENTER_DISTRIBUTION', time: NOW - 30_000 };
    const ev = [JSON.stringify(created), JSON.stringify({ eventName: 'OnPilotCallRemoved', ...removed, time: NOW })].flatMap((l) => p.pushLine(l));
    expect(ev.map((e) => [e.type, e.queue])).toEqual([
      ['queue.joined', { id: '33001', callId: 'abcdef123456', caller: { number: '01239876' } }],
      ['queue.abandoned', { id: '33001', callId: 'abcdef123456', caller: { number: '01239876' }, waitSeconds: 30 }],
    ]);
  });

  it('system payloads: link down/up and licence expiry become warnings, the others do not', () => {
    const warn = (n: string, t: RegExp = /.*/) => systemWarning({ eventName: n, ...find(n, t).payload });
    expect(warn('OnCtiLinkDown')).toMatch(/^OnCtiLinkDown \(PBX node 2\): the CTI link .* is down/);
    expect(warn('OnPbxLinkDown')).toMatch(/^OnPbxLinkDown \(PBX node 2\): .* down/);
    expect(warn('OnPbxLinkUp')).toMatch(/back up/);
    expect(warn('OnLicenseExpiration', /correctly$/)).toBe('OnLicenseExpiration: the O2G licence expires in 10 days');
    expect(warn('OnLicenseExpiration', /expired/)).toBe('OnLicenseExpiration: the O2G licence has expired (5 days ago)');
    expect(warn('OnPbxLoaded')).toBeUndefined();
    expect(warn('OnServerStart')).toBeUndefined();
  });

  it('replay --platform auto: the O2G-only payloads prove O2G, the shared ones prove nothing', () => {
    const flavour = (n: string, t: RegExp = /.*/) => detectAleFlavour(line(find(n, t)));
    for (const n of ['OnPilotCallCreated', 'OnAgentStateChanged', 'OnCtiLinkDown', 'OnPbxObjectInstanceCreated', 'OnCallModified', 'OnEventSummaryUpdated']) expect([n, flavour(n)]).toEqual([n, 'o2g']);
    for (const n of ['OnCallCreated', 'OnUserStateModified', 'OnRoutingStateChanged']) expect([n, flavour(n, /.*/)]).toEqual([n, undefined]);
  });
});
