/**
 * `npm run screenshots`: the pictures in README.md and docs/demo.md, taken from the real thing. Starts the demo's
 * pieces as `npm start` does (examples/demo/setup.ts: the simulator with every front-end and its phones page; embedded
 * Node-RED with the demo flows for OpenTouch, O2G, TelServices and Voicenter; Dave as the Support agent) from the
 * build, drives the phones page and the Node-RED editor in chromium as a person would, and writes small indexed
 * PNGs under docs/images/. Not part of `npm test`: run it after a change to the page, the editor or the flows.
 *
 * Run by `node` itself (Node 24 strips the types): erasable TypeScript only, the build's modules loaded from dist/.
 * Environment: CHROMIUM (default /usr/bin/chromium), PNGQUANT (default `pngquant`: Debian's `apt-get install pngquant`,
 * which turns chromium's true-colour PNGs into palette PNGs a third of the size).
 */
/// <reference lib="dom" />
import type { Browser, Page } from 'puppeteer-core';

type SetupModule = typeof import('../examples/demo/setup');
type FlowsModule = typeof import('../examples/demo/flows');
type HostModule = typeof import('../examples/demo/node-red-host');
type TrafficModule = typeof import('../examples/demo/traffic');
type CalendarModule = typeof import('../examples/demo/calendar');
type PathsModule = typeof import('../examples/demo/paths');
type Simulator = Awaited<ReturnType<SetupModule['startDemoSimulator']>>;

/* eslint-disable @typescript-eslint/no-require-imports -- `require`, not `import`: node runs this file as CommonJS
   (an `import` statement would make it an ES module, without __dirname), and the build's modules load at run time. */
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
const { tmpdir } = require('node:os') as typeof import('node:os');
const { join, relative, resolve } = require('node:path') as typeof import('node:path');
const { setTimeout: delay } = require('node:timers/promises') as typeof import('node:timers/promises');

const root = resolve(__dirname, '..');
const dist = (p: string) => join(root, 'dist', p);
const { demoFlowOptions, startDemoSimulator } = require(dist('examples/demo/setup.js')) as SetupModule;
const { demoFlows } = require(dist('examples/demo/flows.js')) as FlowsModule;
const { startNodeRed } = require(dist('examples/demo/node-red-host.js')) as HostModule;
const { SUPPORT_PILOT, TELSERVER_COMPANY, startSupportAgent } = require(dist('examples/demo/traffic.js')) as TrafficModule;
const { writeDemoCalendar } = require(dist('examples/demo/calendar.js')) as CalendarModule;
const { demoPaths } = require(dist('examples/demo/paths.js')) as PathsModule;
/* eslint-enable @typescript-eslint/no-require-imports */

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PNGQUANT = process.env.PNGQUANT ?? 'pngquant';
const OUT = join(root, 'docs', 'images');
const WAIT_MS = 30_000;
/** What the pictures promise: small enough for a README. */
const MAX_BYTES = 150 * 1024;

const written: Array<{ file: string; bytes: number }> = [];

async function shoot(page: Page, name: string, opts: { fullPage?: boolean; clip?: { x: number; y: number; width: number; height: number } } = {}): Promise<void> {
  const png = await page.screenshot({ type: 'png', ...opts });
  const file = join(OUT, name);
  writeFileSync(file, png);
  execFileSync(PNGQUANT, ['--force', '--skip-if-larger', '--speed', '1', '--output', file, '--', file], { stdio: 'inherit' });
  const small = readFileSync(file);
  written.push({ file, bytes: small.length });
  console.log(`screenshots: ${relative(root, file)} ${(small.length / 1024).toFixed(0)} kB`);
}

/** Clicks the button with this text inside `scope` (a CSS selector). */
async function clickButton(page: Page, scope: string, text: string): Promise<void> {
  await page.waitForFunction((s, t) => [...document.querySelectorAll(`${s} button`)].some((b) => b.textContent === t), { timeout: WAIT_MS }, scope, text);
  await page.evaluate((s, t) => ([...document.querySelectorAll(`${s} button`)].find((b) => b.textContent === t) as HTMLButtonElement).click(), scope, text);
}

async function outsideCall(page: Page, from: string, to: string): Promise<void> {
  await page.$eval('#outside-form input[name=from]', (e) => { (e as HTMLInputElement).value = ''; });
  await page.type('#outside-form input[name=from]', from);
  await page.$eval('#outside-form input[name=to]', (e) => { (e as HTMLInputElement).value = ''; });
  await page.type('#outside-form input[name=to]', to);
  await page.click('#outside-form button[type=submit]');
}

/** The phones page mid-call: Alice talking to an outside caller, Bob calling Carol, a caller waiting for Support. */
async function phonesPage(browser: Browser, url: string, sim: Simulator): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#phone-alice .badge.state-idle', { timeout: WAIT_MS });
  sim.pbx.ringTimeoutMs = 120_000; // nothing rings out while the picture is set up
  await outsideCall(page, '0611223344', '201');
  await clickButton(page, '#phone-alice', 'Answer');
  await page.waitForSelector('#phone-alice .badge.state-talking', { timeout: WAIT_MS });
  await page.type('#phone-bob input[name=to]', '203');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#phone-carol .badge.state-ringing', { timeout: WAIT_MS });
  await page.$eval('#phone-bob input[name=to]', (e) => { (e as HTMLInputElement).value = ''; });
  await clickButton(page, `[data-pilot="${SUPPORT_PILOT.number}"]`, 'Pause');
  await outsideCall(page, '0655443322', SUPPORT_PILOT.number);
  await page.waitForSelector(`[data-pilot="${SUPPORT_PILOT.number}"] .call`, { timeout: WAIT_MS });
  await page.type('#phone-dave input[name=destination]', 'voicemail');
  await page.select('#phone-dave select[name=condition]', 'busy');
  await page.click('#phone-dave [data-role=forward-button]');
  await page.waitForFunction(() => /Forward → voicemail/.test(document.querySelector('#phone-dave [data-role=routing]')!.textContent ?? ''), { timeout: WAIT_MS });
  await page.$eval('#outside-form input[name=to]', (e) => { (e as HTMLInputElement).value = ''; });
  // Timers past zero, and no focus ring in the picture.
  await delay(3200);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await shoot(page, 'phones-page.png', { fullPage: true });
  return page;
}

/** Ends every call the way its parties would (the flows see proper endings), and Dave is ready again. */
async function quiet(page: Page, sim: Simulator): Promise<void> {
  for (const c of sim.pbx.calls()) {
    const p = c.parties.find((q) => q.login) ?? c.parties[0];
    if (p) sim.pbx.hangUp(c.id, p.login ?? p.number);
  }
  await clickButton(page, `[data-pilot="${SUPPORT_PILOT.number}"]`, 'Ready');
  await page.waitForFunction(() => document.querySelectorAll('.card.phone[data-state]:not([data-state="idle"])').length === 0, { timeout: WAIT_MS });
}

async function editor(browser: Browser, url: string, dots: number): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => {
    const red = (window as unknown as { RED?: { nodes?: { node?(id: string): unknown } } }).RED;
    return !!red?.nodes?.node?.('pbxflow-demo-missed') && !!document.querySelector('#red-ui-header-button-deploy');
  }, { timeout: WAIT_MS });
  // Every event and routing node says "connected" with a green dot once its connection is up.
  await page.waitForFunction((n) => document.querySelectorAll('.red-ui-flow-node-status-dot-green').length >= n, { timeout: WAIT_MS }, dots);
  // The whole flow (its right column sits under the sidebar), not the palette, and no tip of the day.
  await page.evaluate(() => {
    const red = (window as unknown as { RED: { menu: { setSelected(id: string, on: boolean): void }; actions: { invoke(a: string, v?: unknown): void } } }).RED;
    red.menu.setSelected('menu-item-left-sidebar', false);
    red.menu.setSelected('menu-item-right-sidebar', false);
    red.actions.invoke('core:toggle-show-tips', false);
  });
  await delay(500);
  return page;
}

/** Drags from the middle of `selector` (the first one visible right of `minX`) by dx, dy, as a person would. */
async function drag(page: Page, selector: string, minX: number, dx: number, dy: number): Promise<void> {
  const box = await page.evaluate((sel, min) => {
    const el = [...document.querySelectorAll(sel)].map((e) => e.getBoundingClientRect()).find((r) => r.x >= min && (r.width > 0 || r.height > 0));
    return el ? { x: el.x + el.width / 2, y: el.y + el.height / 2 } : undefined;
  }, selector, minX);
  if (!box) throw new Error(`nothing to drag at ${selector}`);
  await page.mouse.move(box.x, box.y);
  await page.mouse.down();
  await page.mouse.move(box.x + dx / 2, box.y + dy / 2, { steps: 5 });
  await page.mouse.move(box.x + dx, box.y + dy, { steps: 5 });
  await page.mouse.up();
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM)`);
  try {
    execFileSync(PNGQUANT, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(`${PNGQUANT} not found (apt-get install pngquant, or set PNGQUANT)`);
  }
  if (!existsSync(dist('simulator/web/static/index.html'))) throw new Error('dist/ has no phones page: run `npm run build` first (npm run screenshots does)');
  mkdirSync(OUT, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'pbxflow-screenshots-'));
  const paths = demoPaths(root, tmp);
  writeDemoCalendar(paths.calendarTemplate, paths.calendar, []);
  // The demo's own simulator and flows (every platform's connection), as `npm start` deploys them.
  const sim = await startDemoSimulator({ web: true });
  let red: Awaited<ReturnType<HostModule['startNodeRed']>> | undefined;
  let browser: Browser | undefined;
  try {
    const { flows, credentials } = demoFlows(demoFlowOptions(sim, { ticketsFile: paths.tickets, calendarFile: paths.calendar, calendarEverySeconds: 2 }));
    red = await startNodeRed({
      root, userDir: paths.userDir, flows, credentials, port: 0,
      onLog: (r) => { if (r.level <= 20) console.error(`node-red: ${typeof r.msg === 'string' ? r.msg : JSON.stringify(r.msg)}`); },
    });
    startSupportAgent(sim.pbx);
    // Every connection is up, as run.ts waits for it: OpenTouch, O2G, a TelServices session per device, Voicenter.
    const { opentouch, o2g } = sim.frontEnds;
    const connected = () => opentouch.openChannels > 0 && o2g.openChannels > 0
      && TELSERVER_COMPANY.every((u) => (sim.telservices.sessions.get(u.number)?.clients.size ?? 0) > 0)
      && (!sim.voicenter || sim.voicenter.clients().some((n) => n > 0));
    for (let t = Date.now(); !connected(); await delay(100)) {
      if (Date.now() - t > 45_000) throw new Error('the demo flows did not connect to the simulator within 45 s');
    }
    if (!sim.voicenter) console.error(`screenshots: no Voicenter node in the pictures (${sim.voicenterSkipped ?? 'unavailable'})`);
    // The event and routing nodes that show a status dot (Voicenter's only when its front-end runs).
    const dots = flows.filter((n) => n.z && (n.type === 'pbxflow-event' || n.type === 'pbxflow-routing')).length;

    const puppeteer = (await import('puppeteer-core')).default;
    browser = await puppeteer.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        '--hide-scrollbars', `--user-data-dir=${join(tmp, 'chromium')}`],
    });
    const phones = await phonesPage(browser, sim.webUrl!, sim);
    await quiet(phones, sim);

    const ed = await editor(browser, red.url, dots);
    // The flow reaches y≈630 (the Errors catch node): header, tab bar and that row with its status.
    await shoot(ed, 'node-red-flow.png', { clip: { x: 0, y: 0, width: 1280, height: 720 } });

    // The debug pane after a missed call: an outside caller rings Bob, nobody answers. A wider, taller debug pane.
    await ed.evaluate(() => {
      const red = (window as unknown as { RED: { menu: { setSelected(id: string, on: boolean): void }; sidebar: { show(id: string): void } } }).RED;
      red.menu.setSelected('menu-item-right-sidebar', true);
      red.sidebar.show('debug');
    });
    await ed.waitForSelector('#red-ui-sidebar-debug-clear', { visible: true, timeout: WAIT_MS });
    const sectionTop = await ed.$$eval('.red-ui-sidebar-section-separator', (els) => Math.max(...els.map((e) => e.getBoundingClientRect().y)));
    await drag(ed, '.red-ui-sidebar-section-separator', 900, 0, 150 - sectionTop);
    await drag(ed, '#red-ui-sidebar-separator', 900, -220, 0);
    await delay(1500); // the endings of the calls above reach the call log first
    await ed.click('#red-ui-sidebar-debug-clear');
    await ed.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // no focus ring on the clear button
    await ed.mouse.move(400, 860); // no tooltip in the picture
    sim.pbx.ringTimeoutMs = 4000;
    await phones.bringToFront();
    await outsideCall(phones, '0611223344', '202');
    await ed.bringToFront();
    await ed.waitForFunction(() => /Missed call from 0611223344/.test(document.querySelector('.red-ui-debug-content')?.textContent ?? ''), { timeout: WAIT_MS });
    await delay(800);
    await shoot(ed, 'node-red-debug.png');

    // The "Missed calls" event node's dialog.
    await ed.evaluate(() => {
      const red = (window as unknown as { RED: { nodes: { node(id: string): unknown }; editor: { edit(n: unknown): void } } }).RED;
      red.editor.edit(red.nodes.node('pbxflow-demo-missed'));
    });
    await ed.waitForSelector('.red-ui-tray #node-dialog-ok', { visible: true, timeout: WAIT_MS });
    await ed.waitForFunction(() => !document.querySelector('#pbxflow-event-types') || document.querySelectorAll('#pbxflow-event-types input').length > 0, { timeout: WAIT_MS });
    await delay(800); // the tray slides in
    await shoot(ed, 'node-red-event-dialog.png');
  } finally {
    await browser?.close();
    await red?.close();
    await sim.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const big = written.filter((w) => w.bytes > MAX_BYTES);
  if (big.length) throw new Error(`over ${MAX_BYTES / 1024} kB: ${big.map((w) => relative(root, w.file)).join(', ')}`);
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(`screenshots: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
