/**
 * The flows the demo deploys into its embedded Node-RED: missed call -> ticket (OpenTouch and TelServices missed
 * calls, Voicenter calls abandoned in a queue), calendar -> forward sync (on OpenTouch and on TelServices), live
 * call log (calls, and the queue's events from the O2G front-end). Built in code (not a static JSON) because they
 * point at this run's simulator ports and file paths. The same node types and settings as the example flows in
 * examples/*.json, written exactly as the Node-RED editor saves them (test/browser checks it).
 * The debug pane is for the tickets (and the calendar's changes): the live call log, a line per call event, goes to
 * its debug node's status and to the terminal only, so a ticket never scrolls away under call-log lines.
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
  /** The TelServer company, over the TelServices front-end: its devices, and the device that follows the calendar. */
  telservices?: { url: string; devices: string[]; login: string; password: string; calendarDevice: string; mobile: string };
  /**
   * The FreePBX company over Asterisk AMI: its extensions, its ring group, and where its tickets go (one per group
   * call nobody answered, however many members it rang).
   */
  asterisk?: { url: string; login: string; password: string; extensions: string[]; group: { number: string; name: string }; ticketsFile: string };
  /** The Voicenter account (events only: Voicenter has no call control): its abandoned queue calls become tickets. */
  voicenter?: { loginUrl: string; serverUrl: string; login: string; password: string };
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
const CONN_TS = 'pbxflow-demo-conn-ts';
const CONN_VC = 'pbxflow-demo-conn-vc';
const CONN_AST = 'pbxflow-demo-conn-ast';

/** Function-node bodies: JavaScript run by Node-RED, kept small and readable in the editor. */
const TICKET_JS = `const e = msg.payload;
const c = e.call || {};
const q = e.queue; // queue.abandoned: the caller gave up waiting in a queue
const from = (q ? q.caller : c.from) || {};
const ticket = {
  ticket: 'T-' + String(e.id).slice(-8),
  createdAt: new Date().toISOString(),
  subject: (q ? 'Call abandoned in ' + (q.name || q.id) + ' by ' : 'Missed call from ') + (from.name || from.number || 'unknown caller'),
  for: q ? (q.name || q.id) : e.user,
  platform: e.platform,
  caller: from.number || null,
  reason: q ? 'abandoned' : c.endReason,
  ringSeconds: q ? q.waitSeconds : c.ringSeconds,
  callId: q ? q.callId : c.id,
  eventId: e.id
};
msg.ticket = ticket;
msg.payload = ticket; // the file node writes it as one JSON line
return msg;`;

/**
 * The FreePBX company's ticket: a call to its ring group rings every member, and each member whose phone rang gets
 * `call.missed`, all with the same call id (Asterisk's Linkedid). One ticket per call: the first makes it, the others
 * are dropped (the last 500 call ids are remembered in the flow's context).
 */
const groupTicketJs = (group: { number: string; name: string }) => `const e = msg.payload;
const c = e.call || {};
const seen = flow.get('ticketedCalls') || [];
if (seen.includes(c.id)) return null; // another member's view of a call that already has its ticket
seen.push(c.id);
if (seen.length > 500) seen.shift();
flow.set('ticketedCalls', seen);
const from = c.from || {};
const ticket = {
  ticket: 'T-' + String(e.id).slice(-8),
  createdAt: new Date().toISOString(),
  subject: 'Missed call to ${group.name} (${group.number}) from ' + (from.name || from.number || 'unknown caller'),
  for: '${group.name}',
  platform: e.platform,
  caller: from.number || null,
  reason: c.endReason,
  ringSeconds: c.ringSeconds,
  callId: c.id,
  eventId: e.id
};
msg.ticket = ticket;
msg.payload = ticket;
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

/** Says whose line changed (each sync node has its own copy: the plan does not name the user). */
const planJs = (who: string) => `const p = msg.payload || {};
if (!p.changes || p.changes.length === 0) return null; // only show runs that changed something
msg.payload = 'calendar: ${who}: ' + p.reason + ' [' + p.changes.map((c) => c.operation).join(', ') + ']';
return msg;`;

export function demoFlows(o: DemoFlowOptions): { flows: FlowNode[]; credentials: Record<string, Record<string, string>> } {
  const at = (x: number, y: number) => ({ z: TAB, x, y });
  // Laid out left to right, one section per flow, rows far enough apart that no status text hides under a node or a wire.
  const debug = (id: string, name: string, y: number, x = 760): FlowNode => ({
    id, type: 'debug', name, ...at(x, y), active: true, tosidebar: true, console: true, tostatus: false,
    complete: 'payload', targetType: 'msg', statusVal: '', statusType: 'auto', wires: [],
  });
  // Not in the debug pane: the last line under the node, every line in the terminal (Node-RED's log).
  const offPane = (d: FlowNode): FlowNode => ({ ...d, tosidebar: false, tostatus: true, statusVal: 'payload' });
  const event = (id: string, name: string, connection: string, eventTypes: string[], direction: string, x: number, y: number, to: string): FlowNode => ({
    id, type: 'pbxflow-event', name, connection, eventTypes, userFilter: '', direction, callers: 'any', numberPattern: '', minRingSeconds: 0,
    includeRaw: false, followUpMinutes: 30, outsideLinePrefix: '', ...at(x, y), wires: [[to]],
  });
  const sync = (id: string, name: string, connection: string, user: string, mobile: string, y: number, to: string): FlowNode => ({
    id, type: 'pbxflow-routing', name, connection, operation: 'syncCalendar', user, userType: 'str',
    params: {
      titlePattern: { v: 'out of office*', t: 'str' },
      action: { v: 'forward', t: 'option' },
      number: { v: mobile, t: 'str' },
      condition: { v: 'immediate', t: 'option' },
    },
    ...at(570, y), wires: [[to]],
  });
  const describe = (id: string, name: string, who: string, y: number): FlowNode => ({
    id, type: 'function', name, func: planJs(who), outputs: 1, noerr: 0, ...at(830, y), wires: [['pbxflow-demo-dbg-cal']],
  });
  const { telservices: ts, voicenter: vc, asterisk: ast } = o;
  const calendarWho = [`${o.calendarUser}: "Out of office" -> ${o.mobile}`, ...(ts ? [`TelServer ${ts.calendarDevice} -> ${ts.mobile}`] : [])].join('; ');
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
    ...(ts ? [{
      // The TelServer company: one TelServices session per device, events by UDP on loopback.
      id: CONN_TS, type: 'pbxflow-connection', name: 'Simulator (TelServer)', platform: 'telservices', url: ts.url,
      ...CONN_DEFAULTS, devices: ts.devices.join(', '), udpHost: '127.0.0.1',
    }] : []),
    ...(vc ? [{
      // A Voicenter account login (it sees the queues; user logins do not), straight to the first event server.
      id: CONN_VC, type: 'pbxflow-connection', name: 'Simulator (Voicenter)', platform: 'voicenter', url: vc.loginUrl,
      ...CONN_DEFAULTS, loginType: 'account', serverUrl: vc.serverUrl,
    }] : []),
    ...(ast ? [{
      // The FreePBX company: the Asterisk Manager Interface, watching its extensions.
      id: CONN_AST, type: 'pbxflow-connection', name: 'Simulator (FreePBX, AMI)', platform: 'asterisk', url: ast.url,
      ...CONN_DEFAULTS, devices: ast.extensions.join(', '),
    }] : []),
    { id: 'pbxflow-demo-c1', type: 'comment', name: 'Missed call -> ticket (appended to the tickets file)', ...at(220, 40), info: '', wires: [] },
    event('pbxflow-demo-missed', 'Missed calls', CONN, ['call.missed'], 'incoming', 150, 80, 'pbxflow-demo-ticket'),
    ...(ts ? [event('pbxflow-demo-ts-missed', 'TelServer missed calls', CONN_TS, ['call.missed'], 'incoming', 150, 140, 'pbxflow-demo-ticket')] : []),
    ...(vc ? [event('pbxflow-demo-vc-abandoned', 'Voicenter abandoned queue', CONN_VC, ['queue.abandoned'], 'any', 150, 200, 'pbxflow-demo-ticket')] : []),
    { id: 'pbxflow-demo-ticket', type: 'function', name: 'Make ticket', func: TICKET_JS, outputs: 1, noerr: 0, ...at(410, 140), wires: [['pbxflow-demo-file', 'pbxflow-demo-dbg-ticket']] },
    {
      id: 'pbxflow-demo-file', type: 'file', name: 'Append to tickets file', filename: o.ticketsFile, filenameType: 'str',
      appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'none', ...at(660, 110), wires: [[]],
    },
    debug('pbxflow-demo-dbg-ticket', 'ticket', 170, 640),
    ...(ast ? [
      { id: 'pbxflow-demo-c4', type: 'comment', name: `FreePBX: a ${ast.group.name} ring-group call nobody answered -> one ticket`, ...at(1050, 40), info: '', wires: [] },
      event('pbxflow-demo-ast-missed', 'FreePBX missed calls', CONN_AST, ['call.missed'], 'incoming', 990, 80, 'pbxflow-demo-ast-ticket'),
      { id: 'pbxflow-demo-ast-ticket', type: 'function', name: 'One ticket per call', func: groupTicketJs(ast.group), outputs: 1, noerr: 0, ...at(1200, 80), wires: [['pbxflow-demo-ast-file', 'pbxflow-demo-dbg-ticket']] },
      {
        id: 'pbxflow-demo-ast-file', type: 'file', name: 'Append to FreePBX tickets', filename: ast.ticketsFile, filenameType: 'str',
        appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'none', ...at(1420, 80), wires: [[]],
      },
    ] : []),
    { id: 'pbxflow-demo-c2', type: 'comment', name: `Calendar -> forward sync (${calendarWho})`, ...at(300, 260), info: '', wires: [] },
    {
      id: 'pbxflow-demo-tick', type: 'inject', name: `every ${o.calendarEverySeconds} s`, props: [{ p: 'payload' }], repeat: String(o.calendarEverySeconds),
      crontab: '', once: true, onceDelay: 0.5, topic: '', payload: '', payloadType: 'date', ...at(130, 300), wires: [['pbxflow-demo-ics']],
    },
    {
      id: 'pbxflow-demo-ics', type: 'file in', name: 'Read calendar (ICS)', filename: o.calendarFile, filenameType: 'str', format: 'utf8',
      chunk: false, sendError: false, encoding: 'none', allProps: false, ...at(320, 300),
      wires: [['pbxflow-demo-sync', ...(ts ? ['pbxflow-demo-ts-sync'] : [])]],
    },
    sync('pbxflow-demo-sync', 'Sync forward with calendar', CONN, o.calendarUser, o.mobile, 300, 'pbxflow-demo-plan'),
    describe('pbxflow-demo-plan', 'Describe change', o.calendarUser, 300),
    ...(ts ? [
      sync('pbxflow-demo-ts-sync', `Sync forward (TelServer ${ts.calendarDevice})`, CONN_TS, ts.calendarDevice, ts.mobile, 370, 'pbxflow-demo-ts-plan'),
      describe('pbxflow-demo-ts-plan', `Describe change (${ts.calendarDevice})`, `TelServer ${ts.calendarDevice}`, 370),
    ] : []),
    debug('pbxflow-demo-dbg-cal', 'calendar', ts ? 335 : 300, 1060),
    { id: 'pbxflow-demo-c3', type: 'comment', name: 'Live call log', ...at(130, 450), info: '', wires: [] },
    event('pbxflow-demo-calls', 'Call events', CONN, ['call.incoming', 'call.answered', 'call.transferred', 'call.redirected', 'call.ended', 'call.missed'], 'any', 140, 490, 'pbxflow-demo-log'),
    event('pbxflow-demo-queues', 'Queue events', CONN_O2G, ['queue.joined', 'queue.answered', 'queue.abandoned'], 'any', 140, 560, 'pbxflow-demo-log'),
    { id: 'pbxflow-demo-log', type: 'function', name: 'One line per event', func: CALL_LOG_JS, outputs: 1, noerr: 0, ...at(400, 525), wires: [['pbxflow-demo-dbg-log']] },
    offPane(debug('pbxflow-demo-dbg-log', 'call log', 525, 620)),
    { id: 'pbxflow-demo-catch', type: 'catch', name: 'Errors', scope: null, uncaught: false, ...at(130, 630), wires: [['pbxflow-demo-dbg-err']] },
    { ...debug('pbxflow-demo-dbg-err', 'error', 630, 330), complete: 'error' },
  ];
  const cred = (login: string, password: string) => ({ login, password });
  return {
    flows,
    credentials: {
      [CONN]: cred(o.login, o.password), [CONN_O2G]: cred(o.login, o.password),
      ...(ts ? { [CONN_TS]: cred(ts.login, ts.password) } : {}),
      ...(vc ? { [CONN_VC]: cred(vc.login, vc.password) } : {}),
      ...(ast ? { [CONN_AST]: cred(ast.login, ast.password) } : {}),
    },
  };
}
