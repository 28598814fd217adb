/**
 * Writes the action nodes' .html (registerType call, edit template, help) from the operation catalogue.
 * The definition is written inline, an object literal in RED.nodes.registerType('<type>', {...}) with literal
 * defaults, icon, color, category, inputs and outputs: the Flow Library scorecard (node-red-dev validate) reads the
 * .html with a parser and cannot see a definition built by a function call. The editor behaviour they share
 * (catalogue, operation list, fields, save) lives in resources/pbxflow-editor.js; the definition calls into it.
 *
 * Run after changing shared/operations/catalogue.ts (or this file), from the project root:
 *   npx tsc -p tsconfig.json --outDir .tmp/gen-help && node .tmp/gen-help/node-red/tools/gen-help.js
 * test/node-red/editor.test.ts fails when a committed .html differs from what this writes.
 * Not part of the build (tsconfig.build.json excludes node-red/tools): nothing here ships.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATIONS, type FieldSpec, type Resource } from '../../shared/operations/catalogue';
import { CALENDAR_SYNC } from '../lib/calendar';

export interface ActionNodeSpec {
  resources: Resource[];
  palette: string;
  icon: string;
  /** The operation a new node starts with. */
  operation: string;
  intro: string;
  /** Extra help after the operation list (HTML). */
  extra?: string;
}

/** The shared editor script, as each .html includes it (Node-RED serves `<package>/resources/` there). */
export const EDITOR_SCRIPT = 'resources/@pbxflow/n8n-nodes-pbx/pbxflow-editor.js';

const CALENDAR_HELP = `  <h4>Sync Forward with Calendar</h4>
  <p>Send the calendar every few minutes (an <b>inject</b> node on an interval, then an <b>http request</b> to the
    calendar's iCal/ICS address or a <b>file in</b> node): <code>msg.payload</code> is iCalendar text, or an array of
    events <code>{title, start, end, busy}</code> (ISO times; <code>summary</code>/<code>subject</code> and
    Google/Outlook <code>{dateTime}</code> times are read too). While an event whose title matches is in progress,
    the node forwards calls (or turns do-not-disturb on); when it is over it restores the routing that held before,
    unless someone changed it by hand meanwhile. Only what differs is changed. Recurring events (RRULE) are not
    expanded. The output <code>msg.payload</code> is the plan: <code>activeEvent</code>, <code>changes</code>,
    <code>reason</code>. The previous routing is kept in the node's context. <code>msg.now</code> (ISO time) can set the
    time to evaluate.</p>`;

export const ACTION_NODES: Record<string, ActionNodeSpec> = {
  call: {
    resources: ['call'], palette: 'pbx call', icon: 'pbxflow-call.svg', operation: 'makeCall',
    intro: 'Call control: make, answer, hang up, hold, transfer, redirect, conference, DTMF, park and pick up calls.',
  },
  routing: {
    resources: ['routing'], palette: 'pbx routing', icon: 'pbxflow-routing.svg', operation: 'setForward',
    intro: 'Call routing: forward, overflow and do-not-disturb, read or set.', extra: CALENDAR_HELP,
  },
  messaging: {
    resources: ['messaging', 'callLog'], palette: 'pbx messaging', icon: 'pbxflow-message.svg', operation: 'listVoicemails',
    intro: 'Voicemail, message counters, instant messages and the call log.',
  },
  directory: {
    resources: ['directory'], palette: 'pbx directory', icon: 'pbxflow-directory.svg', operation: 'searchDirectory',
    intro: 'Looks people up in the PBX directory.',
  },
  agent: {
    resources: ['agent'], palette: 'pbx agent', icon: 'pbxflow-agent.svg', operation: 'getAgentState',
    intro: 'Call-center (CCD) agent: read the state, log on or off a group, ready or not ready.',
  },
};

const RESOURCE_LABELS: Record<Resource, string> = {
  call: 'Call', routing: 'Routing', messaging: 'Messaging', callLog: 'Call log', directory: 'Directory', agent: 'Agent',
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** What the help shows of a catalogue operation (the routing node's calendar sync included). */
interface HelpOperation {
  resource: Resource;
  name: string;
  displayName: string;
  description: string;
  platforms: readonly string[];
  fields: readonly FieldSpec[];
}

/** The help's operation list: one `<dl>` per resource (with a heading when the node has several). */
function operationsHelp(resources: Resource[]): string {
  const ops: readonly HelpOperation[] = [...OPERATIONS, CALENDAR_SYNC];
  const rows: string[] = [];
  for (const r of resources) {
    if (resources.length > 1) rows.push(`  <h4>${RESOURCE_LABELS[r]}</h4>`);
    rows.push('  <dl class="message-properties">');
    for (const o of ops.filter((op) => op.resource === r)) {
      const items = o.fields.map(
        (f) => `<li><code>${f.name}</code> (${esc(f.displayName)}${f.required ? ', required' : ''}): ${esc(f.description).replace(/`/g, '')}</li>`,
      );
      rows.push(`    <dt>${esc(o.displayName)} <span class="property-type">${o.name}</span></dt>`);
      rows.push(`    <dd>${esc(o.description)} (${o.platforms.join(', ')}).${items.length ? `<ul>${items.join('')}</ul>` : ' No inputs.'}</dd>`);
    }
    rows.push('  </dl>');
  }
  return rows.join('\n');
}

/** The whole .html of one action node. */
export function actionNodeHtml(node: string): string {
  const d = ACTION_NODES[node];
  const type = `pbxflow-${node}`;
  return `<!-- Generated by node-red/tools/gen-help.ts from shared/operations/catalogue.ts; edit the generator, not this file. -->
<script type="text/javascript" src="${EDITOR_SCRIPT}"></script>
<script type="text/javascript">
  RED.nodes.registerType('${type}', {
    category: 'pbxflow',
    color: '#8FC9C4',
    defaults: {
      name: { value: '' },
      connection: { value: '', type: 'pbxflow-connection', required: true },
      operation: { value: '${d.operation}', required: true },
      params: { value: {} },
      user: { value: '' },
      userType: { value: 'str' },
    },
    inputs: 1,
    outputs: 1,
    icon: '${d.icon}',
    paletteLabel: '${d.palette}',
    label: function () { return this.name || PbxflowEditor.operationLabel(this.operation) || '${d.palette}'; },
    labelStyle: function () { return this.name ? 'node_label_italic' : ''; },
    outputLabels: function () { return 'msg.payload = result'; },
    oneditprepare: function () { PbxflowEditor.prepareAction(this, { resources: [${d.resources.map((r) => `'${r}'`).join(', ')}] }); },
    oneditsave: function () { PbxflowEditor.saveAction(this); },
  });
</script>

<script type="text/html" data-template-name="${type}">
  <div class="form-row">
    <label for="node-input-connection"><i class="fa fa-phone"></i> <span data-i18n="label.connection"></span></label>
    <input type="text" id="node-input-connection">
  </div>
  <div class="form-row">
    <label for="node-input-operation"><i class="fa fa-wrench"></i> <span data-i18n="label.operation"></span></label>
    <select id="node-input-operation" style="width:70%"></select>
    <div class="form-tips" id="pbxflow-op-description" style="margin-left:105px;margin-top:4px"></div>
  </div>
  <div id="pbxflow-params"></div>
  <div class="form-row">
    <label for="node-input-user"><i class="fa fa-user"></i> <span data-i18n="label.user"></span></label>
    <input type="text" id="node-input-user" style="width:70%">
    <input type="hidden" id="node-input-userType">
    <div class="form-tips" style="margin-left:105px;margin-top:4px" data-i18n="label.userHelp"></div>
  </div>
  <div class="form-row">
    <label for="node-input-name"><i class="fa fa-tag"></i> <span data-i18n="label.name"></span></label>
    <input type="text" id="node-input-name" data-i18n="[placeholder]label.name">
  </div>
</script>

<script type="text/html" data-help-name="${type}">
  <p>${esc(d.intro)}</p>
  <h3>Inputs</h3>
  <dl class="message-properties">
    <dt class="optional">operation <span class="property-type">string</span></dt>
    <dd>Runs this operation instead of the configured one (its name, e.g. <code>${d.operation}</code>). The node's own
      field settings apply only to the configured operation; for another one the fields come from <code>msg</code>.</dd>
    <dt class="optional"><i>field</i> <span class="property-type">any</span></dt>
    <dd>Each operation field (names below) is taken, in this order, from: the node's setting for it; <code>msg.&lt;field&gt;</code>;
      <code>msg.payload.&lt;field&gt;</code> when the payload is an object; for <code>callId</code>,
      <code>msg.payload.call.id</code> (what the pbx event node sends); the default. A setting can also point at any
      <code>msg</code>, flow or global property, an environment variable or a JSONata expression.
      A field left on <i>msg.&lt;field&gt;, else &lt;default&gt;</i> (the editor shows the default value itself) takes it from msg, else the default.</dd>
    <dt class="optional">user <span class="property-type">string</span></dt>
    <dd>The login or extension to act for, when the node's <i>User</i> is empty. Required with an administrator
      connection for operations on a user's phone, calls or settings: without it the node fails (to a Catch node) with
      the PBX's error, which lists the users to choose from. With a user connection, empty acts for its own login.</dd>
  </dl>
  <h3>Outputs</h3>
  <dl class="message-properties">
    <dt>payload <span class="property-type">object | array</span></dt>
    <dd>The operation's result (e.g. the new call, the routing state, the list of records). The other properties of
      the incoming message are kept.</dd>
  </dl>
  <h3>Operations</h3>
${operationsHelp(d.resources)}
${d.extra ?? ''}
  <h3>Details</h3>
  <p>The node uses the connection's shared session. An operation the PBX refuses (wrong call id, not allowed,
    unreachable PBX, invalid input) raises an error that a <b>Catch</b> node can handle; the message then carries
    <code>error.message</code> and the status shows the error code.</p>
  <p>The status shows the connection: <i>connecting</i>, <i>connected</i>, <i>reconnecting</i> or <i>error</i>.</p>
  <h3>References</h3>
  <ul><li><a href="https://github.com/pbxflow/n8n-nodes-pbx/blob/main/docs/node-red.md">pbxflow Node-RED guide</a></li></ul>
</script>
`;
}

if (require.main === module) {
  // Run from the project root (the compiled copy lives elsewhere, so not relative to this file).
  const dir = join(process.cwd(), 'node-red');
  for (const node of Object.keys(ACTION_NODES)) {
    writeFileSync(join(dir, `${node}.html`), actionNodeHtml(node));
    process.stdout.write(`wrote node-red/${node}.html\n`);
  }
}
