/**
 * The demo: simulator + embedded Node-RED with the example flows + traffic generator, all on 127.0.0.1.
 * `runDemo({ once: true })` runs a short fixed script and reports whether the product did its job (a ticket for a
 * missed call; a forward set and restored by the calendar); without `once` it runs until the signal aborts.
 */
import { mkdirSync } from 'node:fs';
import { DEFAULT_USERS, startSimulator, type Simulator } from '../../simulator';
import { writeDemoCalendar, type TimeWindow } from './calendar';
import { demoFlows } from './flows';
import { RED_LEVEL, startNodeRed, type NodeRedHost, type RedLogRecord } from './node-red-host';
import { demoPaths, type DemoPaths } from './paths';
import {
  abandonedCall, answeredCall, attempt, callToAlice, DEMO_EXTRA_USERS, queuedCallAbandoned, queuedCallAnswered, startSupportAgent, SUPPORT_PILOT,
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
}

export interface DemoResult {
  ok: boolean;
  /** What went wrong, in words (empty when ok). */
  problems: string[];
  tickets: Ticket[];
  forwardSet: boolean;
  forwardRestored: boolean;
  editorUrl?: string;
  ticketsFile: string;
}

export const CALENDAR_USER = 'alice';
/** Alice's mobile: an outside number, so the forwarded call leaves the PBX. */
export const MOBILE = '0612345678';
const CALENDAR_EVERY_SECONDS = 2;

/** Warnings the demo's own settings cause on purpose (see node-red-host.ts). */
const EXPECTED_WARNINGS = [/^-+$/, /Projects disabled/, /unencrypted credentials/i, /credentialSecret/, /will be encrypted/, /settings file/i, /system-generated key/i];

/** Node-RED's debug pane lines (debug nodes log to the console too) and its warnings; the rest is noise here. */
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
  forwardSet: /\[calendar\] calendar: .*\[setForward\]/,
  forwardRestored: /\[calendar\] calendar: .*\[cancelForward\]/,
  ticket: /\[ticket\] \{.*reason: 'abandoned'/,
  queueAnswered: /\[call log\] 5000: queue\.answered .*-> agent 204/,
  queueAbandoned: /\[call log\] 5000: queue\.abandoned /,
};

/** How long the --once script waits for one thing the flows do (generous: CI machines can be very busy). */
const ONCE_WAIT_MS = 30_000;

interface OnceWatch {
  forward: ForwardWatch;
  tickets: TicketFile;
  printed: PrintedLines;
  /** Rewrites the calendar file with this "Out of office" window. */
  setWindow(w: TimeWindow): void;
}

/**
 * The --once script. Event-driven, no fixed schedule: the "Out of office" window opens when the script gets there
 * and ends only after the forwarded call, so a slow machine cannot make the call miss the window; each step waits
 * until the PBX shows the change *and* the flow has reported it, so the output tells the story in order.
 */
async function onceScript(ctx: TrafficContext, w: OnceWatch, problems: string[]): Promise<void> {
  const { forward, tickets, printed } = w;
  await attempt(ctx, 'answered call', () => answeredCall(ctx));
  await attempt(ctx, 'abandoned call', () => abandonedCall(ctx));
  await attempt(ctx, 'transfer', () => transferredCall(ctx));
  await attempt(ctx, 'queued call', () => queuedCallAnswered(ctx));
  await attempt(ctx, 'abandoned queued call', () => queuedCallAbandoned(ctx));
  const start = new Date();
  w.setWindow({ start, end: new Date(start.getTime() + 3_600_000) });
  ctx.say(`${CALENDAR_USER}'s calendar now says "Out of office"; waiting for the calendar sync to forward her line...`);
  if (!(await waitFor(() => forward.set && printed.has(SHOWN.forwardSet), ONCE_WAIT_MS, ctx.signal))) {
    problems.push(forward.set
      ? `the forward was set but the calendar flow never reported it ([setForward] in its debug output)`
      : `the calendar sync never forwarded ${CALENDAR_USER}'s line to ${MOBILE}`);
  } else {
    await attempt(ctx, 'forwarded call', () => callToAlice(ctx, MOBILE));
  }
  // The event ends now (ICS has whole seconds: at least one second after it began).
  w.setWindow({ start, end: new Date(Math.max(Date.now(), start.getTime() + 1000)) });
  ctx.say('the "Out of office" event is over; waiting for the calendar sync to restore the line...');
  if (forward.set && !(await waitFor(() => forward.restored && printed.has(SHOWN.forwardRestored), ONCE_WAIT_MS, ctx.signal))) {
    problems.push(forward.restored
      ? `the forward was restored but the calendar flow never reported it ([cancelForward] in its debug output)`
      : `${CALENDAR_USER}'s forward was set but never restored`);
  }
  // The queue's events come over the O2G connection: by now they have had the whole calendar step to arrive.
  if (!(await waitFor(() => printed.has(SHOWN.queueAnswered) && printed.has(SHOWN.queueAbandoned), ONCE_WAIT_MS, ctx.signal))) {
    problems.push('the live call log never showed the Support queue\'s answered and abandoned calls (queue.answered / queue.abandoned)');
  }
  if (!(await waitFor(() => tickets.tickets().length > 0 && printed.has(SHOWN.ticket), ONCE_WAIT_MS, ctx.signal))) {
    problems.push(tickets.tickets().length > 0 ? 'the ticket flow never showed its ticket ([ticket] in its debug output)' : `no ticket was written to ${tickets.path}`);
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
  try {
    sim = await startSimulator({ users: [...DEFAULT_USERS, ...DEMO_EXTRA_USERS], ringTimeoutMs: 8000, web: true });
    const admin = sim.credentials.find((c) => c.admin);
    if (!admin) throw new Error('the simulator has no administrator login');
    const monitored = sim.users.filter((u) => !u.admin).map((u) => u.login);
    const { flows, credentials } = demoFlows({
      pbxUrl: sim.url('opentouch'), o2gUrl: sim.url('o2g'), pilots: { [SUPPORT_PILOT.number]: SUPPORT_PILOT.name }, login: admin.login, password: admin.password, users: monitored,
      ticketsFile: paths.tickets, calendarFile: paths.calendar, calendarUser: CALENDAR_USER, mobile: MOBILE,
      calendarEverySeconds: CALENDAR_EVERY_SECONDS,
    });
    forward = new ForwardWatch(sim.pbx, CALENDAR_USER, MOBILE);
    red = await startNodeRed({
      root: paths.root, userDir: paths.userDir, flows, credentials, port: o.port ?? (once ? 0 : 1880), onLog: redLogPrinter(print),
    });
    startSupportAgent(sim.pbx);
    const { opentouch, o2g } = sim.frontEnds;
    if (!(await waitFor(() => opentouch.openChannels > 0 && o2g.openChannels > 0, 45_000, abort.signal))) {
      throw new Error('the Node-RED flows did not connect to the simulator within 45 s (is the pack built? see the Node-RED warnings above)');
    }
    print('');
    print(`pbxflow demo: simulator on ${sim.url('opentouch')} (OpenTouch) and ${sim.url('o2g')} (O2G)`);
    print(`  Node-RED editor:  ${red.url}   (flows "pbxflow demo"; open the debug pane)`);
    print(`  phones page:      ${sim.webUrl}   (the virtual company: place calls, answer, forward, by hand)`);
    print(`  tickets land in:  ${paths.tickets}`);
    print(`  calendar (ICS):   ${paths.calendar}   (${CALENDAR_USER} is "Out of office" -> forward to ${MOBILE})`);
    print(`  demo logins:      ${sim.credentials.map((c) => `${c.login}/${c.password}`).join(', ')}`);
    print(once ? '  running the short script (--once)...' : '  Ctrl-C stops everything.');
    print('');
    const ctx: TrafficContext = { pbx: sim.pbx, say: (l) => print(`traffic: ${l}`), signal: abort.signal };
    const setWindows = (w: TimeWindow[]) => writeDemoCalendar(paths.calendarTemplate, paths.calendar, w);
    if (once) {
      await onceScript(ctx, { forward, tickets: ticketFile, printed, setWindow: (w) => setWindows([w]) }, problems);
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
    editorUrl: red?.url,
    ticketsFile: paths.tickets,
  };
}
