import '../../shared/platforms';
import { acquireConnection, openConnectionCount } from '../../shared/connection/registry';
import type { PbxEvent } from '../../shared/model/events';
import { LineSplitter } from '../../shared/platforms/ale/line-splitter';
import { startSimulator, type Simulator } from '../../simulator';
import { run as listen } from '../../cli/commands/listen';
import { run as simulate } from '../../cli/commands/simulate';
import { waitFor } from './helpers';
import { captureIo } from '../helpers/cli';

const io = () => captureIo();

describe('registry, CLI and framing', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(async () => {
    await sim.close();
  });

  it('two consumers of one credential share one session and one channel; the last to leave closes it', async () => {
    const cfg = { platform: 'o2g' as const, url: sim.url('o2g'), login: 'bob', password: 'bob-pw', requestTimeoutMs: 2000 };
    const a = acquireConnection(cfg);
    const b = acquireConnection({ ...cfg });
    expect(b.connection).toBe(a.connection);
    const seenA: PbxEvent[] = [];
    const seenB: PbxEvent[] = [];
    a.connection.onEvent((e) => seenA.push(e));
    b.connection.onEvent((e) => seenB.push(e));
    await Promise.all([a.connection.ready(), b.connection.ready()]);
    sim.pbx.makeCall('alice', 'bob');
    await waitFor(() => seenA.some((e) => e.type === 'call.incoming') && seenB.some((e) => e.type === 'call.incoming'));
    const fe = sim.frontEnds.o2g;
    expect(fe.state.sessionsOpened).toBe(1);
    expect(fe.stats.channelsOpened).toBe(1);
    await a.release();
    expect(fe.state.sessions.size).toBe(1);
    await b.release();
    expect(openConnectionCount()).toBe(0);
    // The session and its subscription were deleted on the server.
    expect(fe.state.sessions.size).toBe(0);
    expect(fe.openChannels).toBe(0);
  });

  it('pbxflow listen prints normalized events as JSON lines and never the password', async () => {
    const t = io();
    const done = listen(['--platform', 'opentouch', '--url', sim.url('opentouch'), '--login', 'bob', '--password', 'bob-pw', '--count', '1'], t.io);
    await waitFor(() => t.err().includes('[connected]'), 5000, 'connected');
    const ref = sim.pbx.makeCall('carol', 'bob');
    expect(await done).toBe(0);
    const ev = JSON.parse(t.out().trim().split('\n')[0]) as PbxEvent;
    expect(ev.type).toBe('call.incoming');
    expect(ev.call!.id).toBe(ref);
    expect(t.out() + t.err()).not.toContain('bob-pw');
  });

  it('pbxflow listen stops with exit code 1 on a wrong password', async () => {
    const t = io();
    expect(await listen(['--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'bob', '--password', 'nope-123'], t.io)).toBe(1);
    expect(t.err()).toMatch(/wrong login or password/);
    expect(t.err()).not.toContain('nope-123');
  });

  it('pbxflow simulate prints its URLs and demo credentials', async () => {
    const t = io();
    expect(await simulate(['--duration', '50'], t.io)).toBe(0);
    expect(t.out()).toMatch(/opentouch: http:\/\/127\.0\.0\.1:\d+/);
    expect(t.out()).toContain('alice');
    expect(t.out()).toContain('bob-pw');
  });

  it('the line splitter joins lines and UTF-8 characters cut across chunks', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('{"a":"é"}\r\n\n{"b":1}\n{"c"', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1; // inside "é"
    expect(s.push(bytes.subarray(0, cut))).toEqual([]);
    expect(s.push(bytes.subarray(cut))).toEqual(['{"a":"é"}', '{"b":1}']);
    expect(s.push(':2}\n')).toEqual(['{"c":2}']);
    s.push('{"tail":true}');
    expect(s.end()).toEqual(['{"tail":true}']);
  });
});
