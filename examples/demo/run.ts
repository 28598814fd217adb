/**
 * The demo: simulator (OpenTouch, O2G, TelServices, Voicenter front-ends on one virtual PBX) + embedded Node-RED
 * with the example flows + traffic generator, all on 127.0.0.1. `runDemo({ once: true })` runs a short fixed script
 * and reports whether the product did its job (one ticket per call nobody answered, over OpenTouch, TelServices and
 * Asterisk AMI, a ring-group call included, closed when someone calls back; a ticket for a call abandoned in the
 * Voicenter account's queue; forwards set and restored by the calendar on OpenTouch and on TelServices); without
 * `once` it runs until the signal aborts.
 */
import { mkdirSync } from 'node:fs';
import type { Simulator } from '../../simulator';
import { writeDemoCalendar, type TimeWindow } from './calendar';
import { demoFlows } from './flows';
import { RED_LEVEL, startNodeRed, type NodeRedHost, type RedLogRecord } from './node-red-host';
import { demoPaths, type DemoPaths } from './paths';
import { CALENDAR_USER, demoFlowOptions, MOBILE, startDemoSimulator, TS_CALENDAR_USER, TS_MOBILE } from './setup';
import {
  abandonedCall, ALE_CUSTOMER, answeredCall, attempt, bobCallsBack, callToAlice, FREEPBX_COMPANY, FREEPBX_CUSTOMER, FREEPBX_SALES, freepbxGroupMissedCall, FRONT_DESK,
  frontDeskUnansweredCall, ginaCallsBack, queuedCallAbandoned, queuedCallAnswered, startSupportAgent, SUPPORT_PILOT, TELSERVER_COMPANY, telServerAnsweredCall, telServerMissedCall,
  trafficLoop, transferredCall, type TrafficContext,
} from './traffic';
import { ForwardWatch, PrintedLines, TicketFile, waitFor, type Ticket } from './watch';

export interface DemoOptions {
  once?: boolean;
  /** Scratch directory (default <project>/.tmp; a relative one is taken from the current directory); tests use their own. */
  tmpDir?: string;
  /** Editor port (default 1880, any free port if taken; --once: any free port). */
  port?: number;
  /** Where the demo's lines go (default stdout). */
  print?(line: string): void;
  /** Ends the interactive demo (Ctrl-C). */
  signal?: AbortSignal;
  /** The interactive demo starts with its generated calls paused (the phones page's switch resumes them). */
  paused?: boolean;
}

export interface DemoResult {
  ok: boolean;
  /** What went wrong, in words (empty when ok). */
  problems: string[];
  tickets: Ticket[];
  forwardSet: boolean;
  forwardRestored: boolean;
  /** The same for the TelServer company's calendar user (Erin, device 301). */
  tsForwardSet: boolean;
  tsForwardRestored: boolean;
  /** Why Voicenter is not in this run (the socket.io server it needs is a dev dependency), if it is not. */
  voicenterSkipped?: string;
  editorUrl?: string;
  ticketsFile: string;
}

export { CALENDAR_USER, MOBILE } from './setup';
const CALENDAR_EVERY_SECONDS = 2;

/** Warnings the demo's own settings cause on purpose (see node-red-host.ts). */
const EXPECTED_WARNINGS = [/^-+$/, /Projects disabled/, /unencrypted credentials/i, /credentialSecret/, /will be encrypted/, /settings file/i, /system-generated key/i];

/** What the debug nodes log to the console (the ticket and calendar ones are in the debug pane too; the call log only here) and Node-RED's warnings; the rest is noise here. */
function redLogPrinter(print: (line: string) => void): (r: RedLogRecord) => void {
  return (r) => {
    // Debug nodes log objects as util.inspect text over several lines: one line per message here.
    const text = typeof r.msg === 'string' ? (r.type === 'debug' ? r.msg.replace(/\n\s*/g, ' ').trim() : r.msg) : JSON.stringify(r.msg);
    if (EXPECTED_WARNINGS.some((w) => w.test(text))) return;
    if (r.type === 'debug') print(`  [${r.name ?? 'debug'}] ${text}`);
    else if (r.level <= RED_LEVEL.warn) print(`  node-red ${r.level <= RED_LEVEL.error ? 'error' : 'warning'}${r.type ? ` (${r.type})` : ''}: ${text}`);
  };
}

/** The interactive demo's out-of-office windows: one every 90 s, 40 s long, for the next two hours. */
function interactiveWindows(from = Date.now()): TimeWindow[] {
  const w = (startS: number, lengthS: number) => ({ start: new Date(from + startS * 1000), end: new Date(from + (startS + lengthS) * 1000) });
  return Array.from({ length: 80 }, (_v, i) => w(20 + i * 90, 40));
}

/** What the flows' debug nodes print when they did their job (see flows.ts: PLAN_JS, the ticket debug node). */
const SHOWN = {
  forwardSet: /\[calendar\] calendar: alice: .*\[setForward\]/,
  forwardRestored: /\[calendar\] calendar: alice: .*\[cancelForward\]/,
  tsForwardSet: /\[calendar\] calendar: TelServer 301: .*\[setForward\]/,
  tsForwardRestored: /\[calendar\] calendar: TelServer 301: .*\[cancelForward\]/,
  ticket: /\[ticket\] \{.*platform: 'opentouch'.*reason: 'abandoned'/,
  tsTicket: /\[ticket\] \{.*platform: 'telservices'.*caller: '301'/,
  vcTicket: /\[ticket\] \{.*platform: 'voicenter'.*reason: 'abandoned'/,
  deskTicket: /\[ticket\] \{.*status: 'open'.*for: 'Front desk'.*platform: 'opentouch'/,
  astTicket: /\[ticket\] \{.*status: 'open'.*for: 'Sales'.*platform: 'asterisk'/,
  deskClosed: /\[ticket\] \{.*status: 'closed'.*platform: 'opentouch'.*caller: '0655500001'/,
  astClosed: /\[ticket\] \{.*status: 'closed'.*platform: 'asterisk'.*caller: '0655512345'/,
  queueAnswered: /\[call log\] 5000: queue\.answered .*-> agent 204/,
  queueAbandoned: /\[call log\] 5000: queue\.abandoned /,
};

/** How long the --once script waits for one thing the flows do (generous: CI machines can be very busy). */
const ONCE_WAIT_MS = 30_000;

interface OnceWatch {
  forward: ForwardWatch;
  /** The TelServer company's calendar user. */
  tsForward: ForwardWatch;
  tickets: TicketFile;
  /** The FreePBX company (Asterisk AMI) is in this run. */
  freepbx: boolean;
  printed: PrintedLines;
  /** Voicenter is in this run. */
  voicenter: boolean;
  /** Rewrites the calendar file with this "Out of office" window. */
  setWindow(w: TimeWindow): void;
}

const isTicket = (platform: string, more: (t: Ticket) => boolean) => (t: Ticket) => t.platform === platform && t.status === 'open' && more(t);

/**
 * The --once script. Event-driven, no fixed schedule: the "Out of office" window opens when the script gets there
 * and ends only after the forwarded call, so a slow machine cannot make the call miss the window; each step waits
 * until the PBX shows the change *and* the flow has reported it, so the output tells the story in order.
 */
async function onceScript(ctx: TrafficContext, w: OnceWatch, problems: string[]): Promise<void> {
  const { forward, tsForward, tickets, printed } = w;
  const wait = (check: () => boolean) => waitFor(check, ONCE_WAIT_MS, ctx.signal);
  await attempt(ctx, 'answered call', () => answeredCall(ctx));
  await attempt(ctx, 'abandoned call', () => abandonedCall(ctx));
  await attempt(ctx, 'transfer', () => transferredCall(ctx));
  await attempt(ctx, 'queued call', () => queuedCallAnswered(ctx));
  await attempt(ctx, 'abandoned queued call', () => queuedCallAbandoned(ctx));
  await attempt(ctx, 'TelServer missed call', () => telServerMissedCall(ctx));
  // The two group calls ring at once (different companies), so the script is no longer for them.
  await Promise.all([
    attempt(ctx, 'front desk call nobody answered', () => frontDeskUnansweredCall(ctx)),
    ...(w.freepbx ? [attempt(ctx, 'FreePBX ring-group call', () => freepbxGroupMissedCall(ctx))] : []),
  ]);
  const start = new Date();
  w.setWindow({ start, end: new Date(start.getTime() + 3_600_000) });
  ctx.say(`the calendar now says "Out of office" for ${CALENDAR_USER} and Erin; waiting for the calendar sync to forward their lines...`);
  if (!(await wait(() => forward.set && printed.has(SHOWN.forwardSet)))) {
    problems.push(forward.set
      ? `the forward was set but the calendar flow never reported it ([setForward] in its debug output)`
      : `the calendar sync never forwarded ${CALENDAR_USER}'s line to ${MOBILE}`);
  } else {
    await attempt(ctx, 'forwarded call', () => callToAlice(ctx, MOBILE));
  }
  if (!(await wait(() => tsForward.set && printed.has(SHOWN.tsForwardSet)))) {
    problems.push(tsForward.set
      ? `the TelServices forward was set but the calendar flow never reported it ([setForward] for TelServer ${TS_CALENDAR_USER.device})`
      : `the calendar sync never forwarded TelServer device ${TS_CALENDAR_USER.device} to ${TS_MOBILE}`);
  } else {
    await attempt(ctx, 'TelServer forwarded call', () => telServerAnsweredCall(ctx));
  }
  // The event ends now (ICS has whole seconds: at least one second after it began).
  w.setWindow({ start, end: new Date(Math.max(Date.now(), start.getTime() + 1000)) });
  ctx.say('the "Out of office" event is over; waiting for the calendar sync to restore the lines...');
  if (forward.set && !(await wait(() => forward.restored && printed.has(SHOWN.forwardRestored)))) {
    problems.push(forward.restored
      ? `the forward was restored but the calendar flow never reported it ([cancelForward] in its debug output)`
      : `${CALENDAR_USER}'s forward was set but never restored`);
  }
  if (tsForward.set && !(await wait(() => tsForward.restored && printed.has(SHOWN.tsForwardRestored)))) {
    problems.push(tsForward.restored
      ? `the TelServices forward was restored but the calendar flow never reported it ([cancelForward] for TelServer ${TS_CALENDAR_USER.device})`
      : `TelServer device ${TS_CALENDAR_USER.device}'s forward was set but never restored`);
  }
  // The queue's events come over the O2G connection: by now they have had the whole calendar step to arrive.
  if (!(await wait(() => printed.has(SHOWN.queueAnswered) && printed.has(SHOWN.queueAbandoned)))) {
    problems.push('the live call log never showed the Support queue\'s answered and abandoned calls (queue.answered / queue.abandoned)');
  }
  // The calls back, once their tickets are open (the follow-up waits 3 s after a call ends before calling it
  // unanswered; the calendar steps above have given it that time).
  const groupTickets: Array<[string, string, string, RegExp, RegExp, () => Promise<unknown>]> = [
    [`the ${FRONT_DESK.name} ring-group call nobody answered`, 'opentouch', ALE_CUSTOMER, SHOWN.deskTicket, SHOWN.deskClosed, () => attempt(ctx, 'call back', () => bobCallsBack(ctx))],
    ...(w.freepbx ? [[`the FreePBX ${FREEPBX_SALES.name} ring-group call nobody answered`, 'asterisk', FREEPBX_CUSTOMER, SHOWN.astTicket, SHOWN.astClosed, () => attempt(ctx, 'FreePBX call back', () => ginaCallsBack(ctx))] as [string, string, string, RegExp, RegExp, () => Promise<unknown>]] : []),
  ];
  const opened = (platform: string, caller: string) => tickets.tickets().filter((t) => t.status === 'open' && t.platform === platform && t.caller === caller);
  const closed = (ids: string[]) => tickets.tickets().filter((t) => t.status === 'closed' && ids.includes(t.ticket));
  const toClose: Array<[string, string[], RegExp]> = [];
  for (const [what, platform, caller, shownOpen, shownClosed, callBack] of groupTickets) {
    if (!(await wait(() => opened(platform, caller).length > 0 && printed.has(shownOpen)))) {
      problems.push(opened(platform, caller).length ? `the ticket flow never showed the ticket for ${what} ([ticket] in its debug output)` : `no ticket for ${what} was written to ${tickets.path}`);
      continue;
    }
    // One ticket for the call, though every member of the group missed it.
    if (opened(platform, caller).length !== 1) problems.push(`${what} made ${opened(platform, caller).length} tickets, not one`);
    await callBack();
    toClose.push([what, opened(platform, caller).map((t) => t.ticket), shownClosed]);
  }
  for (const [what, ids, shownClosed] of toClose) {
    if (!(await wait(() => closed(ids).length === ids.length && printed.has(shownClosed)))) {
      problems.push(closed(ids).length ? `the ticket flow never showed the ticket for ${what} closed ([ticket] ... status: 'closed')` : `the ticket for ${what} was not closed when it was called back (no "closed" line in ${tickets.path})`);
    }
  }
  const ticketChecks: Array<[string, (t: Ticket) => boolean, RegExp]> = [
    ['the missed OpenTouch call', isTicket('opentouch', (t) => t.for === 'bob' && t.reason === 'abandoned'), SHOWN.ticket],
    ['the missed TelServices call', isTicket('telservices', (t) => t.for === '302' && t.caller === '301'), SHOWN.tsTicket],
    ...(w.voicenter ? [['the call abandoned in the Voicenter queue', isTicket('voicenter', (t) => t.reason === 'abandoned'), SHOWN.vcTicket] as [string, (t: Ticket) => boolean, RegExp]] : []),
  ];
  for (const [what, match, shown] of ticketChecks) {
    if (!(await wait(() => tickets.tickets().some(match) && printed.has(shown)))) {
      problems.push(tickets.tickets().some(match) ? `the ticket flow never showed the ticket for ${what} ([ticket] in its debug output)` : `no ticket for ${what} was written to ${tickets.path}`);
    }
  }
}

export async function runDemo(o: DemoOptions = {}): Promise<DemoResult> {
  const once = o.once === true;
  const printed = new PrintedLines(once);
  const out = o.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const print = (line: string) => {
    printed.add(line);
    out(line);
  };
  const paths: DemoPaths = demoPaths(undefined, o.tmpDir);
  mkdirSync(paths.tmp, { recursive: true });
  const ticketFile = new TicketFile(paths.tickets);
  // No out-of-office window yet: it is placed once everything is up, so it starts and ends while we watch.
  writeDemoCalendar(paths.calendarTemplate, paths.calendar, []);
  const problems: string[] = [];
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });

  let sim: Simulator | undefined;
  let red: NodeRedHost | undefined;
  let forward: ForwardWatch | undefined;
  let tsForward: ForwardWatch | undefined;
  try {
    sim = await startDemoSimulator({ web: true });
    const s = sim;
    const { flows, credentials } = demoFlows(demoFlowOptions(sim, {
      ticketsFile: paths.tickets, calendarFile: paths.calendar, calendarEverySeconds: CALENDAR_EVERY_SECONDS,
    }));
    forward = new ForwardWatch(sim.pbx, CALENDAR_USER, MOBILE);
    tsForward = new ForwardWatch(sim.pbx, TS_CALENDAR_USER.login, TS_MOBILE);
    red = await startNodeRed({
      root: paths.root, userDir: paths.userDir, flows, credentials, port: o.port ?? (once ? 0 : 1880), onLog: redLogPrinter(print),
    });
    startSupportAgent(sim.pbx);
    const { opentouch, o2g } = sim.frontEnds;
    const tsDevices = TELSERVER_COMPANY.map((u) => u.number);
    const connected = () => opentouch.openChannels > 0 && o2g.openChannels > 0
      && tsDevices.every((d) => (s.telservices.sessions.get(d)?.clients.size ?? 0) > 0)
      && (!s.voicenter || s.voicenter.clients().some((n) => n > 0))
      && (!s.asterisk || s.asterisk.sessions > 0);
    if (!(await waitFor(connected, 45_000, abort.signal))) {
      throw new Error('the Node-RED flows did not connect to the simulator within 45 s (is the pack built? see the Node-RED warnings above)');
    }
    const ts = sim.telservices;
    const vc = sim.voicenter;
    print('');
    print(`pbxflow demo: one virtual PBX, five ways in (all on 127.0.0.1):`);
    print(`  OpenTouch:        ${sim.url('opentouch')}   (alice, bob, carol, dave; ring group ${FRONT_DESK.number} ${FRONT_DESK.name}: bob, carol)`);
    print(`  O2G:              ${sim.url('o2g')}   (the same people, and the ${SUPPORT_PILOT.name} queue ${SUPPORT_PILOT.number})`);
    print(`  TelServer:        ${ts.url} (TelServices; HTTP ${ts.httpUrl})   (devices ${TELSERVER_COMPANY.map((u) => `${u.number} ${u.login}`).join(', ')})`);
    print(vc
      ? `  Voicenter:        ${vc.loginUrl} (login API; events ${vc.socketUrls[0]})   (account ${vc.credentials.account.username}: the ${SUPPORT_PILOT.name} queue)`
      : `  Voicenter:        not started (${sim.voicenterSkipped ?? 'unavailable'})`);
    const ast = sim.asterisk;
    print(ast
      ? `  FreePBX (AMI):    ${ast.url}   (extensions ${FREEPBX_COMPANY.map((u) => `${u.number} ${u.login}`).join(', ')}; ring group ${FREEPBX_SALES.number} ${FREEPBX_SALES.name})`
      : '  FreePBX (AMI):    not started');
    print(`  Node-RED editor:  ${red.url}   (flows "pbxflow demo"; open the debug pane)`);
    print(`  phones page:      ${sim.webUrl}   (the virtual company: place calls, answer, forward, by hand)`);
    if (!once) print(`  generated calls:  ${o.paused ? 'paused (npm start -- --paused)' : 'a call every few seconds'}; the switch on the phones page pauses and resumes them`);
    print(`  tickets land in:  ${paths.tickets}   (one per call nobody answered, every company; a "closed" line when someone calls back)`);
    print(`  calendar (ICS):   ${paths.calendar}   ("Out of office" -> ${CALENDAR_USER} to ${MOBILE}, TelServer ${TS_CALENDAR_USER.device} to ${TS_MOBILE})`);
    print(`  demo logins:      ${sim.credentials.map((c) => `${c.login}/${c.password}`).join(', ')}`);
    print(once ? '  running the short script (--once)...' : '  Ctrl-C stops everything.');
    print('');
    const ctx: TrafficContext = { pbx: sim.pbx, say: (l) => print(`traffic: ${l}`), signal: abort.signal, paused: o.paused === true };
    const setWindows = (w: TimeWindow[]) => writeDemoCalendar(paths.calendarTemplate, paths.calendar, w);
    if (once) {
      await onceScript(ctx, { forward, tsForward, tickets: ticketFile, freepbx: !!sim.asterisk, printed, voicenter: !!vc, setWindow: (w) => setWindows([w]) }, problems);
    } else {
      setWindows(interactiveWindows());
      await trafficLoop(ctx, MOBILE);
    }
  } catch (err) {
    if (!abort.signal.aborted) problems.push((err as Error).message);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    abort.abort();
    forward?.close();
    tsForward?.close();
    // Node-RED first: its connection says goodbye to the simulator while the simulator still listens.
    await red?.close().catch((err: Error) => problems.push(`closing Node-RED: ${err.message}`));
    await sim?.close().catch((err: Error) => problems.push(`closing the simulator: ${err.message}`));
  }
  const tickets = ticketFile.tickets();
  return {
    ok: problems.length === 0,
    problems,
    tickets,
    forwardSet: forward?.set ?? false,
    forwardRestored: forward?.restored ?? false,
    tsForwardSet: tsForward?.set ?? false,
    tsForwardRestored: tsForward?.restored ?? false,
    voicenterSkipped: sim?.voicenterSkipped,
    editorUrl: red?.url,
    ticketsFile: paths.tickets,
  };
}
