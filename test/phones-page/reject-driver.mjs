/*
 * Clicks Reject on Bob's ringing call in the simulator's phones page (chromium, for reject.test.ts), then prints one
 * line `RESULT <json>` with the page's log once it shows how the call ended. The test owns the simulator and asserts.
 * Usage: node reject-driver.mjs <page url> <chromium path> <user data dir> <project root>
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [url, chromium, userDataDir, root] = process.argv.slice(2);
const require = createRequire(join(root, 'package.json'));
const puppeteer = require('puppeteer-core');
const STEP_MS = 15_000;

const result = { consoleProblems: [] };
const browser = await puppeteer.launch({
  executablePath: chromium, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    `--user-data-dir=${userDataDir}`],
});
// Never outlive the test: a stuck step ends the browser and this process.
const watchdog = setTimeout(() => {
  result.error = 'the reject driver gave up after 40 s';
  browser.close().finally(() => {
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    process.exit(1);
  });
}, 40_000);
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => result.consoleProblems.push(`pageerror: ${e.message}`));
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  // The test has Alice call Bob before starting this driver: Bob's card rings with a Reject button.
  const reject = '#phone-bob .call button[data-key$="|Reject"]';
  await page.waitForSelector(reject, { timeout: STEP_MS });
  await page.click(reject);
  await page.waitForSelector('#phone-bob .badge.state-idle', { timeout: STEP_MS });
  await page.waitForFunction(() => /alice: call with .* ended/.test(document.getElementById('log').textContent), { timeout: STEP_MS });
  result.log = await page.$$eval('#log li', (els) => els.map((e) => e.textContent));
} catch (err) {
  result.error = String((err && err.stack) || err);
} finally {
  clearTimeout(watchdog);
  await browser.close();
}
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
