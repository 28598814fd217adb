/** The CLI for Voicenter: flags -> config, `replay --platform voicenter`, `listen --platform voicenter` on the simulator. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { run as listen } from '../../cli/commands/listen';
import { run as replay } from '../../cli/commands/replay';
import { run as simulate } from '../../cli/commands/simulate';
import { replayPipeline, toConfig } from '../../cli/platforms/voicenter';
import { DecodeError } from '../../shared/errors';
import doc from '../fixtures/voicenter/doc-examples.json';
import { startVc, waitFor, type VcSim } from './helpers';

function streams() {
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
  let out = '';
  let err = '';
  io.stdout.on('data', (c) => (out += c));
  io.stderr.on('data', (c) => (err += c));
  return { io, out: () => out, err: () => err };
}

describe('pbxflow and Voicenter', () => {
  it('toConfig per login type; missing flags are a clear error', () => {
    expect(toConfig({ 'login-type': 'user', email: 'a@b.c', password: 'pw', 'login-url': 'http://x/monitorAPI/Login' }, {})).toEqual({
      platform: 'voicenter', url: 'http://x/monitorAPI/Login', login: 'a@b.c', password: 'pw', extra: { loginType: 'user' },
    });
    expect(toConfig({ 'login-type': 'token', token: 'T0KEN', server: 'https://monitor5.voicenter.co.il' }, {})).toMatchObject({
      login: '', password: 'T0KEN', extra: { loginType: 'token', serverUrl: 'https://monitor5.voicenter.co.il' },
    });
    expect(toConfig({ 'login-type': 'account', login: 'acme', password: 'pw', 'socket-version': '4' }, {})).toMatchObject({ login: 'acme', extra: { loginType: 'account', socketVersion: '4' } });
    expect(toConfig({ 'login-type': 'token' }, { PBXFLOW_TOKEN: 'from-env' }).password).toBe('from-env');
    expect(() => toConfig({ 'login-type': 'user', password: 'pw' }, {})).toThrow(/--email/);
    expect(() => toConfig({ 'login-type': 'account', login: 'acme' }, {})).toThrow(/--password/);
    expect(() => toConfig({ 'login-type': 'token' }, {})).toThrow(/--token/);
    expect(() => toConfig({ 'login-type': 'nope' }, {})).toThrow(/login-type/);
    expect(() => toConfig({ 'login-type': 'token', token: 't', server: 'ftp://x' }, {})).toThrow(/--server/);
  });

  it('replayPipeline: one event array per line, DecodeError on a bad line', () => {
    const p = replayPipeline();
    const line = (n: string) => JSON.stringify(doc.examples.find((e) => e.name === n)!.event);
    expect(p.push(line('incoming-newcall')).map((e) => e.type)).toEqual(['call.incoming']);
    expect(() => p.push('{"not":"an array"}')).toThrow(DecodeError);
    expect(() => p.push('["ExtensionEvent",{"data":{"reason":"NEWCALL","number":1,"currentCall":{"ivrid":{}}}}]')).toThrow(DecodeError);
  });

  it('replay --platform voicenter FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vc-replay-'));
    const file = join(dir, 'capture.jsonl');
    const names = ['incoming-newcall', 'incoming-answer', 'incoming-hangup', 'queue-join', 'queue-exit'];
    writeFileSync(file, [...names.map((n) => JSON.stringify(doc.examples.find((e) => e.name === n)!.event)), 'garbage'].join('\n'));
    const s = streams();
    const code = await replay(['--platform', 'voicenter', file], s.io);
    const types = s.out().trim().split('\n').map((l) => JSON.parse(l).type);
    expect(types).toEqual(['call.incoming', 'call.answered', 'call.ended', 'queue.joined', 'queue.answered']);
    expect(s.err()).toMatch(/line 6/);
    expect(typeof code).toBe('number');
  });

  it('pbxflow simulate prints the Voicenter login URL and demo credentials', async () => {
    const st = streams();
    expect(await simulate(['--duration', '50'], st.io)).toBe(0);
    expect(st.out()).toMatch(/login API: +http:\/\/127\.0\.0\.1:\d+\/monitorAPI\/Login/);
    expect(st.out()).toContain('alice@example.com');
    expect(st.out()).toContain('sim-voicenter-org-token');
  });

  describe('listen', () => {
    let s: VcSim;
    beforeAll(async () => {
      s = await startVc('2');
    });
    afterAll(async () => {
      await s.sim.close();
    });

    it('--login-type user prints normalized events as JSON lines', async () => {
      const st = streams();
      const u = s.vc.credentials.user[0];
      const done = listen(['--platform', 'voicenter', '--login-type', 'user', '--email', u.email, '--password', u.password, '--login-url', s.vc.loginUrl, '--count', '2'], st.io);
      await waitFor(() => s.vc.clients().reduce((a, b) => a + b, 0) === 1, 5000, 'logged in');
      const ref = s.sim.pbx.makeCall('bob', '201');
      await waitFor(() => st.out().includes('call.incoming'), 5000, 'printed');
      s.sim.pbx.callerHangsUp(ref);
      expect(await done).toBe(0);
      const lines = st.out().trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((e) => e.type)).toEqual(['agent.state', 'call.incoming']);
      expect(st.out()).not.toContain(u.password);
    });

    it('--login-type account with --server; a wrong password exits 1', async () => {
      const st = streams();
      const code = await listen(['--platform', 'voicenter', '--login-type', 'account', '--login', 'admin', '--password', 'nope-wrong', '--server', s.vc.socketUrls[0]], st.io);
      expect(code).toBe(1);
      expect(st.err()).not.toContain('nope-wrong');
    });
  });
});
