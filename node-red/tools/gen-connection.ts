/**
 * Writes the pbxflow-connection node's .html and the `settings` part of its en-US locale from the platforms'
 * settings schemas (shared/platforms/<p>/settings.ts): which platforms show a field, its label on each platform
 * (the schema's Node-RED label, the one its errors use), the editor defaults, and the help (every setting with its
 * default, the ones without a field of their own under "Platform settings").
 *
 * Run after changing a settings schema (or this file), from the project root:
 *   npx tsc -p tsconfig.json --outDir .tmp/gen-help && node .tmp/gen-help/node-red/tools/gen-connection.js
 * test/node-red/connection-settings.test.ts fails when the committed files differ from what this writes.
 * Not part of the build (tsconfig.build.json excludes node-red/tools): nothing here ships.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SettingSpec } from '../../shared/connection/settings';
import type { Platform } from '../../shared/model/events';
import { PLATFORM_CATALOG, PLATFORM_NAMES, platformList } from '../../shared/platforms/catalog';
import { PLATFORM_SETTINGS } from '../../shared/platforms/settings';
import { EDITOR_SCRIPT } from './gen-help';

export const PLATFORMS: readonly Platform[] = PLATFORM_NAMES;
/** Where the users to monitor are device numbers (the "devices" field), and where they are user logins. */
const DEVICES = PLATFORM_CATALOG.filter((d) => d.usersAreDevices).map((d) => d.name);
const LOGINS = PLATFORM_CATALOG.filter((d) => !d.usersAreDevices).map((d) => d.name);

/** One field of the form: the node property (or credential) it is saved as, the setting it holds, how it looks. */
export interface FormField {
  /** The node property (`node-config-input-<id>`). */
  id: string;
  /** The schema key it holds. */
  key: string;
  icon: string;
  input: 'text' | 'password' | 'select' | 'textarea' | 'checkbox';
  /** A Node-RED credential rather than a node property. */
  credential?: boolean;
  /** Platforms that show it, when fewer than those whose schema has the key. */
  only?: readonly Platform[];
  /** Extra markup after the input (tips), and input attributes. */
  attrs?: string;
  after?: string;
  /** Shown only for an ALE administrator session (the editor toggles it). */
  adminOnly?: boolean;
  /** Option labels of a select whose words are not the values (locale keys, as the form always had). */
  optionKeys?: string;
}

/** The form, in order. Each field's label per platform is the schema's Node-RED label. */
export const FORM: readonly FormField[] = [
  { id: 'url', key: 'url', icon: 'globe', input: 'text', attrs: 'placeholder="https://pbx.example.com"',
    after: `
    <div class="form-tips pbxflow-only" data-platforms="telservices" style="margin-left:105px;margin-top:4px" data-i18n="tip.telservicesUrl"></div>
    <div class="form-tips pbxflow-only" data-platforms="voicenter" style="margin-left:105px;margin-top:4px" data-i18n="tip.voicenterUrl"></div>` },
  { id: 'secondaryUrl', key: 'secondaryUrl', icon: 'globe', input: 'text', attrs: 'data-i18n="[placeholder]placeholder.optional"' },
  { id: 'loginType', key: 'loginType', icon: 'key', input: 'select', optionKeys: 'loginType' },
  { id: 'login', key: 'login', icon: 'user', input: 'text', credential: true, attrs: 'autocomplete="off"' },
  { id: 'password', key: 'password', icon: 'lock', input: 'password', credential: true, attrs: 'autocomplete="new-password"' },
  { id: 'sessionKind', key: 'sessionKind', icon: 'id-badge', input: 'select', optionKeys: 'sessionKind' },
  { id: 'monitoredUsers', key: 'users', icon: 'users', input: 'text', only: LOGINS, adminOnly: true, attrs: 'style="width:70%" placeholder="201, 202, jdoe"',
    after: '\n    <div class="form-tips" style="margin-left:105px;margin-top:4px" data-i18n="tip.users"></div>' },
  { id: 'devices', key: 'users', icon: 'phone', input: 'text', only: DEVICES, attrs: 'style="width:70%" placeholder="3102, 3103"' },
  { id: 'eventSource', key: 'eventSource', icon: 'rss', input: 'select', optionKeys: 'eventSource' },
  { id: 'udpPort', key: 'udpPort', icon: 'plug', input: 'text', attrs: 'style="width:80px" data-i18n="[placeholder]placeholder.optional"' },
  { id: 'udpHost', key: 'udpHost', icon: 'sitemap', input: 'text', attrs: 'data-i18n="[placeholder]placeholder.optional"' },
  { id: 'serverUrl', key: 'serverUrl', icon: 'globe', input: 'text', attrs: 'data-i18n="[placeholder]placeholder.optional"' },
  { id: 'socketVersion', key: 'socketVersion', icon: 'exchange', input: 'select', optionKeys: 'socketVersion' },
  { id: 'urlKind', key: 'urlKind', icon: 'random', input: 'select', optionKeys: 'urlKind' },
  // The schema has pilots for both ALE platforms; only O2G has call-center queues.
  { id: 'pilots', key: 'pilots', icon: 'list-ol', input: 'text', only: ['o2g'], attrs: 'style="width:70%" placeholder="5000=Support, 5001=Sales"' },
  { id: 'ca', key: 'ca', icon: 'certificate', input: 'textarea', attrs: 'rows="3" style="width:70%;font-family:monospace" placeholder="-----BEGIN CERTIFICATE-----"' },
];

/**
 * Fields of this form only, not settings: `verifyCertificate` is the opposite of the schema's `insecure` (ticked by
 * default), `requestTimeout` is `requestTimeoutMs` in seconds, `extra` is every other setting as JSON.
 */
export const FORM_ONLY: Readonly<Record<string, { key?: string; default: string | number | boolean }>> = {
  verifyCertificate: { key: 'insecure', default: true },
  requestTimeout: { key: 'requestTimeoutMs', default: 10 },
  extra: { default: '' },
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

const specOf = (p: Platform, key: string): SettingSpec | undefined => PLATFORM_SETTINGS[p]?.specs.find((s) => s.key === key);

/** The platforms whose form shows `f`. */
export const platformsOf = (f: FormField): Platform[] => PLATFORMS.filter((p) => specOf(p, f.key) && (!f.only || f.only.includes(p)));

/** `f`'s label on platform `p` (the schema's Node-RED label). */
export const labelOf = (f: FormField, p: Platform): string => specOf(p, f.key)!.label.nodeRed;

/** The editor default of a field: an option's or a switch's schema default, else empty (empty: the schema's default). */
export function defaultOf(f: FormField): string | boolean {
  if (f.input !== 'select' && f.input !== 'checkbox') return '';
  const defaults = [...new Set(platformsOf(f).map((p) => specOf(p, f.key)!.default))];
  if (defaults.length !== 1) throw new Error(`${f.id}: platforms disagree on its default (${defaults.join(', ')})`);
  return (defaults[0] as string | boolean | undefined) ?? '';
}

/** The locale's `settings` part: each platform's label of each field it shows (`settings.<platform>.<id>`). */
export function settingsLocale(): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const p of PLATFORMS) {
    out[p] = {};
    for (const f of FORM) if (platformsOf(f).includes(p)) out[p][f.id] = labelOf(f, p);
  }
  return out;
}

function labelSpans(f: FormField): string {
  return platformsOf(f).map((p) => `<span class="pbxflow-only" data-platforms="${p}" data-i18n="settings.${p}.${f.id}"></span>`).join('');
}

function input(f: FormField, values: readonly string[]): string {
  const id = `node-config-input-${f.id}`;
  const attrs = f.attrs ? ` ${f.attrs}` : '';
  if (f.input === 'select') {
    const options = values.map((v) => (/^\d+$/.test(v) ? `      <option value="${v}">socket.io ${v}</option>` : `      <option value="${v}" data-i18n="${f.optionKeys}.${v}"></option>`));
    return `<select id="${id}" style="width:70%">\n${options.join('\n')}\n    </select>`;
  }
  if (f.input === 'textarea') return `<textarea id="${id}"${attrs}></textarea>`;
  return `<input type="${f.input === 'password' ? 'password' : 'text'}" id="${id}"${attrs}>`;
}

function row(f: FormField): string {
  const platforms = platformsOf(f);
  const values = [...new Set(platforms.flatMap((p) => specOf(p, f.key)!.limits?.values ?? []))];
  const cls = f.adminOnly ? 'form-row pbxflow-admin-only' : platforms.length === PLATFORMS.length ? 'form-row' : 'form-row pbxflow-only';
  const data = !f.adminOnly && platforms.length < PLATFORMS.length ? ` data-platforms="${platforms.join(',')}"` : '';
  return `  <div class="${cls}"${data}>
    <label for="node-config-input-${f.id}"><i class="fa fa-${f.icon}"></i> ${labelSpans(f)}</label>
    ${input(f, values)}${f.after ?? ''}
  </div>`;
}

/** Every platform's settings for the help: those with a field of their own, then the rest (Platform settings). */
function settingsHelp(): string {
  const rows: string[] = [];
  const titled = new Set<string>();
  for (const { name: p, helpTitle: name } of PLATFORM_CATALOG) {
    const specs = PLATFORM_SETTINGS[p]?.specs ?? [];
    // Platforms sharing one schema (OpenTouch, O2G) share one section.
    if (!specs.length || titled.has(name)) continue;
    titled.add(name);
    const own = new Set(FORM.filter((f) => platformsOf(f).includes(p)).map((f) => f.key));
    for (const k of Object.values(FORM_ONLY)) if (k.key) own.add(k.key);
    rows.push(`  <h4>${name}</h4>`, '  <dl class="message-properties">');
    for (const s of specs) {
      const d = s.default !== undefined && s.default !== '' && !(Array.isArray(s.default) && !s.default.length) ? ` Default: <code>${esc(String(s.default))}</code>.` : '';
      const where = own.has(s.key) ? esc(s.label.nodeRed) : `<code>${s.key}</code>`;
      rows.push(`    <dt>${where}${s.required ? '' : ' <span class="property-type">optional</span>'}</dt><dd>${esc(s.description)}.${d}</dd>`);
    }
    rows.push('  </dl>');
  }
  return rows.join('\n');
}

/** The whole connection .html. */
export function connectionHtml(): string {
  const defaults = FORM.filter((f) => !f.credential).map((f) => {
    const d = defaultOf(f);
    return `      ${f.id}: { value: ${typeof d === 'boolean' ? d : `'${d}'`}${f.id === 'udpPort' ? ', validate: RED.validators.number(true)' : ''} },`;
  });
  const rows = FORM.map(row);
  // The certificate switch sits before the CA; the timeout and the JSON close the form.
  const insecure = PLATFORMS.filter((p) => specOf(p, 'insecure'));
  rows.splice(FORM.findIndex((f) => f.id === 'ca'), 0, `  <div class="form-row${insecure.length < PLATFORMS.length ? ` pbxflow-only" data-platforms="${insecure.join(',')}` : ''}">
    <label>&nbsp;</label>
    <input type="checkbox" id="node-config-input-verifyCertificate" style="display:inline-block;width:auto;vertical-align:top;">
    <label for="node-config-input-verifyCertificate" style="width:auto" data-i18n="label.verifyCertificate"></label>
  </div>`);
  return `<!-- Generated by node-red/tools/gen-connection.ts from the platforms' settings schemas; edit the generator, not this file. -->
<script type="text/javascript" src="${EDITOR_SCRIPT}"></script>
<script type="text/javascript">
  RED.nodes.registerType('pbxflow-connection', {
    category: 'config',
    defaults: {
      name: { value: '' },
      platform: { value: 'opentouch', required: true },
${defaults.join('\n')}
      verifyCertificate: { value: ${FORM_ONLY.verifyCertificate.default} },
      requestTimeout: { value: ${FORM_ONLY.requestTimeout.default}, validate: RED.validators.number(true) },
      extra: { value: '' },
    },
    credentials: {
      login: { type: 'text' },
      password: { type: 'password' },
    },
    paletteLabel: 'pbx connection',
    label: function () {
      return this.name || (this.credentials && this.credentials.login ? this.credentials.login + '@' : '') + (this.url || 'PBX');
    },
    oneditprepare: function () { PbxflowEditor.prepareConnection(this); },
  });
</script>

<script type="text/html" data-template-name="pbxflow-connection">
  <div class="form-row">
    <label for="node-config-input-name"><i class="fa fa-tag"></i> <span data-i18n="label.name"></span></label>
    <input type="text" id="node-config-input-name" data-i18n="[placeholder]label.name">
  </div>
  <div class="form-row">
    <label for="node-config-input-platform"><i class="fa fa-server"></i> <span data-i18n="label.platform"></span></label>
    <select id="node-config-input-platform" style="width:70%">
${PLATFORMS.map((p) => `      <option value="${p}" data-i18n="platform.${p}"></option>`).join('\n')}
    </select>
  </div>
${rows.join('\n')}
  <div class="form-row">
    <label for="node-config-input-requestTimeout"><i class="fa fa-clock-o"></i> <span data-i18n="label.requestTimeout"></span></label>
    <input type="text" id="node-config-input-requestTimeout" style="width:80px"> <span data-i18n="label.seconds"></span>
  </div>
  <div class="form-row">
    <label for="node-config-input-extra"><i class="fa fa-cogs"></i> <span data-i18n="label.extra"></span></label>
    <textarea id="node-config-input-extra" rows="2" style="width:70%;font-family:monospace" data-i18n="[placeholder]placeholder.optional"></textarea>
  </div>
</script>

<script type="text/html" data-help-name="pbxflow-connection">
  <p>Connection to a phone system (PBX): ${platformList(PLATFORM_CATALOG.map((d) => d.nodeRed.helpName))}.</p>
  <p>Every pbxflow node that uses this connection shares <b>one</b> session and one event channel with the PBX.
    The connection opens when the first node starts and closes on redeploy or when the last node is removed.</p>
  <h3>Details</h3>
  <dl class="message-properties">
    <dt>Platform</dt><dd>The PBX family; the list offers the platforms this version of the package has. The fields below follow it.</dd>
    <dt>Login / Password</dt><dd>Stored as Node-RED credentials (the password is never sent back to the editor, never put in a message or a log).</dd>
    <dt>Session</dt><dd><i>User</i>: the login's own calls and settings. <i>Administrator</i>: monitor and act for the
      listed <b>Users</b> (logins or extensions); action nodes then take a <b>User</b> to act for. Without users the
      status says <i>no users to monitor</i>. Once the connection is deployed, the field completes from the PBX.</dd>
    <dt>Voicenter</dt><dd>Its Real Time API gives events only (calls, agents, queues): use it with <b>pbxflow-event</b>; the action nodes answer "Voicenter supports events only". <i>Log in with</i> a user e-mail, an account username, or an API token given as the password.</dd>
    <dt>Verify certificate</dt><dd>Untick only for a self-signed PBX certificate; better paste its CA certificate (PEM) instead.</dd>
    <dt>Timeout</dt><dd>Seconds per request to the PBX (default 10).</dd>
    <dt>Platform settings <span class="property-type">JSON</span></dt><dd>Any other setting below, by its <code>key</code>, e.g. <code>{"backoffMaxMs": 60000}</code>; the fields above win over it.</dd>
  </dl>
  <h3>Settings per platform</h3>
${settingsHelp()}
  <h3>Status</h3>
  <p>Nodes using the connection show <i>connecting</i> (yellow), <i>connected</i> (green), <i>reconnecting</i> (yellow)
    or <i>error</i> (red). A lost connection is retried with a growing, capped delay; a refused login is shown as an
    error and logged (check the login and password). A connection that cannot be opened never stops the flows.</p>
  <h3>References</h3>
  <ul><li><a href="https://github.com/pbxflow/n8n-nodes-pbx/blob/main/docs/node-red.md">pbxflow Node-RED guide</a></li></ul>
</script>
`;
}

/** The en-US locale with its `platform` and `settings` parts written from the schemas (the rest kept as it is). */
export function connectionLocale(current: string): string {
  const json = JSON.parse(current) as Record<string, unknown>;
  json.platform = Object.fromEntries(PLATFORM_CATALOG.map((d) => [d.name, d.nodeRed.label]));
  json.settings = settingsLocale();
  return `${JSON.stringify(json, null, 2)}\n`;
}

if (require.main === module) {
  // Run from the project root (the compiled copy lives elsewhere, so not relative to this file).
  const dir = join(process.cwd(), 'node-red');
  writeFileSync(join(dir, 'connection.html'), connectionHtml());
  const locale = join(dir, 'locales/en-US/connection.json');
  writeFileSync(locale, connectionLocale(readFileSync(locale, 'utf8')));
  process.stdout.write('wrote node-red/connection.html and node-red/locales/en-US/connection.json\n');
}
