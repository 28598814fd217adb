/**
 * The node descriptions as n8n's editor reads them (issue 12, n8n items 16-22). The node picker builds its
 * actions from every property whose display name is "Operation": each option becomes one action with the
 * resource of the property's `displayOptions.show.resource` (editor-ui `useActionsGeneration`). Visibility is
 * n8n's own `NodeHelpers.displayParameter`, options included.
 */
import { NodeHelpers, type INode, type INodeProperties, type INodePropertyOptions, type INodeTypeDescription } from 'n8n-workflow';
import { OPERATIONS, type OperationSpec } from '../../shared/operations/catalogue';
import { Pbx } from '../../nodes/Pbx/Pbx.node';
import { PbxTrigger } from '../../nodes/PbxTrigger/PbxTrigger.node';
import { PBX_PLATFORMS } from '../../nodes/shared/platforms';
import { CALENDAR_SYNC } from '../../nodes/Pbx/calendarSync';

const pbx = new Pbx().description;
const trigger = new PbxTrigger().description;
const platforms = PBX_PLATFORMS.map((p) => p.platform);
const catalogue = OPERATIONS as unknown as readonly OperationSpec[];

const node = (d: INodeTypeDescription, parameters: Record<string, unknown>): INode => ({
  id: 'n', name: 'n', type: d.name, typeVersion: 1, position: [0, 0], parameters: parameters as INode['parameters'],
});
/** n8n's visibility rule for a property or an option, for these parameter values. */
const shown = (d: INodeTypeDescription, p: INodeProperties | INodePropertyOptions, values: Record<string, unknown>): boolean =>
  !('displayOptions' in p) || !p.displayOptions || NodeHelpers.displayParameter(values as never, p as never, node(d, values), d);

/** The node picker's actions: one per option of each "Operation" property, keyed resource:operation. */
function pickerActions(d: INodeTypeDescription): string[] {
  return d.properties
    .filter((p) => p.displayName.toLowerCase() === 'operation')
    .flatMap((p) => (p.options as INodePropertyOptions[]).map((o) => `${String(p.displayOptions?.show?.resource?.[0])}:${String(o.value)}`));
}

/** What the editor shows for a platform and resource: the one visible Operation property and its visible options. */
function visibleOperations(platform: string, resource: string): string[] {
  const values = { platform, resource };
  const props = pbx.properties.filter((p) => p.name === 'operation' && shown(pbx, p, values));
  expect([platform, resource, props.length]).toEqual([platform, resource, 1]);
  return (props[0]!.options as INodePropertyOptions[]).filter((o) => shown(pbx, o, values)).map((o) => String(o.value));
}

describe('PBX node: the actions n8n lists in its node picker', () => {
  const actions = pickerActions(pbx);

  it('lists every action once', () => {
    expect(actions.length).toBeGreaterThan(20);
    expect(actions.filter((a, i) => actions.indexOf(a) !== i)).toEqual([]);
  });

  it('lists every operation of every offered platform, Do Not Disturb and Sync Forward with Calendar included', () => {
    const expected = catalogue.filter((o) => o.platforms.some((p) => platforms.includes(p))).map((o) => `${o.resource}:${o.name}`);
    expect([...actions].sort()).toEqual([...expected, `routing:${CALENDAR_SYNC}`].sort());
    expect(actions).toEqual(expect.arrayContaining(['routing:setDnd', 'routing:getDnd']));
  });

  it('shows each platform exactly the operations the catalogue gives it, with a valid default', () => {
    const resources = (pbx.properties.find((p) => p.name === 'resource')!.options as INodePropertyOptions[]);
    expect(pbx.properties.filter((p) => p.name === 'resource')).toHaveLength(1);
    for (const platform of platforms) {
      for (const r of resources.filter((o) => shown(pbx, o, { platform }))) {
        const ops = visibleOperations(platform, String(r.value));
        const expected = catalogue.filter((o) => o.resource === r.value && o.platforms.includes(platform)).map((o) => o.name as string);
        if (r.value === 'routing' && ['getRouting', 'setForward', 'cancelForward'].every((n) => expected.includes(n))) expected.push(CALENDAR_SYNC);
        expect([platform, r.value, [...ops].sort()]).toEqual([platform, r.value, [...expected].sort()]);
        // One default per resource: it must exist on OpenTouch and O2G (a platform with a disjoint set of
        // operations in a resource, e.g. TelServices messaging, opens on an operation it has to pick again).
        const prop = pbx.properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.[0] === r.value)!;
        if (platform === 'opentouch' || platform === 'o2g') expect([platform, r.value, ops.includes(String(prop.default))]).toEqual([platform, r.value, true]);
      }
    }
    expect(visibleOperations('o2g', 'routing')).toEqual(expect.arrayContaining(['setDnd', 'getDnd']));
    expect(visibleOperations('opentouch', 'routing')).not.toContain('setDnd');
  });

  it('says plainly that a platform with no actions (Voicenter) has events only, and shows no empty dropdowns', () => {
    const eventsOnly = platforms.filter((p) => !catalogue.some((o) => o.platforms.includes(p)));
    expect(eventsOnly).toContain('voicenter');
    for (const platform of platforms) {
      const visible = pbx.properties.filter((p) => shown(pbx, p, { platform, resource: 'call' }));
      const notices = visible.filter((p) => p.type === 'notice');
      if (eventsOnly.includes(platform)) {
        expect(notices.map((n) => n.displayName)).toEqual([expect.stringMatching(/no actions.*events only.*PBX Trigger/)]);
        expect(visible.filter((p) => p.name === 'resource' || p.name === 'operation')).toEqual([]);
      } else {
        expect([platform, notices.length]).toEqual([platform, 0]);
      }
    }
  });
});

describe('PBX node: fields', () => {
  const prop = (name: string, values: Record<string, unknown>) => pbx.properties.filter((p) => p.name === name && shown(pbx, p, values));

  it('writes each boolean description by hand ("Whether ...", no generated "Whether to on")', () => {
    const booleans = [...pbx.properties, ...trigger.properties].flatMap((p) => (p.type === 'collection' ? (p.options as INodeProperties[]) : [p])).filter((p) => p.type === 'boolean');
    expect(booleans.length).toBeGreaterThan(5);
    for (const b of booleans) {
      expect([b.name, /^Whether /.test(b.description ?? '')]).toEqual([b.name, true]);
      expect([b.name, b.description]).not.toEqual([b.name, expect.stringMatching(/Whether to (on|only|ask|let)\b/)]);
    }
  });

  it('shows Set Forward / Set Overflow Number only for a number, Set Agent State Group only for Log On', () => {
    for (const operation of ['setForward', 'setOverflow']) {
      const base = { platform: 'opentouch', resource: 'routing', operation };
      expect(prop('number', { ...base, target: 'voicemail' })).toHaveLength(0);
      expect(prop('number', { ...base, target: 'number' })).toHaveLength(1);
    }
    const agent = { platform: 'o2g', resource: 'agent', operation: 'setAgentState' };
    for (const state of ['logoff', 'ready', 'not_ready']) expect([state, prop('group', { ...agent, state })]).toEqual([state, []]);
    expect(prop('group', { ...agent, state: 'logon' })).toHaveLength(1);
  });

  it('follows n8n house style: Get Many with Return All + Limit, dateTime Since, record IDs as a list, a hint for Call ID', () => {
    const list = { platform: 'opentouch', resource: 'callLog', operation: 'listCallLog' };
    expect(prop('returnAll', list)).toHaveLength(1);
    expect(prop('limit', { ...list, returnAll: true })).toHaveLength(0);
    expect(prop('limit', { ...list, returnAll: false })).toHaveLength(1);
    expect(prop('since', list)[0]!.type).toBe('dateTime');
    const ack = prop('recordIds', { platform: 'opentouch', resource: 'callLog', operation: 'acknowledgeCallLog' })[0]!;
    expect(ack.typeOptions?.multipleValues).toBe(true);
    const callId = prop('callId', { platform: 'opentouch', resource: 'call', operation: 'hangUp' })[0]!;
    expect(callId.placeholder).toBeUndefined();
    expect(callId.hint).toMatch(/\{\{ \$json\.call\.id \}\}/);
    const names = catalogue.filter((o) => o.resource === 'messaging' || o.resource === 'callLog' || o.name === 'listCalls').map((o) => o.displayName);
    expect(names.filter((n) => /^List /.test(n))).toEqual([]);
  });

  it('writes operation descriptions as imperatives and titles with a lower-case "with"', () => {
    const ops = pbx.properties.filter((p) => p.name === 'operation').flatMap((p) => p.options as INodePropertyOptions[]);
    for (const o of ops) {
      expect([o.value, /^[A-Z][a-z]+s\b/.test(o.description ?? '') && !/^(Access|Process)/.test(o.description ?? '')]).toEqual([o.value, false]);
      expect([o.value, / With /.test(o.name)]).toEqual([o.value, false]);
    }
  });

  it('offers Do Not Disturb in Sync Forward with Calendar only where the platform has it', () => {
    const syncAction = (platform: string) => {
      const values = { platform, resource: 'routing', operation: CALENDAR_SYNC };
      const p = pbx.properties.find((x) => x.name === 'syncAction' && shown(pbx, x, values))!;
      return (p.options as INodePropertyOptions[]).filter((o) => shown(pbx, o, values)).map((o) => o.value);
    };
    expect(syncAction('opentouch')).not.toContain('dnd');
    expect(syncAction('o2g')).toContain('dnd');
  });
});

describe('PBX Trigger: events', () => {
  const events = trigger.properties.find((p) => p.name === 'events')!;
  const visible = (platform: string) => (events.options as INodePropertyOptions[]).filter((o) => shown(trigger, o, { platform })).map((o) => String(o.value));

  it('names events without brackets or slashes', () => {
    for (const o of events.options as INodePropertyOptions[]) expect([o.value, /[()/]/.test(o.name)]).toEqual([o.value, false]);
  });

  it('offers queue and agent events only where the platform has them (not OpenTouch)', () => {
    expect(visible('opentouch').filter((v) => /^(queue|agent)\./.test(v))).toEqual([]);
    expect(visible('o2g')).toEqual(expect.arrayContaining(['queue.joined', 'queue.answered', 'queue.abandoned', 'agent.state']));
    expect(visible('opentouch')).toEqual(expect.arrayContaining(['call.missed', 'call.ended']));
  });
});
