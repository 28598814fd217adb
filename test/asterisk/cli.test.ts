/**
 * The CLI on Asterisk: `pbxflow replay --platform asterisk` reads raw AMI text (a real capture), `pbxflow listen
 * --platform asterisk` takes the platform's own flags (from its settings schema) and prints the simulator's events;
 * a bad flag value is a usage error naming the flag.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { startSimulator, type Simulator } from '../../simulator';
import { main } from '../../cli/pbxflow';
import { captureIo } from '../helpers/cli';

const RAW = join(__dirname, '..', 'fixtures', 'asterisk', 'mqtt', 'unanswered-cancel.raw');

describe('pbxflow on asterisk', () => {
  it('replay reads raw AMI text from stdin: the missed call of a real capture', async () => {
    const r = await runCli(['replay', '--platform', 'asterisk'], readFileSync(RAW, 'utf8').replace(/\n/g, '\r\n'));
    expect(r.code).toBe(0);
    const missed = r.events.filter((e) => e.type === 'call.missed');
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ platform: 'asterisk', user: '21', call: { endReason: 'abandoned', from: { number: '1986' } } });
    expect(r.err).toBe('');
  });

  it('replay flushes a last message that lacks its empty line', async () => {
    const text = readFileSync(RAW, 'utf8').replace(/\n+$/, '');
    const r = await runCli(['replay', '--platform', 'asterisk'], text);
    expect(r.events.filter((e) => e.type === 'call.ended').map((e) => e.user).sort()).toEqual(['1986', '21']);
  });

  it('simulate starts the AMI front-end and prints its port, the manager account, the ring group and a ready listen command', async () => {
    const r = await runCli(['simulate', '--duration', '300']);
    expect(r.code).toBe(0);
    const m = /Asterisk \(AMI\): (tcp:\/\/127\.0\.0\.1:(\d+)) +port (\d+) +manager account pbxflow \/ ami-secret/.exec(r.out);
    expect(m).not.toBeNull();
    expect(m![2]).toBe(m![3]);
    expect(r.out).toContain('ring groups: 400 Sales (ringall: 401, 402)');
    expect(r.out).toContain(`try: pbxflow listen --platform asterisk --url ${m![1]} --login pbxflow --password ami-secret --users 401,402`);
  });

  it('listen takes the platform\'s flags and prints events; a bad value names the flag', async () => {
    const bad = await runCli(['listen', '--platform', 'asterisk', '--url', 'http://x', '--login', 'a', '--password', 'b']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('url must start with tcp:// or tls://');

    let sim: Simulator | undefined;
    try {
      sim = await startSimulator({ asterisk: { authFailDelayMs: 10 } });
      const c = captureIo('');
      const run = main(['listen', '--platform', 'asterisk', '--url', sim.asterisk!.url, '--login', 'pbxflow', '--password', 'ami-secret', '--users', '203', '--duration', '1500'], c.io);
      for (let i = 0; i < 400 && !c.err().includes('[connected]'); i++) await new Promise((r) => setTimeout(r, 5));
      const ref = sim.pbx.makeCall('alice', '203');
      for (let i = 0; i < 400 && !c.out().includes('call.incoming'); i++) await new Promise((r) => setTimeout(r, 5));
      sim.pbx.answer(ref, 'carol');
      const code = await run;
      expect(c.err()).not.toContain('listen:');
      expect(code).toBe(0);
      const events = c.out().trim().split('\n').map((l) => (JSON.parse(l) as { type: string; user: string }));
      // The resync's states first (extension and device of 203), then the call; only the monitored extension.
      expect(events.filter((e) => e.type.startsWith('call.')).map((e) => `${e.user} ${e.type}`)).toEqual(['203 call.incoming', '203 call.answered']);
      expect(events.find((e) => e.type === 'user.state')).toMatchObject({ user: '203', state: 'free' });
      expect(new Set(events.map((e) => e.user))).toEqual(new Set(['203']));
      sim.pbx.hangUp(ref, 'carol');
    } finally {
      await sim?.close();
    }
  });
});
