/*
 * Drives the Node-RED editor in chromium for test/browser/node-red-editor.test.ts, in its own Node process
 * (puppeteer-core is ES modules only and Node-RED 5 loads nodes with dynamic import(): neither runs in jest's VM).
 * Starts the simulator and a real Node-RED with the built pack and the demo flows, does what a user does in the
 * editor, and prints one line `RESULT <json>` with what it saw; the test makes the assertions.
 * Usage: node editor-driver.mjs <project root> <user dir> <chromium path>
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [root, userDir, chromium] = process.argv.slice(2);
const require = createRequire(join(root, 'package.json'));
const { startNodeRed } = require(join(root, 'dist/examples/demo/node-red-host.js'));
const { demoFlows } = require(join(root, 'dist/examples/demo/flows.js'));
const { demoFlowOptions, startDemoSimulator } = require(join(root, 'dist/examples/demo/setup.js'));
const puppeteer = (await import('puppeteer-core')).default;

const result = { consoleProblems: [], runtimeWarnings: [] };
// The demo's own simulator and flows (every platform's connection), as `npm start` deploys them.
const sim = await startDemoSimulator();
const { flows, credentials } = demoFlows(demoFlowOptions(sim, {
  ticketsFile: join(userDir, 'tickets.jsonl'), calendarFile: join(userDir, 'calendar.ics'), calendarEverySeconds: 3600,
}));
const host = await startNodeRed({
  root, userDir, flows, credentials, port: 0,
  onLog: (r) => { if (r.level <= 30 && String(r.id ?? '').startsWith('pbxflow-demo')) result.runtimeWarnings.push(`${r.type} ${r.id}: ${r.msg}`); },
});
const url = host.url;
const browser = await puppeteer.launch({
  executablePath: chromium, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    `--user-data-dir=${join(userDir, 'chromium')}`],
});
const adminFlows = async () => (await fetch(`${url}flows`)).json();
try {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'warn' || m.type() === 'error') result.consoleProblems.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => result.consoleProblems.push(`pageerror: ${e.message}`));
  // A desktop window: the edit tray shows its fields whole (the list buttons sit at their right).
  await page.setViewport({ width: 1440, height: 1000 });
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => !!window.RED?.nodes?.node?.('pbxflow-demo-sync') && !!document.querySelector('#red-ui-header-button-deploy'), { timeout: 30000 });

  const openDialog = async (id) => {
    await page.evaluate((nodeId) => {
      const n = RED.nodes.node(nodeId);
      if (n._def.category === 'config') RED.editor.editConfig('', n.type, n.id);
      else RED.editor.edit(n);
    }, id);
    await page.waitForSelector('#node-dialog-ok, #node-config-dialog-ok', { visible: true });
    // The tray has slid in and Node-RED has filled the form (it focuses the first field when done).
    await page.waitForFunction(() => !$('.red-ui-tray').is(':animated') && !!document.activeElement && document.activeElement.closest('.red-ui-tray'));
    await page.waitForFunction(() => !document.querySelector('#node-config-input-platform') || document.querySelector('#node-config-input-platform').getAttribute('data-pbxflow-ready') === 'true');
    // The shared editor script fills lists from the catalogue asynchronously.
    await page.waitForFunction(() => !document.querySelector('#node-input-operation') || document.querySelectorAll('#node-input-operation option').length > 0);
    await page.waitForFunction(() => !document.querySelector('#pbxflow-event-types') || document.querySelectorAll('#pbxflow-event-types input').length > 0);
    await page.waitForFunction(() => !document.querySelector('#pbxflow-params') || !document.querySelector('#node-input-operation') || document.querySelector('#pbxflow-op-description').textContent.length > 0);
  };
  const title = () => page.evaluate(() => { const t = document.querySelectorAll('.red-ui-tray-titlebar'); return t[t.length - 1]?.textContent ?? ''; });
  const pressDone = async () => {
    await page.evaluate(() => { const trays = document.querySelectorAll('.red-ui-tray'); trays[trays.length - 1].querySelector('#node-dialog-ok, #node-config-dialog-ok').click(); });
    await page.waitForFunction(() => document.querySelectorAll('.red-ui-tray').length === 0);
  };
  const type = async (sel, text) => { await page.$eval(sel, (el) => { el.value = ''; }); await page.type(sel, text); };

  // 0. What Import > Examples lists for this package.
  const listing = async (path) => (await fetch(`${url}library/examples/flows/${path}`)).json();
  result.examplesListing = await listing(encodeURIComponent('@pbxflow/n8n-nodes-pbx').replace('%2F', '/'));

  // Where the editor draws the demo's nodes (size known only once rendered).
  result.layout = await page.evaluate(() => {
    const out = [];
    RED.nodes.eachNode((n) => { if (n.z === 'pbxflow-demo-tab') out.push({ id: n.id, type: n.type, name: n.name, x: n.x, y: n.y, w: n.w, h: n.h, wires: n.wires || [] }); });
    return out;
  });

  // 1. The demo flows as the editor saves them.
  const saved = await adminFlows();
  const ours = saved.filter((n) => n.type.startsWith('pbxflow-'));
  result.titles = {};
  for (const n of ours) {
    await openDialog(n.id);
    result.titles[n.type] = await title();
    await pressDone();
  }
  result.dirtyAfterOpening = await page.evaluate(() => RED.nodes.dirty());
  const editorSet = await page.evaluate(() => RED.nodes.createCompleteNodeSet({ credentials: false }));
  result.demo = ours.map((n) => ({ saved: n, editor: editorSet.find((e) => e.id === n.id) }));

  // Pickers: the deployed demo connection lists what the PBX knows while the user types.
  await openDialog('pbxflow-demo-missed');
  await page.focus('#node-input-userFilter');
  await page.keyboard.type('bo');
  await page.waitForSelector('.red-ui-autoComplete-container', { visible: true, timeout: 8000 }).catch(() => undefined);
  result.pickerOffers = await page.$$eval('.red-ui-autoComplete-container li, .red-ui-autoComplete-container a', (els) => els.map((e) => e.textContent.trim()));
  await page.keyboard.press('Escape');
  await page.evaluate(() => { const trays = document.querySelectorAll('.red-ui-tray'); trays[trays.length - 1].querySelector('#node-dialog-cancel').click(); });
  await page.waitForFunction(() => document.querySelectorAll('.red-ui-tray').length === 0);
  result.dirtyAfterPicker = await page.evaluate(() => RED.nodes.dirty());

  // The list beside a users field (issue 22 item 10): open it, pick from it, or type anyway.
  const listOffers = async (button) => {
    await page.click(button);
    await page.waitForSelector('.pbxflow-list-menu', { visible: true, timeout: 8000 });
    return page.$$eval('.pbxflow-list-menu li a', (els) => els.map((e) => e.textContent.trim()));
  };
  const pickFromList = async (text) => {
    await page.evaluate((t) => { [...document.querySelectorAll('.pbxflow-list-menu li a')].find((a) => a.textContent.trim() === t).click(); }, text);
    await page.waitForFunction(() => !document.querySelector('.pbxflow-list-menu'));
  };
  const eventUsers = () => page.evaluate(() => RED.nodes.node('pbxflow-demo-missed').userFilter);
  result.lists = {};
  await openDialog('pbxflow-demo-missed');
  result.lists.eventEmpty = await listOffers('#node-input-userFilter + .pbxflow-list-button');
  await pickFromList('bob');
  result.lists.eventFieldAfterPick = await page.$eval('#node-input-userFilter', (e) => e.value);
  await pressDone();
  result.lists.eventSavedAfterPick = await eventUsers();
  // Several users: the list adds to what is there, filtered by what is typed after the last comma.
  await openDialog('pbxflow-demo-missed');
  await page.type('#node-input-userFilter', ', ca');
  result.lists.eventTyped = await listOffers('#node-input-userFilter + .pbxflow-list-button');
  await pickFromList('carol');
  await pressDone();
  result.lists.eventSavedAfterSecond = await eventUsers();
  // Free text still works: a value no list offers.
  await openDialog('pbxflow-demo-missed');
  await type('#node-input-userFilter', 'zed, 3099');
  await pressDone();
  result.lists.eventSavedFree = await eventUsers();
  await openDialog('pbxflow-demo-missed');
  await page.$eval('#node-input-userFilter', (el) => { el.value = ''; });
  await pressDone();
  // An action node's User (Act for User) and the connection's Users (its hint: the directory, once deployed).
  await openDialog('pbxflow-demo-sync');
  result.lists.actionUser = await listOffers('[data-pbxflow-list="users"]');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('.pbxflow-list-menu'));
  await page.evaluate(() => { const trays = document.querySelectorAll('.red-ui-tray'); trays[trays.length - 1].querySelector('#node-dialog-cancel').click(); });
  await page.waitForFunction(() => document.querySelectorAll('.red-ui-tray').length === 0);
  await openDialog('pbxflow-demo-conn');
  await page.type('#node-config-input-monitoredUsers', ', eri');
  result.lists.connectionUsers = await listOffers('#node-config-input-monitoredUsers + .pbxflow-list-button');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('.pbxflow-list-menu'));
  await page.evaluate(() => { const trays = document.querySelectorAll('.red-ui-tray'); trays[trays.length - 1].querySelector('#node-config-dialog-cancel').click(); });
  await page.waitForFunction(() => document.querySelectorAll('.red-ui-tray').length === 0);

  // 2. Every field of every node through its dialog.
  await page.evaluate(() => {
    RED.view.importNodes([
      { id: 'tab-e2e', type: 'tab', label: 'e2e' },
      { id: 'conn-e2e', type: 'pbxflow-connection', platform: 'opentouch' },
      { id: 'conn-ts-e2e', type: 'pbxflow-connection', platform: 'opentouch' },
      { id: 'conn-vc-e2e', type: 'pbxflow-connection', platform: 'opentouch' },
      { id: 'ev-e2e', type: 'pbxflow-event', z: 'tab-e2e', x: 160, y: 60, wires: [], connection: 'conn-e2e' },
      { id: 'call-e2e', type: 'pbxflow-call', z: 'tab-e2e', x: 160, y: 120, wires: [[]], connection: 'conn-e2e' },
      { id: 'routing-e2e', type: 'pbxflow-routing', z: 'tab-e2e', x: 160, y: 180, wires: [[]], connection: 'conn-e2e' },
      { id: 'msg-e2e', type: 'pbxflow-messaging', z: 'tab-e2e', x: 160, y: 240, wires: [[]], connection: 'conn-e2e' },
      { id: 'dir-e2e', type: 'pbxflow-directory', z: 'tab-e2e', x: 160, y: 300, wires: [[]], connection: 'conn-e2e' },
      { id: 'agent-e2e', type: 'pbxflow-agent', z: 'tab-e2e', x: 160, y: 360, wires: [[]], connection: 'conn-e2e' },
    ], { generateIds: false, addFlow: false });
  });
  await openDialog('conn-e2e');
  result.platformsOffered = await page.$$eval('#node-config-input-platform option', (os) => os.map((o) => o.value));
  result.registered = (await (await fetch(`${url}pbxflow/operations`)).json()).platforms;
  await page.select('#node-config-input-platform', 'o2g');
  await page.select('#node-config-input-sessionKind', 'admin');
  await type('#node-config-input-name', 'E2E PBX');
  await type('#node-config-input-url', 'https://pbx.example.test');
  await type('#node-config-input-secondaryUrl', 'https://standby.example.test');
  await type('#node-config-input-login', 'admin');
  await type('#node-config-input-password', 'E2e-Secret-1');
  await type('#node-config-input-monitoredUsers', 'alice, bob');
  await page.select('#node-config-input-urlKind', 'private');
  await type('#node-config-input-pilots', '5000=Support');
  await page.$eval('#node-config-input-verifyCertificate', (el) => { el.checked = false; });
  await type('#node-config-input-ca', '-----BEGIN CERTIFICATE-----');
  await type('#node-config-input-requestTimeout', '7');
  await type('#node-config-input-extra', '{"x":1}');
  await pressDone();

  // The platforms added later, each with its own fields (only offered when this build registered them).
  if (result.registered.includes('telservices')) {
    await openDialog('conn-ts-e2e');
    await page.select('#node-config-input-platform', 'telservices');
    result.tsHidden = await page.evaluate(() => ['secondaryUrl', 'sessionKind', 'urlKind', 'pilots'].filter((f) => !$('#node-config-input-' + f).is(':visible')));
    await type('#node-config-input-name', 'E2E TS');
    await type('#node-config-input-url', 'tcp://ts.example.test:7300');
    await type('#node-config-input-devices', '3102, 3103');
    await page.select('#node-config-input-eventSource', 'poll');
    await type('#node-config-input-udpPort', '40000');
    await type('#node-config-input-udpHost', '192.0.2.10');
    await pressDone();
  }
  if (result.registered.includes('voicenter')) {
    await openDialog('conn-vc-e2e');
    await page.select('#node-config-input-platform', 'voicenter');
    await type('#node-config-input-name', 'E2E VC');
    await page.select('#node-config-input-loginType', 'account');
    await type('#node-config-input-serverUrl', 'https://rt.example.test');
    await page.select('#node-config-input-socketVersion', '4');
    await pressDone();
  }

  await openDialog('ev-e2e');
  await page.$$eval('#pbxflow-event-types input', (els) => els.forEach((e) => { e.checked = ['call.missed', 'call.ended'].includes(e.value); }));
  await type('#node-input-userFilter', 'alice');
  await page.select('#node-input-direction', 'incoming');
  await page.select('#node-input-callers', 'external');
  await type('#node-input-numberPattern', '+33*');
  await type('#node-input-minRingSeconds', '4');
  await page.$eval('#node-input-includeRaw', (el) => { el.checked = true; });
  await type('#node-input-name', 'E2E events');
  await pressDone();

  result.actions = {
    'call-e2e': { operation: 'blindTransfer', values: { callId: ['msg', 'payload.call.id'], destination: ['str', '2001'], anonymous: ['bool', 'true'] } },
    'routing-e2e': { operation: 'setForward', values: { target: ['option', 'voicemail'], number: ['str', '3000'], condition: ['option', 'busy'] } },
    'msg-e2e': { operation: 'listVoicemails', values: { unreadOnly: ['bool', 'true'], limit: ['num', '5'] } },
    'dir-e2e': { operation: 'searchDirectory', values: { query: ['str', 'Dupont'], limit: ['num', '3'] } },
    'agent-e2e': { operation: 'setAgentState', values: { state: ['option', 'logon'], group: ['str', '42'] } },
  };
  for (const [id, a] of Object.entries(result.actions)) {
    await openDialog(id);
    await page.select('#node-input-operation', a.operation);
    for (const [field, [t, v]] of Object.entries(a.values)) {
      await page.evaluate((f, tt, vv) => { $('#pbxflow-param-' + f).typedInput('type', tt); $('#pbxflow-param-' + f).typedInput('value', vv); }, field, t, v);
    }
    await page.evaluate(() => { $('#node-input-user').typedInput('value', 'bob'); $('#node-input-name').val('E2E action'); });
    await pressDone();
  }
  await page.click('#red-ui-header-button-deploy');
  await page.waitForFunction(() => !RED.nodes.dirty(), { timeout: 15000 });
  const after = await adminFlows();
  result.e2e = after.filter((n) => String(n.id).endsWith('-e2e'));
  result.credentials = await (await fetch(`${url}credentials/pbxflow-connection/conn-e2e`)).json();
  result.flowsText = JSON.stringify(after);
} catch (e) {
  result.error = e.stack ?? String(e);
} finally {
  await browser.close();
  await host.close();
  await sim.close();
}
console.log('RESULT ' + JSON.stringify(result));
process.exit(0);
