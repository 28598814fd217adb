/**
 * The phones page's Reject button in a real browser (issue 22 item 12): clicking it on a ringing call records the
 * callee's rejection, not the caller hanging up. Chromium via puppeteer-core in a child process (reject-driver.mjs);
 * skipped, saying so, only when chromium is not installed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../simulator';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/phones-page: ${CHROMIUM} not found: the Reject button test is skipped (apt-get install chromium)`);
const maybe = haveChromium ? describe : describe.skip;

function drive(url: string, userDataDir: string): Promise<{ error?: string; log?: string[]; consoleProblems: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'reject-driver.mjs'), url, CHROMIUM, userDataDir, join(__dirname, '..', '..')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (line) resolve(JSON.parse(line.slice('RESULT '.length)) as { log?: string[]; consoleProblems: string[] });
      else reject(new Error(`the reject driver exited (${code}) without a result:\n${out}\n${err}`));
    });
  });
}

maybe('phones page: Reject in chromium', () => {
  let sim: Simulator;
  let userDataDir: string;

  beforeAll(async () => {
    sim = await startSimulator({ web: true, ringTimeoutMs: 60_000 });
    userDataDir = mkdtempSync(join(tmpdir(), 'pbxflow-reject-'));
  });

  afterAll(async () => {
    await sim?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('Reject on a ringing call: the log says the callee rejected it and the caller got busy, not that the caller hung up', async () => {
    sim.pbx.makeCall('alice', '202');
    const r = await drive(sim.webUrl!, userDataDir);
    expect(r.error).toBeUndefined();
    expect(r.consoleProblems).toEqual([]);
    const log = (r.log ?? []).map((l) => l.replace(/^\d{1,2}:\d{2}(:\d{2})?\s*/, ''));
    const text = log.join('\n');
    expect(text).toContain('page: bob rejects the call');
    expect(text).toContain('bob: call with Alice Martin ended (rejected)');
    expect(text).toContain('alice: call with Bob Durand ended (busy)');
    expect(text).not.toMatch(/caller hung up|bob hangs up/);
    expect(sim.pbx.calls()).toEqual([]);
  }, 45_000);
});
