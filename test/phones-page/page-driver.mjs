/*
 * Drives the simulator's phones page in chromium for phones-page.test.ts, in its own Node process (puppeteer-core is
 * ES modules only, which jest's VM cannot load). Does what a person does on the page, by clicking and typing, and
 * prints `STEP <name>` as it goes and one line `RESULT <json>` with what the page showed; the test owns the simulator
 * and makes the assertions.
 * Usage: node page-driver.mjs <page url> <chromium path> <user data dir> <project root> [traffic]
 * With `traffic`, only the generated calls' switch: shown once the test starts a generator, paused and resumed by
 * clicking (steps `loaded`, `shown`, `paused`, `resumed`).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [url, chromium, userDataDir, root, mode] = process.argv.slice(2);
const require = createRequire(join(root, 'package.json'));
const puppeteer = require('puppeteer-core');
const STEP_MS = 20_000;

const result = { consoleProblems: [], steps: [] };
// After each step the test answers `GO` on stdin (it may change the simulator in between).
const acks = [];
let waiting;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  for (const line of d.split('\n')) if (line.trim() === 'GO') (waiting ? (waiting(), (waiting = undefined)) : acks.push(1));
});
const step = async (name) => {
  result.steps.push(name);
  process.stdout.write(`STEP ${name}\n`);
  if (acks.length) acks.pop();
  else await new Promise((resolve) => (waiting = resolve));
};
class Done extends Error {}

/** The generated calls' switch, as a person uses it: hidden without a generator, then pause and resume by clicking. */
async function trafficSwitch(page) {
  result.switchHiddenAtFirst = await page.$eval('#traffic', (e) => e.hidden);
  await step('loaded'); // the test starts the generated calls now
  await page.waitForSelector('#traffic:not([hidden]) #traffic-switch[aria-checked="true"]', { timeout: STEP_MS });
  result.switchRunning = await page.$eval('#traffic', (e) => e.textContent.replace(/\s+/g, ' ').trim());
  await step('shown');
  await page.click('#traffic-switch');
  await page.waitForSelector('#traffic-switch[aria-checked="false"]', { timeout: STEP_MS });
  result.switchPaused = await page.$eval('#traffic', (e) => e.textContent.replace(/\s+/g, ' ').trim());
  await step('paused');
  // Keyboard: the switch is a button, Space flips it back.
  await page.focus('#traffic-switch');
  await page.keyboard.press('Space');
  await page.waitForSelector('#traffic-switch[aria-checked="true"]', { timeout: STEP_MS });
  await page.waitForFunction(() => /generated calls resumed/.test(document.getElementById('log').textContent), { timeout: STEP_MS });
  result.log = await page.$$eval('#log li', (els) => els.map((e) => e.textContent));
  await step('resumed');
}

const browser = await puppeteer.launch({
  executablePath: chromium, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    `--user-data-dir=${userDataDir}`],
});
// Never outlive the test (jest gives it 60 s): a stuck step ends the browser and this process.
const watchdog = setTimeout(() => {
  result.error = `the page driver gave up after 50 s (steps done: ${result.steps.join(', ')})`;
  browser.close().finally(() => {
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    process.exit(1);
  });
}, 50_000);
try {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'warn' || m.type() === 'error') result.consoleProblems.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => result.consoleProblems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => { if (!r.url().endsWith('/events')) result.consoleProblems.push(`request failed: ${r.url()}`); });
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#phone-bob .badge.state-idle', { timeout: STEP_MS });
  await page.waitForFunction(() => document.getElementById('live').dataset.live === 'true', { timeout: STEP_MS });
  if (mode === 'traffic') {
    await trafficSwitch(page);
    throw new Done();
  }
  await step('loaded');
  // How long a call rings before it counts as missed, as the page says it.
  result.ringHint = await page.$eval('#ring-hint', (e) => e.textContent.trim());

  // Every state Bob's card goes through, as the page draws it.
  await page.evaluate(() => {
    const card = document.getElementById('phone-bob');
    window.bobStates = [card.dataset.state];
    new MutationObserver(() => {
      const s = card.dataset.state;
      if (window.bobStates[window.bobStates.length - 1] !== s) window.bobStates.push(s);
    }).observe(card, { attributes: true, attributeFilter: ['data-state'] });
  });

  // An outside number calls Bob; nobody answers; the call rings out.
  await page.$eval('#outside-form input[name=from]', (e) => { e.value = ''; });
  await page.type('#outside-form input[name=from]', '0611223344');
  await page.type('#outside-form input[name=to]', '202');
  await page.click('#outside-form button[type=submit]');
  await page.waitForFunction(() => window.bobStates.includes('ringing'), { timeout: STEP_MS });
  result.ringingDevices = await page.$$eval('#phone-bob .device.state-ringing', (els) => els.map((e) => e.textContent.trim()));
  result.ringingCall = await page.$eval('#phone-bob .call', (e) => e.textContent.trim());
  result.outsideLine = await page.$eval('#outside [data-outside="0611223344"]', (e) => e.textContent.trim());
  await page.waitForFunction(() => window.bobStates.at(-1) === 'idle' && window.bobStates.length > 2, { timeout: STEP_MS });
  result.bobStates = await page.evaluate(() => window.bobStates);
  await page.waitForFunction(() => /bob: call with 0611223344 ended \(not answered\)/.test(document.getElementById('log').textContent), { timeout: STEP_MS });
  result.log = await page.$$eval('#log li', (els) => els.map((e) => e.textContent));
  await step('rang out');

  // Bob's forward, turned on by clicking.
  await page.type('#phone-bob input[name=destination]', '0612345678');
  await page.select('#phone-bob select[name=condition]', 'immediate');
  await page.click('#phone-bob [data-role=forward-button]');
  await page.waitForFunction(() => /Forward → 0612345678/.test(document.querySelector('#phone-bob [data-role=routing]').textContent), { timeout: STEP_MS });
  result.forwardButton = await page.$eval('#phone-bob [data-role=forward-button]', (e) => e.textContent);
  await step('forward on');

  // Keyboard only: Alice dials Carol with Enter, Carol answers with Space, Alice hangs up with Enter.
  await page.focus('#phone-alice input[name=to]');
  await page.keyboard.type('203');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#phone-carol .badge.state-ringing', { timeout: STEP_MS });
  await page.focus('#phone-carol .call button.primary');
  await page.keyboard.press('Space');
  await page.waitForSelector('#phone-alice .badge.state-talking', { timeout: STEP_MS });
  result.talkingCall = await page.$eval('#phone-alice .call', (e) => e.textContent.trim());
  await page.focus('#phone-alice .call button.danger');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#phone-alice .badge.state-idle', { timeout: STEP_MS });
  await page.waitForSelector('#phone-carol .badge.state-idle', { timeout: STEP_MS });
  await step('keyboard call');

  // A phone-sized window: everything fits the width (no sideways scrolling).
  await page.setViewport({ width: 390, height: 844 });
  result.narrowOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.setViewport({ width: 1280, height: 900 });
  result.wideOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await step('sizes');
} catch (err) {
  if (!(err instanceof Done)) result.error = String(err && err.stack || err);
} finally {
  clearTimeout(watchdog);
  await browser.close();
}
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
process.stdin.destroy();
