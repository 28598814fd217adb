/**
 * The flows the demo deploys into its embedded Node-RED: missed call -> ticket, calendar -> forward sync, live call
 * log (calls, and the queue's events from the O2G front-end). Built in code (not a static JSON) because they point at this run's simulator port and file paths. The same
 * node types and settings as the example flows in examples/*.json.
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
/** Every setting of a pbxflow-connection, as the editor saves it (its `defaults`). */
const CONN_DEFAULTS = {
  secondaryUrl: '', sessionKind: 'user', monitoredUsers: '', urlKind: 'public', verifyCertificate: true, ca: '', requestTimeout: 10,
  extra: '', pilots: '', devices: '', udpPort: '', udpHost: '', eventSource: 'udp', loginType: 'user', serverUrl: '', socketVersion: 'auto',
};
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
msg.payload = ticket; // the file node writes it as one JSON line
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
  // Laid out left to right, one row per flow, rows far enough apart that no status text hides under a node or a wire.
  const debug = (id: string, name: string, y: number, x = 760): FlowNode => ({
    id, type: 'debug', name, ...at(x, y), active: true, tosidebar: true, console: true, tostatus: false,
    complete: 'payload', targetType: 'msg', statusVal: '', statusType: 'auto', wires: [],
  });
  const flows: FlowNode[] = [
    { id: TAB, type: 'tab', label: 'pbxflow demo', disabled: false, info: 'Started by `npm start`: see docs/demo.md.' },
    {
      id: CONN, type: 'pbxflow-connection', name: 'Simulator (OpenTouch)', platform: 'opentouch', url: o.pbxUrl,
      ...CONN_DEFAULTS, sessionKind: 'admin', monitoredUsers: o.users.join(', '),
    },
    {
      // Queues exist on O2G only: a second connection, to the simulator's O2G front-end, watching the pilot.
      id: CONN_O2G, type: 'pbxflow-connection', name: 'Simulator (O2G)', platform: 'o2g', url: o.o2gUrl,
      ...CONN_DEFAULTS, sessionKind: 'admin', monitoredUsers: o.users.join(', '),
      pilots: Object.entries(o.pilots).map(([n, name]) => `${n}=${name}`).join(', '),
    },
    { id: 'pbxflow-demo-c1', type: 'comment', name: 'Missed call -> ticket (appended to the tickets file)', ...at(220, 40), info: '', wires: [] },
    {
      id: 'pbxflow-demo-missed', type: 'pbxflow-event', name: 'Missed calls', connection: CONN, eventTypes: ['call.missed'],
      userFilter: '', direction: 'incoming', callers: 'any', numberPattern: '', minRingSeconds: 0, includeRaw: false,
      ...at(150, 80), wires: [['pbxflow-demo-ticket']],
    },
    { id: 'pbxflow-demo-ticket', type: 'function', name: 'Make ticket', func: TICKET_JS, outputs: 1, noerr: 0, ...at(370, 80), wires: [['pbxflow-demo-file', 'pbxflow-demo-dbg-ticket']] },
    {
      id: 'pbxflow-demo-file', type: 'file', name: 'Append to tickets file', filename: o.ticketsFile, filenameType: 'str',
      appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'none', ...at(610, 60), wires: [[]],
    },
    debug('pbxflow-demo-dbg-ticket', 'ticket', 120, 590),
    { id: 'pbxflow-demo-c2', type: 'comment', name: `Calendar -> forward sync (${o.calendarUser}: "Out of office" -> ${o.mobile})`, ...at(260, 180), info: '', wires: [] },
    {
      id: 'pbxflow-demo-tick', type: 'inject', name: `every ${o.calendarEverySeconds} s`, props: [{ p: 'payload' }], repeat: String(o.calendarEverySeconds),
      crontab: '', once: true, onceDelay: 0.5, topic: '', payload: '', payloadType: 'date', ...at(130, 220), wires: [['pbxflow-demo-ics']],
    },
    {
      id: 'pbxflow-demo-ics', type: 'file in', name: 'Read calendar (ICS)', filename: o.calendarFile, filenameType: 'str', format: 'utf8',
      chunk: false, sendError: false, encoding: 'none', allProps: false, ...at(320, 220), wires: [['pbxflow-demo-sync']],
    },
    {
      id: 'pbxflow-demo-sync', type: 'pbxflow-routing', name: 'Sync forward with calendar', connection: CONN, operation: 'syncCalendar',
      user: o.calendarUser, userType: 'str',
      params: {
        titlePattern: { v: 'out of office*', t: 'str' },
        action: { v: 'forward', t: 'option' },
        number: { v: o.mobile, t: 'str' },
        condition: { v: 'immediate', t: 'option' },
      },
      ...at(560, 220), wires: [['pbxflow-demo-plan']],
    },
    { id: 'pbxflow-demo-plan', type: 'function', name: 'Describe change', func: PLAN_JS, outputs: 1, noerr: 0, ...at(800, 220), wires: [['pbxflow-demo-dbg-cal']] },
    debug('pbxflow-demo-dbg-cal', 'calendar', 220, 1000),
    { id: 'pbxflow-demo-c3', type: 'comment', name: 'Live call log', ...at(130, 320), info: '', wires: [] },
    {
      id: 'pbxflow-demo-calls', type: 'pbxflow-event', name: 'Call events', connection: CONN,
      eventTypes: ['call.incoming', 'call.answered', 'call.transferred', 'call.redirected', 'call.ended', 'call.missed'],
      userFilter: '', direction: 'any', callers: 'any', numberPattern: '', minRingSeconds: 0, includeRaw: false,
      ...at(140, 360), wires: [['pbxflow-demo-log']],
    },
    {
      id: 'pbxflow-demo-queues', type: 'pbxflow-event', name: 'Queue events', connection: CONN_O2G,
      eventTypes: ['queue.joined', 'queue.answered', 'queue.abandoned'],
      userFilter: '', direction: 'any', callers: 'any', numberPattern: '', minRingSeconds: 0, includeRaw: false,
      ...at(140, 430), wires: [['pbxflow-demo-log']],
    },
    { id: 'pbxflow-demo-log', type: 'function', name: 'One line per event', func: CALL_LOG_JS, outputs: 1, noerr: 0, ...at(400, 395), wires: [['pbxflow-demo-dbg-log']] },
    debug('pbxflow-demo-dbg-log', 'call log', 395, 620),
    { id: 'pbxflow-demo-catch', type: 'catch', name: 'Errors', scope: null, uncaught: false, ...at(130, 500), wires: [['pbxflow-demo-dbg-err']] },
    { ...debug('pbxflow-demo-dbg-err', 'error', 500, 330), complete: 'error' },
  ];
  return { flows, credentials: { [CONN]: { login: o.login, password: o.password }, [CONN_O2G]: { login: o.login, password: o.password } } };
}
