/**
 * The phones page in a real browser (issue 15): Debian's chromium, driven by puppeteer-core in a child process
 * (page-driver.mjs), clicks and types on the page of a simulator started here; a client connected to the simulator's
 * OpenTouch front-end through the core's registry (the path the demo's Node-RED nodes take) sees what the clicks
 * did. Skipped, saying so, only when chromium is not installed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTraffic } from '../../cli/traffic';
import '../../shared/platforms';
import { acquireConnection, type Lease } from '../../shared/connection/registry';
import type { PbxEvent } from '../../shared/model/events';
import { startSimulator, type Simulator } from '../../simulator';
import { waitFor } from '../ale/helpers';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/phones-page: ${CHROMIUM} not found: the phones page browser test is skipped (apt-get install chromium)`);
const maybe = haveChromium ? describe : describe.skip;
const root = join(__dirname, '..', '..');

interface DriverResult {
  error?: string;
  steps: string[];
  consoleProblems: string[];
  bobStates?: string[];
  ringingDevices?: string[];
  ringingCall?: string;
  outsideLine?: string;
  ringHint?: string;
  log?: string[];
  forwardButton?: string;
  talkingCall?: string;
  narrowOverflow?: number;
  wideOverflow?: number;
  switchHiddenAtFirst?: boolean;
  switchRunning?: string;
  switchPaused?: string;
}

function drive(url: string, userDataDir: string, onStep: (name: string) => void | Promise<void>, mode?: 'traffic'): Promise<DriverResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'page-driver.mjs'), url, CHROMIUM, userDataDir, root, ...(mode ? [mode] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
    // Steps are answered in order, each once the test's own work for it is done.
    let acked = Promise.resolve();
    let out = '';
    let err = '';
    let seen = 0;
    let stepError: Error | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const steps = [...out.matchAll(/^STEP (.+)$/gm)].map((m) => m[1]);
      for (; seen < steps.length; seen++) {
        const name = steps[seen];
        acked = acked.then(() => onStep(name)).then(() => void child.stdin.write('GO\n'), (e: Error) => {
          stepError ??= e;
          child.stdin.write('GO\n');
        });
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.stdin.on('error', () => undefined); // the driver may be gone already
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (stepError) reject(stepError);
      else if (line) resolve(JSON.parse(line.slice('RESULT '.length)) as DriverResult);
      else reject(new Error(`the page driver exited (${code}) without a result:\n${out}\n${err}`));
    });
  });
}

maybe('phones page in chromium', () => {
  let sim: Simulator;
  let lease: Lease;
  let userDataDir: string;
  const events: PbxEvent[] = [];

  beforeAll(async () => {
    // A short ring timeout: the call rings out in well under the test's budget.
    sim = await startSimulator({ web: true, ringTimeoutMs: 1500 });
    lease = acquireConnection({
      platform: 'opentouch', url: sim.url('opentouch'), login: 'admin', password: 'admin-pw', sessionKind: 'admin',
      users: ['alice', 'bob', 'carol'], requestTimeoutMs: 5000,
    });
    lease.connection.onEvent((e) => events.push(e));
    await lease.connection.ready();
    userDataDir = mkdtempSync(join(tmpdir(), 'pbxflow-phones-'));
  });

  afterAll(async () => {
    await lease?.release();
    await sim?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('an outside call rings out at Bob by clicking: the card goes ringing -> idle, the log says so, the client gets call.missed; a clicked forward gives routing.changed', async () => {
    expect(sim.webUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    // Once Bob's call has rung out, calls ring long enough for a busy machine to answer them by keyboard.
    const r = await drive(sim.webUrl!, userDataDir, (step) => {
      if (step === 'rang out') sim.pbx.ringTimeoutMs = 30_000;
    });
    expect(r.error).toBeUndefined();
    expect(r.steps).toEqual(['loaded', 'rang out', 'forward on', 'keyboard call', 'sizes']);

    // The card, as drawn: idle, ringing on both of Bob's devices, idle again once the ring timeout ended the call.
    expect(r.bobStates).toEqual(['idle', 'ringing', 'idle']);
    expect(r.ringingDevices).toEqual(['202 ringing', '2021 ringing']);
    expect(r.ringingCall).toMatch(/^ringing\s*from 0611223344/);
    expect(r.outsideLine).toContain('0611223344 calls bob');
    // The page says how long a call rings before it counts as missed (this simulator: 1.5 s).
    expect(r.ringHint).toMatch(/^An unanswered call rings 2 s, then ends as not answered: a missed call/);
    // The live log (newest first): the click, the call ringing, and it ending unanswered, in that order.
    const log = (r.log ?? []).slice().reverse();
    const at = (re: RegExp) => log.findIndex((l) => re.test(l));
    expect(at(/page: 0611223344 calls 202/)).toBeGreaterThanOrEqual(0);
    expect(at(/bob: call from 0611223344 ringing on 202, 2021/)).toBeGreaterThan(at(/page: 0611223344 calls 202/));
    expect(at(/bob: call with 0611223344 ended \(not answered\)/)).toBeGreaterThan(at(/bob: call from 0611223344/));

    // The connected client saw the missed call, from that outside number, for Bob.
    await waitFor(() => events.some((e) => e.type === 'call.missed' && e.user === 'bob'), 10_000, 'call.missed for bob');
    const missed = events.find((e) => e.type === 'call.missed' && e.user === 'bob')!;
    expect(missed.call).toMatchObject({ direction: 'incoming', from: { number: '0611223344' }, answered: false, endReason: 'no_answer' });

    // The forward: the page shows it, the PBX has it, and the client got routing.changed for Bob.
    expect(r.forwardButton).toBe('Forward off');
    expect(sim.pbx.routing('bob').forward).toEqual({ destination: '0612345678', condition: 'immediate' });
    await waitFor(() => events.some((e) => e.type === 'routing.changed' && e.user === 'bob' && e.routing?.forward?.destination === '0612345678'), 10_000, 'routing.changed for bob');

    // The keyboard call: Alice talked with Carol, and the client saw it answered and ended.
    expect(r.talkingCall).toMatch(/^talking\s*to Carol Petit/);
    await waitFor(() => events.some((e) => e.type === 'call.ended' && e.user === 'alice' && e.call?.answered === true), 10_000, 'call.ended for alice');

    expect(r.narrowOverflow).toBeLessThanOrEqual(0);
    expect(r.wideOverflow).toBeLessThanOrEqual(0);
    expect(r.consoleProblems).toEqual([]);
  }, 60_000);

  it('a switch pauses the generated calls and resumes them: none starts while paused, they start again after', async () => {
    // A clean company: the first test left Bob forwarded and calls ringing long.
    sim.pbx.setForward('bob', null);
    sim.pbx.ringTimeoutMs = 5000;
    const lines: string[] = [];
    const calls = () => lines.filter((l) => !/^(paused|resumed)/.test(l)).length;
    const stop = new AbortController();
    let run: Promise<void> | undefined;
    let whilePaused: { before: number; after: number } | undefined;
    try {
      const r = await drive(sim.webUrl!, join(userDataDir, 'traffic'), async (step) => {
        if (step === 'loaded') run = runTraffic({ pbx: sim.pbx, signal: stop.signal, pace: 0.05, say: (l) => lines.push(l) });
        if (step === 'paused') {
          // A call started just before the click plays to its end (a few hundred ms at this pace); then nothing new.
          await new Promise((res) => setTimeout(res, 400));
          const before = calls();
          await new Promise((res) => setTimeout(res, 1200));
          whilePaused = { before, after: calls() };
        }
        if (step === 'resumed') {
          const at = calls();
          await waitFor(() => calls() > at, 5000, 'a generated call after resuming');
        }
      }, 'traffic');
      expect(r.error).toBeUndefined();
      expect(r.steps).toEqual(['loaded', 'shown', 'paused', 'resumed']);
      expect(r.switchHiddenAtFirst).toBe(true); // no generator, no switch
      expect(r.switchRunning).toMatch(/^Generated calls A generated call every few seconds/);
      expect(r.switchPaused).toMatch(/^Generated calls Paused: no new generated calls/);
      expect(whilePaused).toBeDefined();
      expect(whilePaused!.after).toBe(whilePaused!.before);
      expect(lines).toContain("paused: no new calls until the traffic is resumed (the phones page's switch)");
      expect(lines).toContain('resumed');
      const log = (r.log ?? []).slice().reverse();
      const pausedAt = log.findIndex((l) => /page: generated calls paused/.test(l));
      expect(pausedAt).toBeGreaterThanOrEqual(0);
      expect(log.findIndex((l) => /page: generated calls resumed/.test(l))).toBeGreaterThan(pausedAt);
      expect(r.consoleProblems).toEqual([]);
    } finally {
      stop.abort();
      await run;
    }
  }, 40_000);
});
