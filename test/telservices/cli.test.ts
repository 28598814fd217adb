/** The CLI for TelServices: flags -> config, `replay --platform telservices` as a child process, `listen` on the simulator. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { run as call } from '../../cli/commands/call';
import { run as listen } from '../../cli/commands/listen';
import { replayPipeline, toConfig } from '../../cli/platforms/telservices';
import { DecodeError } from '../../shared/errors';
import { startSimulator } from '../../simulator';
import { waitFor } from './helpers';

const RUN = [join(__dirname, '../reliability/ts-register.js'), join(__dirname, '../reliability/run-cli.js')];
interface Example { source: string; section: string; example: string; root: string; xml: string }
const examples: Example[] = JSON.parse(readFileSync(join(__dirname, '../fixtures/telservices/spec-examples.json'), 'utf8'));
const oneLine = (xml: string) => xml.replace(/>\s+</g, '><').trim();

describe('pbxflow and TelServices', () => {
  it('toConfig: the contract config; missing or bad flags are a clear error', () => {
    expect(toConfig({ host: 'ts.example.com', port: '2300', devices: '3102, 3103', 'udp-port': '20001', login: 'sup', password: 'pw' }, {})).toEqual({
      platform: 'telservices', url: 'tcp://ts.example.com:2300', login: 'sup', password: 'pw', users: ['3102', '3103'], extra: { udpPort: 20001 },
    });
    expect(toConfig({ host: '10.0.0.5', port: '80', devices: '3102', transport: 'http', 'end-of-message': '\\0', 'event-source': 'poll', 'session-timeout': '600' }, {})).toEqual({
      platform: 'telservices', url: 'http://10.0.0.5:80', login: '', password: '', users: ['3102'], extra: { endOfMessage: '\u0000', eventSource: 'poll', sessionTimeoutSeconds: 600 },
    });
    expect(toConfig({ host: 'h', port: '1', devices: '1', login: 'u' }, { PBXFLOW_PASSWORD: 'env-pw' }).password).toBe('env-pw');
    expect(() => toConfig({ port: '1', devices: '1' }, {})).toThrow(/--host/);
    expect(() => toConfig({ host: 'h', devices: '1' }, {})).toThrow(/--port.*no default/);
    expect(() => toConfig({ host: 'h', port: '1' }, {})).toThrow(/--devices/);
    expect(() => toConfig({ host: 'h', port: '70000', devices: '1' }, {})).toThrow(/--port/);
    expect(() => toConfig({ host: 'h', port: '1', devices: '1', transport: 'udp' }, {})).toThrow(/--transport/);
    expect(() => toConfig({ host: 'h', port: '1', devices: 'a b' }, {})).toThrow(/not a device number/);
  });

  it('replayPipeline: one TelServiceEvent per line; DecodeError on a bad line', () => {
    const p = replayPipeline({});
    const lines = examples.filter((e) => e.section === 'Call' && e.example === 'Example 2').map((e) => oneLine(e.xml));
    expect(lines.flatMap((l) => p.push(l)).map((e) => e.type)).toEqual(['call.incoming', 'call.answered']);
    expect(() => p.push('<TelServiceEvent><event>')).toThrow(DecodeError);
    expect(p.push('')).toEqual([]);
  });

  it('replay --platform telservices FILE in a child process: events out, bad lines reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbxflow-ts-'));
    const file = join(dir, 'capture.xml.txt');
    const call = examples.filter((e) => e.section === 'Call' && e.example === 'Example 1').map((e) => oneLine(e.xml));
    writeFileSync(file, [...call, 'not xml at all', '<TelServiceEvent><deviceNumber>1101</deviceNumber><event><call><id>1</id></call></event></TelServiceEvent>'].join('\n'));
    const child = spawn(process.execPath, ['-r', RUN[0], RUN[1], 'replay', '--platform', 'telservices', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const events = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(['call.outgoing', 'call.answered', 'call.ended']);
    expect(events[2]).toMatchObject({ platform: 'telservices', user: '1101', call: { direction: 'outgoing', to: { number: '1102' }, endReason: 'completed' } });
    expect(err).toMatch(/line 5: malformed XML/);
  }, 30_000);

  it('listen --platform telservices prints the events of the monitored devices', async () => {
    const sim = await startSimulator({ ringTimeoutMs: 60_000 });
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
    let out = '';
    io.stdout.on('data', (c) => (out += c));
    const done = listen(['--platform', 'telservices', '--host', '127.0.0.1', '--port', String(sim.telservices.port), '--devices', '201,202', '--udp-host', '127.0.0.1', '--count', '1'], io);
    await waitFor(() => sim.telservices.sessions.size === 2, 'sessions open');
    sim.pbx.makeCall('carol', '202');
    expect(await done).toBe(0);
    const events = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => `${e.type}@${e.user}`)).toEqual(['call.incoming@202']);
    expect(events[0].call.from.number).toBe('203');
    await waitFor(() => sim.telservices.sessions.size === 0, 'sessions closed by listen');
    await sim.close();
  }, 30_000);

  it('call <operation> --platform telservices runs one operation', async () => {
    const sim = await startSimulator();
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
    let out = '';
    let err = '';
    io.stdout.on('data', (c) => (out += c));
    io.stderr.on('data', (c) => (err += c));
    const base = ['--platform', 'telservices', '--host', '127.0.0.1', '--port', String(sim.telservices.port), '--devices', '202', '--udp-host', '127.0.0.1'];
    expect(await call(['setForward', ...base, '--number', '203', '--condition', 'immediate'], io)).toBe(0);
    expect(err).toBe('');
    expect(JSON.parse(out)).toEqual({ forward: { type: 'number', destination: '203', condition: 'immediate' }, overflow: null, dnd: false });
    expect(sim.pbx.routing('bob').forward).toEqual({ destination: '203', condition: 'immediate' });
    expect(sim.telservices.stats.byService.closeSession).toBe(1);
    await sim.close();
  }, 30_000);
});
