/**
 * The editor side: generated action-node .html up to date, and the shared editor script (resources/) that every
 * node's .html loads. The real runtime serving it is checked by test/demo/demo.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { ACTION_NODES, EDITOR_SCRIPT, actionNodeHtml } from '../../node-red/tools/gen-help';

const root = join(__dirname, '..', '..');
const dir = join(root, 'node-red');
const script = readFileSync(join(root, 'resources', 'pbxflow-editor.js'), 'utf8');

interface Editor {
  operationLabel(name: string): string;
  [k: string]: unknown;
}

interface Definition {
  category: string;
  defaults: Record<string, { value: unknown }>;
  label(this: object): string;
  oneditprepare(this: object): void;
  oneditsave(this: object): void;
  [k: string]: unknown;
}

/** Runs the shared script as the editor would (a fresh window each time unless one is given). */
function load(window: { PbxflowEditor?: Editor } = {}): Editor {
  runInNewContext(script, { window, $: () => ({}) });
  return window.PbxflowEditor as Editor;
}

/** The node types package.json declares, with their .html. */
function packageNodes(): Array<[string, string]> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  return Object.entries(pkg['node-red'].nodes).map(([type, file]) => [type, file.replace(/^dist\/node-red\//, '').replace(/\.js$/, '.html')]);
}

/**
 * Runs a .html's inline scripts (the blocks node-red-dev validate reads, same pattern) as the editor would, after
 * the shared script, and returns what they registered.
 */
function definitions(html: string, editor: Editor): Record<string, Definition> {
  const registered: Record<string, Definition> = {};
  const RED = {
    nodes: { registerType: (type: string, def: Definition) => { registered[type] = def; } },
    validators: { number: () => () => true, regex: () => () => true },
  };
  for (const m of html.matchAll(/<script.+?type=['"]text\/javascript['"].*?>([\S\s]*?)<\/script>/gi)) {
    runInNewContext(m[1], { RED, PbxflowEditor: editor, $: () => ({}) });
  }
  return registered;
}
describe('Node-RED editor files', () => {
  it.each(Object.keys(ACTION_NODES))('node-red/%s.html is what node-red/tools/gen-help.ts writes', (node) => {
    const committed = readFileSync(join(dir, `${node}.html`), 'utf8');
    if (committed !== actionNodeHtml(node)) {
      throw new Error(`node-red/${node}.html is stale: run npx tsc -p tsconfig.json --outDir .tmp/gen-help && node .tmp/gen-help/node-red/tools/gen-help.js`);
    }
  });

  it('the shared editor script is served from the package resources folder and loaded before any use', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string };
    expect(EDITOR_SCRIPT).toBe(`resources/${pkg.name}/pbxflow-editor.js`);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(join(dir, file), 'utf8');
      const tag = `<script type="text/javascript" src="${EDITOR_SCRIPT}"></script>`;
      // No copy of the helpers in a node's own file: they live in resources/ only.
      expect([file, html.includes('window.PbxflowEditor =')]).toEqual([file, false]);
      if (html.includes('PbxflowEditor.')) {
        expect([file, html.includes(tag)]).toEqual([file, true]);
        expect(html.indexOf(tag)).toBeLessThan(html.indexOf('PbxflowEditor.'));
      }
    }
    expect(existsSync(join(root, 'resources', 'pbxflow-editor.js'))).toBe(true);
  });

  it.each(packageNodes())('%s declares its definition inline in %s (what the Flow Library scorecard reads)', (type, file) => {
    const html = readFileSync(join(dir, file), 'utf8');
    // node-red-dev validate parses the .html and only sees a literal type and an object literal definition.
    const start = html.indexOf(`RED.nodes.registerType('${type}', {`);
    expect(start).toBeGreaterThanOrEqual(0);
    const block = html.slice(start, html.indexOf('</script>', start));
    expect(block).toMatch(/\n {4}defaults: \{\n/);
    expect(block).toMatch(/\n {4}category: '[\w-]+',\n/);
    if (type !== 'pbxflow-connection') {
      for (const key of ['color', 'icon']) expect([key, new RegExp(`\\n {4}${key}: '[^']+',\\n`).test(block)]).toEqual([key, true]);
      for (const key of ['inputs', 'outputs']) expect([key, new RegExp(`\\n {4}${key}: \\d+,\\n`).test(block)]).toEqual([key, true]);
    } else {
      expect(block).toMatch(/\n {4}credentials: \{\n/);
    }
    expect(Object.keys(definitions(html, load()))).toEqual([type]);
  });

  it('the shared script holds the behaviour and survives being loaded by every node', () => {
    const editor = load();
    for (const key of ['catalogue', 'operationLabel', 'prepareAction', 'saveAction', 'prepareEventTypes', 'saveEventTypes']) {
      expect([key, typeof editor[key]]).toEqual([key, 'function']);
    }
    expect(editor).not.toHaveProperty('actionNode');
    const window = { PbxflowEditor: editor };
    expect(load(window)).toBe(editor);
  });

  it.each(Object.entries(ACTION_NODES))('pbxflow-%s: inline definition, behaviour from the shared script', (node, spec) => {
    const calls: unknown[][] = [];
    const editor = load();
    const spy: Editor = { ...editor, prepareAction: (...a: unknown[]) => calls.push(['prepareAction', ...a]), saveAction: (...a: unknown[]) => calls.push(['saveAction', ...a]) };
    const def = definitions(readFileSync(join(dir, `${node}.html`), 'utf8'), spy)[`pbxflow-${node}`];
    expect(def).toMatchObject({ category: 'pbxflow', inputs: 1, outputs: 1, icon: spec.icon, paletteLabel: spec.palette });
    expect(Object.keys(def.defaults).sort()).toEqual(['connection', 'name', 'operation', 'params', 'user', 'userType']);
    expect(def.defaults.operation.value).toBe(spec.operation);
    expect(def.defaults.connection).toMatchObject({ type: 'pbxflow-connection', required: true });
    expect(def.label.call({ name: '', operation: 'hangUp' })).toBe('hangUp');
    expect(def.label.call({ name: 'mine', operation: 'hangUp' })).toBe('mine');
    const me = { operation: spec.operation };
    def.oneditprepare.call(me);
    def.oneditsave.call(me);
    expect(calls).toEqual([['prepareAction', me, { resources: spec.resources }], ['saveAction', me]]);
  });
});
