/**
 * Issue 22.8 (CLI side): a server URL without its scheme gets one clear error, worded as n8n words it, before any
 * request; `listen` and `call` follow one rule for `--platform` (required by both), said in their help.
 * Issue 22.3 (CLI side): the help says an administrator session needs the user to act for.
 */
import { createServer, type Server } from 'node:net';
import { urlProblem as n8nUrlProblem } from '../../nodes/shared/errors';
import { ActingUserError } from '../../shared/errors';
import { runCli } from '../helpers/cli';

/** A server that counts connections: a command that gives up before any request makes none. */
let server: Server;
let connections = 0;
let port = 0;
beforeAll(async () => {
  server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a server URL without http:// or https://', () => {
  it('listen and call say once that it has no scheme, in the n8n credential\'s words, and send nothing', async () => {
    const url = `127.0.0.1:${port}`;
    const said = n8nUrlProblem(url, ['https', 'http']);
    expect(said).toMatch(/has no scheme/);
    const listen = await runCli(['listen', '--platform', 'opentouch', '--url', url, '--login', 'alice', '--password', 'alice-pw', '--duration', '2000']);
    const call = await runCli(['call', 'listCalls', '--platform', 'o2g', '--url', url, '--login', 'alice', '--password', 'alice-pw']);
    expect([listen.code, listen.out, listen.err]).toEqual([2, '', `listen: ${said}\n`]);
    expect([call.code, call.out, call.err]).toEqual([2, '', `call: ${said}\n`]);
    expect(`${listen.err}${call.err}`).not.toMatch(/Invalid URL/);
    expect(connections).toBe(0);
  });

  it('a scheme the platform does not speak is named the same way', async () => {
    const r = await runCli(['call', 'listCalls', '--platform', 'opentouch', '--url', `ftp://127.0.0.1:${port}`, '--login', 'a', '--password', 'p']);
    expect([r.code, r.err]).toEqual([2, `call: ${n8nUrlProblem(`ftp://127.0.0.1:${port}`, ['https', 'http'])}\n`]);
  });
});

describe('--platform: one rule for listen and call', () => {
  it('both require it, and say so instead of guessing a platform', async () => {
    const listen = await runCli(['listen', '--url', `http://127.0.0.1:${port}`, '--login', 'alice', '--password', 'p', '--duration', '500']);
    const call = await runCli(['call', 'listCalls', '--url', `http://127.0.0.1:${port}`, '--login', 'alice', '--password', 'p']);
    const list = await runCli(['call', '--list']);
    for (const [name, r] of [['listen', listen], ['call', call], ['call', list]] as const) {
      expect([name, r.code]).toEqual([name, 2]);
      expect(r.err).toMatch(new RegExp(`^${name}: --platform is required: opentouch, o2g, telservices,? (or )?voicenter`));
    }
    expect(connections).toBe(0);
  });

  it('their help says it is required, and that an administrator acts for a named user', async () => {
    const listen = await runCli(['listen', '--help']);
    const call = await runCli(['call', '--help']);
    expect(listen.out).toMatch(/--platform P\s+required/);
    expect(call.out).toMatch(/--platform P\s+required/);
    expect(call.out).not.toMatch(/opentouch \(default\)/);
    expect(call.out).toMatch(/--session admin[\s\S]*--user U[\s\S]*required with an administrator/);
  });
});

describe('an administrator session without the user to act for (issue 22.3, CLI side)', () => {
  it("call prints the core's error as is: it names the users to choose from, and no phone rings", async () => {
    const { startSimulator } = await import('../../simulator');
    const sim = await startSimulator({ ringTimeoutMs: 60_000 });
    try {
      const r = await runCli(['call', 'makeCall', '--platform', 'opentouch', '--url', sim.url('opentouch'), '--login', 'admin', '--password', 'admin-pw', '--session', 'admin', '--destination', '203']);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      const { error } = JSON.parse(r.err) as { error: { message: string; hint?: string } };
      // What the core says, unchanged (the CLI's admin session monitors no one: the core says so), and the flag.
      expect(error.message).toBe(new ActingUserError('makeCall', 'Make Call', []).message);
      expect(error.hint).toMatch(/--user/);
      expect(sim.pbx.calls()).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
