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
  actionNode(o: Record<string, unknown>): Record<string, unknown> & { defaults: Record<string, { value: unknown }>; label(this: object): string };
  [k: string]: unknown;
}

/** Runs the shared script as the editor would (a fresh window each time unless one is given). */
function load(window: { PbxflowEditor?: Editor } = {}): Editor {
  runInNewContext(script, { window, $: () => ({}) });
  return window.PbxflowEditor as Editor;
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

  it('the shared script defines the action-node definition and survives being loaded by every node', () => {
    const editor = load();
    for (const key of ['catalogue', 'operationLabel', 'prepare', 'save', 'actionNode', 'prepareEventTypes', 'saveEventTypes']) {
      expect([key, typeof editor[key]]).toEqual([key, 'function']);
    }
    const def = editor.actionNode({ icon: 'pbxflow-call.svg', paletteLabel: 'pbx call', operation: 'makeCall', resources: ['call'] });
    expect(def).toMatchObject({ category: 'pbxflow', inputs: 1, outputs: 1, icon: 'pbxflow-call.svg', paletteLabel: 'pbx call' });
    expect(Object.keys(def.defaults).sort()).toEqual(['connection', 'name', 'operation', 'params', 'user', 'userType']);
    expect(def.defaults.operation.value).toBe('makeCall');
    expect(def.label.call({ name: '', operation: 'hangUp' })).toBe('hangUp');
    expect(def.label.call({ name: 'mine', operation: 'hangUp' })).toBe('mine');
    const window = { PbxflowEditor: editor };
    expect(load(window)).toBe(editor);
  });
});
