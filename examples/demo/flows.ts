/**
 * The flows the demo deploys into its embedded Node-RED: missed call -> ticket, calendar -> forward sync, live call
 * log (calls, and the queue's events from the O2G front-end). Built in code (not a static JSON) because they point at this run's simulator port and file paths. The same
 * node types and settings as the example flows in examples/node-red/.
 */

export interface DemoFlowOptions {
  /** Simulator OpenTouch front-end URL. */
  pbxUrl: string;
  /** Simulator O2G front-end URL: the queue (CCD pilot) events, which OpenTouch does not have. */
  o2gUrl: string;
  /** The CCD pilot to watch, number -> name. */
  pilots: Record<string, string>;
  login: string;
  /** Demo password of the simulator (documented demo credentials; goes to the credentials file only). */
  password: string;
  /** Monitored users (admin session). */
  users: string[];
  ticketsFile: string;
  calendarFile: string;
  /** The user whose line follows the calendar, and where their calls go while "Out of office". */
  calendarUser: string;
  mobile: string;
  /** How often the calendar is checked. */
  calendarEverySeconds: number;
}

export type FlowNode = Record<string, unknown> & { id: string; type: string };

const TAB = 'pbxflow-demo-tab';
const CONN = 'pbxflow-demo-conn';
const CONN_O2G = 'pbxflow-demo-conn-o2g';

/** Function-node bodies: JavaScript run by Node-RED, kept small and readable in the editor. */
const TICKET_JS = `const e = msg.payload;
const c = e.call || {};
const from = c.from || {};
const ticket = {
  ticket: 'T-' + String(e.id).slice(-8),
  createdAt: new Date().toISOString(),
  subject: 'Missed call from ' + (from.name || from.number || 'unknown caller'),
  for: e.user,
  caller: from.number || null,
  reason: c.endReason,
  ringSeconds: c.ringSeconds,
  callId: c.id,
  eventId: e.id
};
msg.ticket = ticket;
msg.payload = JSON.stringify(ticket);
return msg;`;

const CALL_LOG_JS = `const e = msg.payload;
const c = e.call || {};
const who = (p) => p ? (p.name || p.number || '?') : '?';
if (e.queue) {
  const q = e.queue;
  const wait = q.waitSeconds !== undefined ? ' after ' + q.waitSeconds + ' s' : '';
  msg.payload = e.user + ': ' + e.type + ' ' + who(q.caller) + ' -> ' + (q.name || q.id) + (q.agent ? ' -> agent ' + who(q.agent) : '') + wait;
  return msg;
}
const extra = c.endReason ? ' (' + c.endReason + (c.talkSeconds !== undefined ? ', talked ' + c.talkSeconds + ' s' : '') + ')' : '';
msg.payload = e.user + ': ' + e.type + ' ' + who(c.from) + ' -> ' + who(c.to) + extra;
return msg;`;

const PLAN_JS = `const p = msg.payload || {};
if (!p.changes || p.changes.length === 0) return null; // only show runs that changed something
msg.payload = 'calendar: ' + p.reason + ' [' + p.changes.map((c) => c.operation).join(', ') + ']';
return msg;`;

export function demoFlows(o: DemoFlowOptions): { flows: FlowNode[]; credentials: Record<string, Record<string, string>> } {
  const at = (x: number, y: number) => ({ z: TAB, x, y });
  const debug = (id: string, name: string, y: number): FlowNode => ({
    id, type: 'debug', name, ...at(720, y), active: true, tosidebar: true, console: true, tostatus: false,
    complete: 'payload', targetType: 'msg', statusVal: '', statusType: 'auto', wires: [],
  });
  const flows: FlowNode[] = [
    { id: TAB, type: 'tab', label: 'pbxflow demo', disabled: false, info: 'Started by `npm start`: see docs/demo.md.' },
    {
      id: CONN, type: 'pbxflow-connection', name: 'Simulator (OpenTouch)', platform: 'opentouch', url: o.pbxUrl,
      secondaryUrl: '', sessionKind: 'admin', users: o.users.join(','), urlKind: 'public', verifyCertificate: true,
      ca: '', requestTimeout: 10, extra: '',
    },
    {
      // Queues exist on O2G only: a second connection, to the simulator's O2G front-end, watching the pilot.
      id: CONN_O2G, type: 'pbxflow-connection', name: 'Simulator (O2G)', platform: 'o2g', url: o.o2gUrl,
      secondaryUrl: '', sessionKind: 'admin', users: o.users.join(','), urlKind: 'public', verifyCertificate: true,
      ca: '', requestTimeout: 10, extra: JSON.stringify({ pilots: o.pilots }),
    },
    { id: 'pbxflow-demo-c1', type: 'comment', name: 'Missed call -> ticket (appended to the tickets file)', ...at(220, 40), info: '', wires: [] },
    {
      id: 'pbxflow-demo-missed', type: 'pbxflow-event', name: 'Missed calls', connection: CONN, eventTypes: ['call.missed'],
      users: '', direction: 'incoming', callers: 'any', numberPattern: '', minRingSeconds: 0, includeRaw: false,
      ...at(150, 80), wires: [['pbxflow-demo-ticket']],
    },
    { id: 'pbxflow-demo-ticket', type: 'function', name: 'Make ticket', func: TICKET_JS, outputs: 1, noerr: 0, ...at(350, 80), wires: [['pbxflow-demo-file', 'pbxflow-demo-dbg-ticket']] },
    {
      id: 'pbxflow-demo-file', type: 'file', name: 'Append to tickets file', filename: o.ticketsFile, filenameType: 'str',
      appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'none', ...at(590, 60), wires: [[]],
    },
    debug('pbxflow-demo-dbg-ticket', 'ticket', 100),
    { id: 'pbxflow-demo-c2', type: 'comment', name: `Calendar -> forward sync (${o.calendarUser}: "Out of office" -> ${o.mobile})`, ...at(260, 160), info: '', wires: [] },
    {
      id: 'pbxflow-demo-tick', type: 'inject', name: `every ${o.calendarEverySeconds} s`, props: [{ p: 'payload' }], repeat: String(o.calendarEverySeconds),
      crontab: '', once: true, onceDelay: 0.5, topic: '', payload: '', payloadType: 'date', ...at(140, 200), wires: [['pbxflow-demo-ics']],
    },
    {
      id: 'pbxflow-demo-ics', type: 'file in', name: 'Read calendar (ICS)', filename: o.calendarFile, filenameType: 'str', format: 'utf8',
      chunk: false, sendError: false, encoding: 'none', allProps: false, ...at(330, 200), wires: [['pbxflow-demo-sync']],
    },
    {
      id: 'pbxflow-demo-sync', type: 'pbxflow-routing', name: 'Sync forward with calendar', connection: CONN, operation: 'syncCalendar',
      user: o.calendarUser, userType: 'str',
      params: {
        titlePattern: { v: 'out of office*', t: 'str' },
        action: { v: 'forward', t: 'str' },
        number: { v: o.mobile, t: 'str' },
        condition: { v: 'immediate', t: 'str' },
      },
      ...at(540, 200), wires: [['pbxflow-demo-plan']],
    },
    { id: 'pbxflow-demo-plan', type: 'function', name: 'Describe change', func: PLAN_JS, outputs: 1, noerr: 0, ...at(540, 250), wires: [['pbxflow-demo-dbg-cal']] },
    debug('pbxflow-demo-dbg-cal', 'calendar', 250),
    { id: 'pbxflow-demo-c3', type: 'comment', name: 'Live call log', ...at(130, 320), info: '', wires: [] },
    {
      id: 'pbxflow-demo-calls', type: 'pbxflow-event', name: 'Call events', connection: CONN,
      eventTypes: ['call.incoming', 'call.answered', 'call.transferred', 'call.redirected', 'call.ended', 'call.missed'],
      users: '', direction: 'any', callers: 'any', numberPattern: '', minRingSeconds: 0, includeRaw: false,
      ...at(150, 360), wires: [['pbxflow-demo-log']],
    },
    {
      id: 'pbxflow-demo-queues', type: 'pbxflow-event', name: 'Queue events', connection: CONN_O2G,
      eventTypes: ['queue.joined', 'queue.answered', 'queue.abandoned'],
      users: '', direction: 'any', callers: 'any', numberPattern: '', minRingSeconds: 0, includeRaw: false,
      ...at(150, 390), wires: [['pbxflow-demo-log']],
    },
    { id: 'pbxflow-demo-log', type: 'function', name: 'One line per event', func: CALL_LOG_JS, outputs: 1, noerr: 0, ...at(370, 360), wires: [['pbxflow-demo-dbg-log']] },
    debug('pbxflow-demo-dbg-log', 'call log', 360),
    { id: 'pbxflow-demo-catch', type: 'catch', name: 'Errors', scope: null, uncaught: false, ...at(130, 460), wires: [['pbxflow-demo-dbg-err']] },
    { ...debug('pbxflow-demo-dbg-err', 'error', 460), complete: 'error' },
  ];
  return { flows, credentials: { [CONN]: { login: o.login, password: o.password }, [CONN_O2G]: { login: o.login, password: o.password } } };
}
