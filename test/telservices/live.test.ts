/**
 * TelServices client against the simulator's TelServices front-end over real TCP/HTTP/UDP on loopback:
 * sessions, events, a missed call end to end, per-device UDP attribution, duplicates, reordering, bad datagrams.
 */
import { createSocket } from 'node:dgram';
import { inspect } from 'node:util';
import type { TsEvent } from '../../shared/platforms/telservices/types';
import { live, ofType, waitFor, type Live } from './helpers';

describe('TelServices live', () => {
  let t: Live;
  afterEach(async () => {
    await t?.close();
  });

  it('opens one session per device, each with its own UDP port, and resyncs', async () => {
    t = await live();
    const s201 = t.sim.telservices.sessions.get('201')!;
    const s202 = t.sim.telservices.sessions.get('202')!;
    const p1 = [...s201.clients.values()][0].port;
    const p2 = [...s202.clients.values()][0].port;
    expect(p1).toBeGreaterThan(0);
    expect(p2).toBeGreaterThan(0);
    expect(p1).not.toBe(p2);
    expect(t.conn.stats.sessionsOpened).toBe(2);
    expect(t.sim.telservices.stats.byService.snapshot).toBe(2);
    expect(t.conn.state).toBe('connected');
  });

  it('a missed call end to end: alerting on 202, the caller hangs up, call.missed', async () => {
    t = await live();
    const ref = t.sim.pbx.makeCall('carol', '202');
    await waitFor(() => ofType(t.events, 'call.incoming', '202')[0], 'incoming call on 202');
    t.sim.pbx.callerHangsUp(ref);
    const missed = await waitFor(() => ofType(t.events, 'call.missed', '202')[0], 'missed call');
    expect(missed.call).toMatchObject({ direction: 'incoming', from: { number: '203', name: 'Carol Petit' }, to: { number: '202' }, answered: false, endReason: 'abandoned' });
    expect(ofType(t.events, 'call.incoming', '202')).toHaveLength(1);
    expect(ofType(t.events, 'call.missed', '201')).toHaveLength(0);
  });

  it('a call between two monitored devices: outgoing, incoming, answered, ended; not missed', async () => {
    t = await live();
    await t.conn.execute('makeCall', { destination: '202' }, { user: '201' });
    const inc = await waitFor(() => ofType(t.events, 'call.incoming', '202')[0], 'incoming');
    expect(inc.call!.capabilities).toEqual(['answerCall', 'divertCall']);
    await t.conn.execute('answer', { callId: inc.call!.id }, { user: '202' });
    await waitFor(() => ofType(t.events, 'call.answered', '201')[0] && ofType(t.events, 'call.answered', '202')[0], 'answered on both');
    await t.conn.execute('hangUp', { callId: inc.call!.id }, { user: '202' });
    await waitFor(() => ofType(t.events, 'call.ended', '201')[0] && ofType(t.events, 'call.ended', '202')[0], 'ended on both');
    expect(ofType(t.events, 'call.outgoing', '201')).toHaveLength(1);
    expect(ofType(t.events, 'call.ended', '202')[0].call!.endReason).toBe('completed');
    expect(ofType(t.events, 'call.missed')).toHaveLength(0);
  });

  it('attributes a forward event without deviceNumber to the second device by its UDP port', async () => {
    t = await live();
    t.sim.pbx.setForward('bob', { destination: '203', condition: 'immediate' });
    const ev = await waitFor(() => ofType(t.events, 'routing.changed', '202')[0], 'routing.changed on 202');
    expect(ev.routing).toEqual({ forward: { type: 'number', destination: '203', condition: 'immediate' }, overflow: null, dnd: false });
    // The datagram really had no deviceNumber: send one by hand to 202's port only.
    const fwdOff: TsEvent = { event: { name: 'forward', value: { number: '203', type: 'immediate', state: 'off' } } };
    t.sim.telservices.sendEvent('202', fwdOff);
    await waitFor(() => ofType(t.events, 'routing.changed', '202').length === 2, 'forward off on 202');
    expect(ofType(t.events, 'routing.changed', '202')[1].routing!.forward).toBeNull();
    expect(ofType(t.events, 'routing.changed', '201')).toHaveLength(0);
  });

  it('reads a datagram with two PDUs separated by the end-of-message sequence', async () => {
    t = await live({ extra: { endOfMessage: '\u0000' } }, { telservices: { endOfMessage: '\u0000' } });
    const a = '<TelServiceEvent><event><doNotDisturb><on/></doNotDisturb></event></TelServiceEvent>';
    const b = '<TelServiceEvent><event><msgWaiting><on/></msgWaiting></event></TelServiceEvent>';
    const before = t.conn.stats.datagrams;
    t.sim.telservices.sendRaw('201', `${a}\u0000${b}\u0000`);
    await waitFor(() => ofType(t.events, 'messages.changed', '201')[0], 'second PDU');
    expect(ofType(t.events, 'routing.changed', '201')[0].routing!.dnd).toBe(true);
    expect(t.conn.stats.datagrams - before).toBe(1);
    // A whole call works with the sequence too (the simulator batches PDUs of one tick into one datagram).
    t.sim.pbx.makeCall('carol', '201');
    await waitFor(() => ofType(t.events, 'call.incoming', '201')[0], 'incoming with end-of-message');
  });

  it('duplicated datagrams give one event each; reordered ones do not invent or lose a call', async () => {
    t = await live();
    t.sim.telservices.duplicateDatagrams = true;
    const ref = t.sim.pbx.makeCall('carol', '201');
    await waitFor(() => ofType(t.events, 'call.incoming', '201')[0], 'incoming');
    t.sim.pbx.answer(ref, 'alice');
    await waitFor(() => ofType(t.events, 'call.answered', '201')[0], 'answered');
    t.sim.pbx.hangUp(ref, 'carol');
    await waitFor(() => ofType(t.events, 'call.ended', '201')[0], 'ended');
    await waitFor(() => t.conn.stats.duplicates >= 3, 'duplicates counted');
    expect(ofType(t.events, 'call.incoming', '201')).toHaveLength(1);
    expect(ofType(t.events, 'call.answered', '201')).toHaveLength(1);
    expect(ofType(t.events, 'call.ended', '201')).toHaveLength(1);
    t.sim.telservices.duplicateDatagrams = false;
    // Reordered: connected before alerting, for a call the server never reported otherwise.
    const call = (state: string) => `<TelServiceEvent><deviceNumber>201</deviceNumber><event><call><id>77</id><primCall><state><${state}/></state><otherParty><number>3999</number></otherParty><duration>0</duration><isOutgoing><false/></isOutgoing><callReference>r77</callReference></primCall></call></event></TelServiceEvent>`;
    t.sim.telservices.sendRaw('201', call('connected'));
    t.sim.telservices.sendRaw('201', call('alerting'));
    t.sim.telservices.sendRaw('201', call('cleared'));
    const ended = await waitFor(() => ofType(t.events, 'call.ended', '201').find((e) => e.call!.from.number === '3999'), 'reordered call ended');
    expect(ended.call!.answered).toBe(true);
    expect(ofType(t.events, 'call.missed', '201')).toHaveLength(0);
  });

  it('skips and reports a garbled datagram; the stream goes on', async () => {
    t = await live();
    t.sim.telservices.sendGarbled('201');
    const w = await waitFor(() => t.warnings.find((x) => x.kind === 'decode'), 'decode warning');
    expect(w.message).toMatch(/malformed XML/);
    t.sim.pbx.makeCall('carol', '201');
    await waitFor(() => ofType(t.events, 'call.incoming', '201')[0], 'incoming after the bad datagram');
    expect(t.conn.stats.decodeErrors).toBe(1);
    expect(t.conn.state).toBe('connected');
  });

  it('drops datagrams from another host than TelServer, and never shows the password', async () => {
    t = await live({ login: 'admin', password: 'admin-pw' });
    const port = [...t.sim.telservices.sessions.get('201')!.clients.values()][0].port!;
    const spoof = createSocket('udp4');
    await new Promise<void>((r) => spoof.bind(0, '127.0.0.2', () => r()));
    const fake = '<TelServiceEvent><deviceNumber>201</deviceNumber><event><call><id>9</id><primCall><state><alerting/></state><otherParty><number>666</number></otherParty><isOutgoing><false/></isOutgoing></primCall></call></event></TelServiceEvent>';
    await new Promise<void>((r) => spoof.send(fake, port, '127.0.0.1', () => r()));
    await new Promise((r) => setTimeout(r, 150));
    spoof.close();
    expect(ofType(t.events, 'call.incoming', '201')).toHaveLength(0);
    expect(inspect(t.conn, { depth: 5 })).not.toContain('admin-pw');
    // The same datagram from TelServer's address is taken.
    t.sim.telservices.sendRaw('201', fake);
    await waitFor(() => ofType(t.events, 'call.incoming', '201')[0], 'incoming from TelServer');
  });

  it('an event that shows a lost datagram (a call already connected that was never seen ringing) triggers a snapshot', async () => {
    t = await live({ users: ['201'] });
    const ref = t.sim.pbx.makeCall('carol', '201');
    await waitFor(() => ofType(t.events, 'call.incoming', '201')[0], 'incoming');
    const before = t.conn.stats.resyncs;
    // A second call reported straight in `connected`: its earlier events were lost on the way.
    t.sim.telservices.sendRaw('201', '<TelServiceEvent><deviceNumber>201</deviceNumber><event><call><id>1</id><primCall><state><alerting/></state><otherParty><number>203</number></otherParty><isOutgoing><false/></isOutgoing><callReference>' + ref + '</callReference></primCall><secCall><state><connected/></state><otherParty><number>4444</number></otherParty><isOutgoing><true/></isOutgoing><callReference>lost1</callReference></secCall></call></event></TelServiceEvent>');
    await waitFor(() => t.conn.stats.resyncs > before, 'snapshot after the gap');
    // The snapshot (TelServer knows no such call) ends the phantom as an outage, the real call stays.
    await waitFor(() => ofType(t.events, 'call.ended', '201').some((e) => e.call!.to.number === '4444' && e.call!.endedDuringOutage), 'phantom ended');
    expect(t.conn.pipeline.tracker.callsOf('201')).toHaveLength(1);
  });
});
