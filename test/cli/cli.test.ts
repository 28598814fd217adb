/**
 * The `pbxflow` CLI as a user meets it, each command a real child process (issue 12, items 10-14): help without
 * side effects, the version, unknown flags and missing passwords as usage errors, failures that exit non-zero with
 * a clear message, `simulate` that says how to make something happen (and does it with --traffic), and
 * `call listCalls` in the normalized model.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../simulator';
import { waitFor } from '../ale/helpers';
import { spawnCli as cli, type CliChild as Child } from '../helpers/cli';

/** Runs to the end; fails the test (and kills the child) if it does not end within `ms`. */
async function finished(r: Child, ms = 20_000): Promise<Child> {
  const timer = setTimeout(() => r.child.kill('SIGKILL'), ms);
  const code = await r.exited;
  clearTimeout(timer);
  if (code === null) throw new Error(`the CLI did not end within ${ms} ms\nstdout: ${r.out}\nstderr: ${r.err}`);
  return r;
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Is this port free to listen on now? */
function free(port: number): Promise<boolean> {
  const srv = createServer();
  return new Promise((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * The first of `n` consecutive free ports, below the ephemeral range (32768+), where outgoing connections of
 * other processes would take ports at random.
 */
async function freeRange(n: number): Promise<number> {
  for (let base = 20_000 + Math.floor(Math.random() * 10_000); ; base += n) {
    const ok = await Promise.all(Array.from({ length: n }, (_, i) => free(base + i)));
    if (ok.every(Boolean)) return base;
  }
}

describe('pbxflow CLI (child processes)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await sim.close();
  });

  describe('help and version', () => {
    it('--version prints the package version', async () => {
      const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
      const r = await finished(cli(['--version']));
      expect(r.code).toBe(0);
      expect(r.out.trim()).toBe(`pbxflow ${version}`);
    }, 30_000);

    it('every command answers --help with its usage on stdout, and does nothing else', async () => {
      const before = sim.frontEnds.o2g.stats.requests;
      // replay with stdin left open (a terminal would be): it must not wait for it; simulate must not start.
      const rs = await Promise.all([
        finished(cli(['replay', '--help'], {}, 'pipe')),
        finished(cli(['simulate', '--help'])),
        finished(cli(['listen', '--help', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'bob', '--password', 'bob-pw'])),
        finished(cli(['call', '--help'])),
        finished(cli(['call', 'makeCall', '-h', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'alice', '--password', 'alice-pw', '--destination', '203'])),
        finished(cli(['--help'])),
        finished(cli(['help', 'listen', '--platform', 'telservices'])),
      ]);
      const [replay, simulate, listen, call, makeCall, top, tsListen] = rs;
      expect(tsListen.out).toMatch(/^usage: pbxflow listen/);
      expect(tsListen.out).toMatch(/telservices options:\n--platform telservices --host H --port P --devices/);
      for (const r of rs) expect(r.code).toBe(0);
      expect(replay.out).toMatch(/^usage: pbxflow replay/);
      expect(simulate.out).toMatch(/^usage: pbxflow simulate/);
      expect(simulate.out).toMatch(/--port N +fixed ports: OpenTouch on N, O2G on N\+1/);
      expect(simulate.out).not.toMatch(/simulator running/);
      expect(listen.out).toMatch(/^usage: pbxflow listen/);
      expect(call.out).toMatch(/^usage: pbxflow call/);
      expect(makeCall.out).toMatch(/--destination +\(required\)/);
      expect(top.out).toMatch(/replay[\s\S]*listen[\s\S]*call[\s\S]*simulate/);
      // Nothing reached the PBX, and no call was made.
      expect(sim.frontEnds.o2g.stats.requests).toBe(before);
      expect(sim.pbx.viewsOf('carol')).toHaveLength(0);
    }, 60_000);
  });

  describe('usage errors (exit 2, before any request)', () => {
    it('an unknown flag is refused with the known ones and a suggestion', async () => {
      const before = sim.frontEnds.o2g.stats.requests;
      const [listen, call, simulate, replay] = await Promise.all([
        finished(cli(['listen', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'bob', '--pasword', 'bob-pw'])),
        finished(cli(['call', 'makeCall', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'alice', '--password', 'alice-pw', '--destinaton', '203'])),
        finished(cli(['simulate', '--prot', '5000'])),
        finished(cli(['replay', '--platfrom', 'o2g'], {}, 'pipe')),
      ]);
      expect(listen.code).toBe(2);
      expect(listen.err).toMatch(/unknown option --pasword \(did you mean --password\?\)/);
      expect(listen.err).toMatch(/known options: .*--login .*--password .*--url/);
      expect(listen.err).not.toContain('bob-pw');
      expect(call.code).toBe(2);
      expect(call.err).toMatch(/unknown option --destinaton \(did you mean --destination\?\)/);
      expect(simulate.code).toBe(2);
      expect(simulate.err).toMatch(/unknown option --prot \(did you mean --port\?\)/);
      expect(simulate.out).not.toMatch(/simulator running/);
      expect(replay.code).toBe(2);
      expect(replay.err).toMatch(/unknown option --platfrom/);
      const unsupported = await finished(cli(['call', 'getAgentState', '--platform', 'opentouch', '--url', sim.url('opentouch'), '--login', 'bob', '--password', 'bob-pw']));
      expect(unsupported.code).toBe(2);
      expect(unsupported.err).toMatch(/getAgentState is not available on opentouch/);
      expect(sim.frontEnds.o2g.stats.requests).toBe(before);
      expect(sim.pbx.viewsOf('carol')).toHaveLength(0);
    }, 60_000);

    it('a missing password is a usage error for listen and call (ALE, Voicenter: the platforms that need one)', async () => {
      const before = sim.frontEnds.o2g.stats.requests;
      const rs = await Promise.all([
        finished(cli(['call', 'listCalls', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'bob'])),
        finished(cli(['listen', '--platform', 'opentouch', '--url', sim.url('opentouch'), '--login', 'bob'])),
        finished(cli(['listen', '--platform', 'voicenter', '--login-type', 'user', '--email', 'alice@example.com'])),
        finished(cli(['listen', '--platform', 'voicenter', '--login-type', 'account', '--login', 'admin'])),
        finished(cli(['call', 'makeCall', '--platform', 'opentouch', '--url', sim.url('opentouch'), '--login', 'alice', '--destination', '203'])),
      ]);
      for (const r of rs) {
        expect(r.code).toBe(2);
        expect(r.err).toMatch(/password/);
      }
      expect(sim.frontEnds.o2g.stats.requests).toBe(before);
    }, 60_000);
  });

  describe('failures exit non-zero with a clear message', () => {
    it('connection refused: call and listen exit 1 quickly with "cannot reach" and the address', async () => {
      const port = await closedPort();
      const url = `http://127.0.0.1:${port}`;
      const t0 = Date.now();
      const [call, listen, ts] = await Promise.all([
        finished(cli(['call', 'listCalls', '--platform', 'o2g', '--url', url, '--login', 'bob'], { PBXFLOW_PASSWORD: 'bob-pw' })),
        finished(cli(['listen', '--platform', 'opentouch', '--url', url, '--login', 'bob'], { PBXFLOW_PASSWORD: 'bob-pw' })),
        finished(cli(['call', 'listCalls', '--platform', 'telservices', '--host', '127.0.0.1', '--port', String(port), '--devices', '201'])),
      ]);
      // Generous under load (three children on two cores); the old behaviour was a wait without end for listen.
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(call.code).toBe(1);
      expect(call.out).toBe('');
      expect(JSON.parse(call.err).error).toMatchObject({ code: 'NETWORK', message: expect.stringContaining(`cannot reach ${url}: the server refused the connection`) });
      expect(listen.code).toBe(1);
      expect(listen.err).toMatch(new RegExp(`listen: cannot reach ${url}: the server refused the connection`));
      expect(ts.code).toBe(1);
      expect(ts.err).toMatch(/cannot reach/);
      for (const r of [call, listen]) expect(r.err).not.toContain('bob-pw');
    }, 60_000);

    it('a wrong password: call exits 1 with the PBX refusal, one login attempt', async () => {
      const before = sim.frontEnds.o2g.stats.failedLogins;
      const r = await finished(cli(['call', 'listCalls', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'bob', '--password', 'nope-pw']));
      expect(r.code).toBe(1);
      expect(JSON.parse(r.err).error.code).toBe('AUTH');
      expect(r.err).not.toContain('nope-pw');
      expect(sim.frontEnds.o2g.stats.failedLogins - before).toBe(1);
    }, 30_000);
  });

  describe('call listCalls', () => {
    afterEach(() => sim.pbx.reset());

    it('prints the calls in the normalized model (the call object events carry), the PBX shape only with --raw', async () => {
      const ref = sim.pbx.makeCall('alice', '202');
      // A lingering connection would keep the process up for a minute: the CLI closes its own at once.
      const env = { PBXFLOW_PASSWORD: 'bob-pw', PBXFLOW_LINGER_MS: '60000' };
      const t0 = Date.now();
      const [o2g, ot, raw] = await Promise.all([
        finished(cli(['call', 'listCalls', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'bob'], env), 30_000),
        finished(cli(['call', 'listCalls', '--platform', 'opentouch', '--url', sim.url('opentouch'), '--login', 'bob'], env), 30_000),
        finished(cli(['call', 'listCalls', '--platform', 'o2g', '--url', sim.url('o2g'), '--login', 'bob', '--raw'], env), 30_000),
      ]);
      expect(Date.now() - t0).toBeLessThan(30_000);
      for (const r of [o2g, ot]) {
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
        const { calls } = JSON.parse(r.out) as { calls: Array<Record<string, unknown>> };
        expect(calls).toHaveLength(1);
        expect(calls[0]).toMatchObject({ id: expect.any(String), direction: 'incoming', from: expect.objectContaining({ number: '201' }), answered: false, startedAt: expect.any(String) });
        expect(calls[0]).not.toHaveProperty('legs');
        expect(calls[0]).not.toHaveProperty('callRef');
      }
      expect(JSON.parse(o2g.out).calls[0].id).toBe(sim.pbx.viewOf(ref, 'bob')!.ref);
      expect(raw.code).toBe(0);
      const rawCalls = JSON.parse(raw.out).calls as Array<Record<string, unknown>>;
      expect(rawCalls[0]).toMatchObject({ callRef: sim.pbx.viewOf(ref, 'bob')!.ref, legs: expect.any(Array) });
    }, 60_000);
  });

  describe('pbxflow simulate', () => {
    it('lists every demo user, prints a makeCall line that works, makes traffic, and says "stopped" on SIGINT', async () => {
      const r = cli(['simulate', '--traffic']);
      try {
        await waitFor(() => r.out.includes('[traffic]') || r.code !== undefined, 30_000, 'the first traffic line');
        expect(r.code).toBeUndefined();
        for (const u of ['alice', 'bob', 'carol', 'admin', 'alice-pw', 'alice@example.com', 'sim-voicenter-org-token']) expect(r.out).toContain(u);
        expect(r.out).toMatch(/opentouch: +http:\/\/127\.0\.0\.1:\d+/);
        expect(r.out).toMatch(/TelServices[\s\S]*devices: 201 \(alice\), 202 \(bob\), 203 \(carol\)/);
        expect(r.out).toMatch(/phones: +http:\/\/127\.0\.0\.1:\d+\//);
        // The printed makeCall line, run as printed (the credentials are the demo's).
        const line = /^ +pbxflow (call makeCall .*)$/m.exec(r.out)?.[1];
        expect(line).toBeDefined();
        const made = await finished(cli(line!.split(/ +/)), 30_000);
        expect(made.err).toBe('');
        expect(made.code).toBe(0);
        expect(JSON.parse(made.out)).toMatchObject({ ok: true, operation: 'makeCall' });
      } finally {
        r.child.kill('SIGINT');
        await finished(r, 15_000);
      }
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/PBX simulator stopped \(SIGINT\)\n$/);
    }, 90_000);

    it('--port fixes the ports and SIGTERM stops it too', async () => {
      const base = await freeRange(4);
      const r = cli(['simulate', '--port', String(base)]);
      try {
        await waitFor(() => r.out.includes('Ctrl-C stops') || r.code !== undefined, 30_000, 'started');
        if (r.code === 1 && /must be free/.test(r.err)) return; // a neighbouring port was taken meanwhile
        expect(r.out).toContain(`opentouch: http://127.0.0.1:${base}`);
        expect(r.out).toContain(`o2g:       http://127.0.0.1:${base + 1}`);
        expect(r.out).toContain(`tcp:  tcp://127.0.0.1:${base + 2}`);
      } finally {
        r.child.kill('SIGTERM');
        await finished(r, 15_000);
      }
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/stopped \(SIGTERM\)/);
    }, 60_000);
  });
});
