/**
 * The PBX nodes as n8n's node panel shows them (issue 22, item 9). The rules applied here are n8n's own
 * (n8n-io/n8n, packages/frontend/editor-ui/src/features/shared/nodeCreator and packages/@n8n/utils/src/search):
 * - `generateMergedNodesAndActions`: a trigger whose name minus "Trigger" is an action node is merged into it,
 *   and the merged entry shows the trigger's description;
 * - root search (`searchNodes` -> `sublimeSearch` with DEFAULT_KEYS): an entry is found when the query, lower-cased
 *   and without a trailing "trigger", appears in order (letters in sequence, case-insensitive) in its display name or
 *   in one of its codex `alias` entries;
 * - the actions of an entry (`resourceCategories`, `triggersCategory`): one per option of each resource's
 *   "Operation" (`action`, else "<Resource> <Name>") and per event of the trigger (`action`, else "On <name in lower
 *   case>"); the search within the entry matches those display names with the same rule;
 * - the canvas subtitle is the description's `subtitle` expression evaluated for the node (`getNodeSubtitle`).
 * Written from reading that code, not copied.
 */
import './helpers/env';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { INode, INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';
import { Pbx } from '../../nodes/Pbx/Pbx.node';
import { PbxTrigger } from '../../nodes/PbxTrigger/PbxTrigger.node';
import { makeWorkflow, PKG } from './helpers/engine';

const pbx = new Pbx().description;
const trigger = new PbxTrigger().description;
const codex = (file: string): { alias?: string[]; categories?: string[] } =>
  JSON.parse(readFileSync(resolve(__dirname, '../../nodes', file), 'utf8')) as { alias?: string[]; categories?: string[] };

interface PanelEntry {
  name: string;
  displayName: string;
  description: string;
  alias: string[];
  actions: string[];
}

/** n8n's "appears in order" test (sublimeSearch's first filter; its scorer then only ranks what passes). */
function inOrder(query: string, target: string): boolean {
  const q = query.toLowerCase();
  const t = target.toLowerCase();
  let i = 0;
  for (let j = 0; j < t.length && i < q.length; j++) if (t[j] === q[i]) i++;
  return q.length > 0 && t.length > 0 && i === q.length;
}

/** The query as n8n searches with it: lower case, a trailing partial "trigger" word dropped. */
function panelQuery(search: string): string {
  const words = search.split(' ');
  const last = words[words.length - 1]!.toLowerCase();
  const q = words.length > 1 && 'trigger'.startsWith(last) ? words.slice(0, -1).filter(Boolean).join(' ').trimEnd() : search;
  return q.toLowerCase();
}

const rootMatch = (search: string, e: PanelEntry): boolean => [e.displayName, ...e.alias].some((v) => inOrder(panelQuery(search), v));
const actionMatches = (search: string, e: PanelEntry): string[] => e.actions.filter((a) => inOrder(panelQuery(search), a));

const startCase = (s: string): string => s.replace(/([a-z])([A-Z])/g, '$1 $2').split(/[\s_-]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');

function actionsOf(d: INodeTypeDescription): string[] {
  const out: string[] = [];
  const resources = d.properties.filter((p) => p.name === 'resource');
  for (const r of resources) {
    for (const ro of (r.options ?? []) as INodePropertyOptions[]) {
      const ops = d.properties.find((p) => p.name === 'operation' && (p.displayOptions?.show?.resource as unknown[] | undefined)?.includes(ro.value));
      for (const o of (ops?.options ?? []) as INodePropertyOptions[]) out.push(o.action ?? `${ro.name} ${startCase(o.name)}`);
    }
  }
  if (d.displayName.toLowerCase().includes('trigger')) {
    const events = d.properties.find((p) => ['event', 'events', 'trigger on'].includes(p.displayName.toLowerCase()));
    for (const o of (events?.options ?? []) as INodePropertyOptions[]) out.push(o.action ?? `On ${o.name.toLowerCase()}`);
  }
  return out;
}

/** The one entry n8n's panel makes of our two nodes. */
function panelEntry(): PanelEntry {
  const app = `${PKG}.${pbx.name}`;
  const trig = `${PKG}.${trigger.name}`;
  expect(trig.replace('Trigger', '')).toBe(app); // so n8n merges them
  return {
    name: app,
    displayName: pbx.displayName,
    description: trigger.description, // n8n: "default to trigger description"
    alias: codex('Pbx/Pbx.node.json').alias ?? [],
    actions: [...actionsOf(pbx), ...actionsOf(trigger)],
  };
}

describe("n8n's node panel: finding the PBX node", () => {
  const entry = panelEntry();

  it.each(['make call', 'missed call', 'do not disturb', 'forward', 'click to call', 'voicemail', 'hang up', 'PBX', 'OpenTouch', 'phone', 'missed call trigger'])(
    'root search "%s" finds the PBX entry',
    (search) => {
      expect({ search, found: rootMatch(search, entry) }).toEqual({ search, found: true });
    },
  );

  it('the rule is not trivially true', () => {
    for (const search of ['slack', 'google sheets', 'postgres', 'xyzzy']) expect({ search, found: rootMatch(search, entry) }).toEqual({ search, found: false });
  });

  it('the words users type are whole aliases (ranked first, not scattered letters)', () => {
    for (const words of ['make call', 'missed call', 'do not disturb', 'forward', 'voicemail']) {
      expect({ words, alias: entry.alias.some((a) => a.toLowerCase().includes(words)) }).toEqual({ words, alias: true });
    }
  });

  it('the trigger carries the same codex (n8n shows it alone where the action node is filtered out)', () => {
    expect(codex('PbxTrigger/PbxTrigger.node.json').alias).toEqual(entry.alias);
    expect(codex('PbxTrigger/PbxTrigger.node.json').categories).toEqual(codex('Pbx/Pbx.node.json').categories);
  });

  it("the entry's description is the PBX node's own and says what both halves do", () => {
    expect(entry.description).toBe(pbx.description);
    expect(entry.description).toMatch(/call/i);
    expect(entry.description).toMatch(/missed/i);
    expect(entry.description).not.toMatch(/^Starts the workflow/);
  });
});

describe("n8n's node panel: the PBX entry's actions", () => {
  const entry = panelEntry();

  it.each([
    ['make call', 'Make a call'],
    ['missed call', 'On missed call'],
    ['do not disturb', 'Set do not disturb'],
    ['forward', 'Set call forwarding'],
    ['hang up', 'Hang up a call'],
  ])('searching "%s" within the entry finds "%s"', (search, action) => {
    expect(actionMatches(search, entry)).toContain(action);
  });

  it('names every event like n8n does ("On missed call"), with no lower-cased abbreviations', () => {
    const events = actionsOf(trigger);
    expect(events.length).toBeGreaterThan(10);
    for (const a of events) expect(a).toMatch(/^On [a-z]/);
    expect(events).toContain('On forward or do not disturb changed');
    expect(events.filter((a) => /\bdnd\b/.test(a))).toEqual([]);
  });

  it('lists every action once, each with a sentence-case name', () => {
    const own = actionsOf(pbx);
    expect(new Set(own).size).toBe(own.length);
    for (const a of own) expect([a, /^[A-Z]/.test(a) && !/ [A-Z][a-z]/.test(a)]).toEqual([a, true]);
  });

  it('says where an action works when not every platform has it', () => {
    const dnd = pbx.properties.filter((p) => p.name === 'operation').flatMap((p) => p.options as INodePropertyOptions[]).find((o) => o.value === 'setDnd')!;
    expect(dnd.description).toMatch(/O2G.*TelServer and Asterisk.* only$/);
    const makeCall = pbx.properties.filter((p) => p.name === 'operation').flatMap((p) => p.options as INodePropertyOptions[]).find((o) => o.value === 'makeCall')!;
    expect(makeCall.description).not.toMatch(/ only$/);
  });
});

describe('canvas subtitles, as n8n evaluates them', () => {
  const subtitle = (d: INodeTypeDescription, parameters: Record<string, unknown>): unknown => {
    const node: INode = { id: 'n', name: 'n', type: `${PKG}.${d.name}`, typeVersion: 1, position: [0, 0], parameters: parameters as INode['parameters'] };
    const { workflow } = makeWorkflow([node], {});
    return workflow.expression.getSimpleParameterValue(node, d.subtitle, 'internal', {});
  };

  it('the PBX node shows the action, not "makeCall: call"', () => {
    expect(subtitle(pbx, { platform: 'opentouch', resource: 'call', operation: 'makeCall' })).toBe('Make a call');
    expect(subtitle(pbx, { platform: 'o2g', resource: 'routing', operation: 'setDnd' })).toBe('Set do not disturb');
    expect(subtitle(pbx, { platform: 'o2g', resource: 'routing', operation: 'syncForwardWithCalendar' })).toBe('Sync forward with calendar');
  });

  it('the trigger shows event names, not internal values', () => {
    expect(subtitle(trigger, { platform: 'opentouch', events: ['call.missed', 'call.ended'] })).toBe('Missed Call, Call Ended');
    expect(subtitle(trigger, { platform: 'opentouch', events: ['routing.changed'] })).toBe('Forward or Do Not Disturb Changed');
  });

  it('every operation has a subtitle text', () => {
    for (const p of pbx.properties.filter((x: INodeProperties) => x.name === 'operation')) {
      for (const o of p.options as INodePropertyOptions[]) {
        const s = subtitle(pbx, { platform: 'o2g', resource: p.displayOptions?.show?.resource?.[0], operation: o.value });
        expect([o.value, s]).toEqual([o.value, o.action]);
      }
    }
  });
});
