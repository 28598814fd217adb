/**
 * The flows the demo deploys into its embedded Node-RED: call nobody answered -> ticket, closed on call back
 * (call.unanswered / call.returned / call.unreturned over OpenTouch, TelServices and Asterisk AMI; Voicenter calls
 * abandoned in a queue), calendar -> forward sync (on OpenTouch and on TelServices), live
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
  /** The FreePBX company over Asterisk AMI: its extensions (its ring group is in `groups`). */
  asterisk?: { url: string; login: string; password: string; extensions: string[] };
  /**
   * The PBX's ring groups, each member by every name a connection may give it (login, extension): a ticket for a
   * call that rang all of a group's members is for the group.
   */
  groups: Array<{ number: string; name: string; members: string[] }>;
  /**
   * The ticket flows' follow-up time (minutes): call.unreturned, the escalation, after this long without a call back.
   * 0 in the demo (its calls come every few seconds; an escalation every half hour would be noise): see docs/demo.md.
   */
  followUpMinutes: number;
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

/**
 * The ticket function: one line per change of a ticket in the tickets file (append-only, one JSON object a line):
 * `open` on call.unanswered (one per call, however many phones it rang) or, for the Voicenter account, on a call
 * abandoned in its queue (it rang no phone, so it is not call.unanswered); `closed` on call.returned, one line per
 * ticket it closes; `escalated` on call.unreturned. The ticket number comes from the call.unanswered event id, which
 * call.returned (`followUp.closes`) and call.unreturned (`followUp.unansweredEventId`) name.
 */
const ticketJs = (groups: DemoFlowOptions['groups']) => `const e = msg.payload;
const f = e.followUp || {};
const c = e.call || {};
const groups = ${JSON.stringify(groups)}; // ring groups and their members
const no = (id) => 'T-' + String(id).slice(-8);
const who = (p) => (p && (p.name || p.number)) || 'unknown caller';
const line = (ticket) => ({ topic: e.type, ticket, payload: ticket }); // the file node writes each as one JSON line
if (e.type === 'call.returned') {
  const note = f.returnDirection === 'outgoing' ? f.returnedBy + ' called back' : 'the caller got through to ' + f.returnedBy;
  return [(f.closes || []).map((id) => line({
    ticket: no(id), status: 'closed', closedAt: new Date().toISOString(), note: note + ' after ' + f.afterSeconds + ' s',
    platform: e.platform, caller: f.caller && f.caller.number || null, returnedBy: f.returnedBy, eventId: e.id
  }))];
}
if (e.type === 'call.unreturned') {
  return line({
    ticket: no(f.unansweredEventId), status: 'escalated', priority: 'high', note: 'not called back within ' + Math.round(f.followUpSeconds / 60) + ' min',
    platform: e.platform, caller: f.caller && f.caller.number || null, eventId: e.id
  });
}
const q = e.queue; // queue.abandoned: the caller gave up waiting in a queue
if (q) {
  return line({
    ticket: no(e.id), status: 'open', createdAt: new Date().toISOString(), subject: 'Call abandoned in ' + (q.name || q.id) + ' by ' + who(q.caller),
    for: q.name || q.id, platform: e.platform, caller: q.caller && q.caller.number || null, reason: 'abandoned', ringSeconds: q.waitSeconds,
    callId: q.callId, eventId: e.id
  });
}
// The event names the users the call rang (not the number dialled): rang them all, one group's members -> that group.
const users = f.users || [e.user];
const group = users.length > 1 ? groups.find((g) => users.every((u) => g.members.includes(u))) : undefined;
return line({
  ticket: no(e.id), status: 'open', createdAt: new Date().toISOString(),
  subject: 'Missed call ' + (group ? 'to ' + group.name + ' (' + group.number + ') ' : '') + 'from ' + who(f.caller || c.from),
  for: group ? group.name : users.join(', '), rang: f.users, platform: e.platform, caller: (f.caller || c.from || {}).number || null,
  reason: f.endReason, ringSeconds: f.ringSeconds, callId: c.id, eventId: e.id
});`;

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
  // Every setting of event.html's defaults, as the editor saves them.
  const event = (id: string, name: string, connection: string, eventTypes: string[], direction: string, x: number, y: number, to: string): FlowNode => ({
    id, type: 'pbxflow-event', name, connection, eventTypes, userFilter: '', direction, callers: 'any', numberPattern: '', minRingSeconds: 0,
    includeRaw: false, followUpMinutes: o.followUpMinutes, outsideLinePrefix: '', ...at(x, y), wires: [[to]],
  });
  // Open on call.unanswered, close on call.returned (a callback is an outgoing call: any direction), escalate on call.unreturned.
  const FOLLOW_UP = ['call.unanswered', 'call.returned', 'call.unreturned'];
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
    {
      id: 'pbxflow-demo-c1', type: 'comment', name: 'Call nobody answered -> ticket; closed on call back (tickets file)', ...at(260, 40),
      info: 'One ticket per call nobody answered (call.unanswered), however many phones it rang; a "closed" line when someone calls back (call.returned); "escalated" on call.unreturned (Follow-up: 0 in the demo, i.e. off).',
      wires: [],
    },
    event('pbxflow-demo-missed', 'Unanswered calls', CONN, FOLLOW_UP, 'any', 150, 80, 'pbxflow-demo-ticket'),
    ...(ts ? [event('pbxflow-demo-ts-missed', 'TelServer unanswered', CONN_TS, FOLLOW_UP, 'any', 150, 140, 'pbxflow-demo-ticket')] : []),
    ...(ast ? [event('pbxflow-demo-ast-missed', 'FreePBX unanswered', CONN_AST, FOLLOW_UP, 'any', 150, 200, 'pbxflow-demo-ticket')] : []),
    ...(vc ? [event('pbxflow-demo-vc-abandoned', 'Voicenter abandoned queue', CONN_VC, ['queue.abandoned'], 'any', 150, 260, 'pbxflow-demo-ticket')] : []),
    {
      id: 'pbxflow-demo-ticket', type: 'function', name: 'Open / close ticket', func: ticketJs(o.groups), outputs: 1, noerr: 0, ...at(420, 170),
      wires: [['pbxflow-demo-file', 'pbxflow-demo-dbg-ticket']],
    },
    {
      id: 'pbxflow-demo-file', type: 'file', name: 'Append to tickets file', filename: o.ticketsFile, filenameType: 'str',
      appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'none', ...at(670, 140), wires: [[]],
    },
    debug('pbxflow-demo-dbg-ticket', 'ticket', 200, 650),
    { id: 'pbxflow-demo-c2', type: 'comment', name: `Calendar -> forward sync (${calendarWho})`, ...at(300, 340), info: '', wires: [] },
    {
      id: 'pbxflow-demo-tick', type: 'inject', name: `every ${o.calendarEverySeconds} s`, props: [{ p: 'payload' }], repeat: String(o.calendarEverySeconds),
      crontab: '', once: true, onceDelay: 0.5, topic: '', payload: '', payloadType: 'date', ...at(130, 380), wires: [['pbxflow-demo-ics']],
    },
    {
      id: 'pbxflow-demo-ics', type: 'file in', name: 'Read calendar (ICS)', filename: o.calendarFile, filenameType: 'str', format: 'utf8',
      chunk: false, sendError: false, encoding: 'none', allProps: false, ...at(320, 380),
      wires: [['pbxflow-demo-sync', ...(ts ? ['pbxflow-demo-ts-sync'] : [])]],
    },
    sync('pbxflow-demo-sync', 'Sync forward with calendar', CONN, o.calendarUser, o.mobile, 380, 'pbxflow-demo-plan'),
    describe('pbxflow-demo-plan', 'Describe change', o.calendarUser, 380),
    ...(ts ? [
      sync('pbxflow-demo-ts-sync', `Sync forward (TelServer ${ts.calendarDevice})`, CONN_TS, ts.calendarDevice, ts.mobile, 450, 'pbxflow-demo-ts-plan'),
      describe('pbxflow-demo-ts-plan', `Describe change (${ts.calendarDevice})`, `TelServer ${ts.calendarDevice}`, 450),
    ] : []),
    debug('pbxflow-demo-dbg-cal', 'calendar', ts ? 415 : 380, 1060),
    { id: 'pbxflow-demo-c3', type: 'comment', name: 'Live call log', ...at(130, 530), info: '', wires: [] },
    event('pbxflow-demo-calls', 'Call events', CONN, ['call.incoming', 'call.answered', 'call.transferred', 'call.redirected', 'call.ended', 'call.missed'], 'any', 140, 570, 'pbxflow-demo-log'),
    event('pbxflow-demo-queues', 'Queue events', CONN_O2G, ['queue.joined', 'queue.answered', 'queue.abandoned'], 'any', 140, 640, 'pbxflow-demo-log'),
    { id: 'pbxflow-demo-log', type: 'function', name: 'One line per event', func: CALL_LOG_JS, outputs: 1, noerr: 0, ...at(400, 605), wires: [['pbxflow-demo-dbg-log']] },
    offPane(debug('pbxflow-demo-dbg-log', 'call log', 605, 620)),
    { id: 'pbxflow-demo-catch', type: 'catch', name: 'Errors', scope: null, uncaught: false, ...at(130, 710), wires: [['pbxflow-demo-dbg-err']] },
    { ...debug('pbxflow-demo-dbg-err', 'error', 710, 330), complete: 'error' },
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
