/**
 * Routing > Sync Forward With Calendar on the real engine: Manual Trigger -> calendar items -> PBX, three runs
 * (event starts: set; still on: keep; over: restore), with the workflow's static data carried from run to run
 * the way n8n saves and reloads it (JSON).
 */
import './helpers/env';
import type { IDataObject, INode } from 'n8n-workflow';
import { openConnectionCount } from '../../shared/connection/registry';
import type { Simulator } from '../../simulator';
import { chain, makeWorkflow, output, runManual } from './helpers/engine';
import { credentialsFor, manualTrigger, pbxNode, simulatorForFile } from './helpers/sim';

let sim: Simulator;
simulatorForFile((s) => (sim = s));

const minutes = (m: number): string => new Date(Date.now() + m * 60_000).toISOString();

/** Google Calendar node items (summary, start/end objects, transparency). */
const googleEvent = (summary: string, fromMin: number, toMin: number, extra: IDataObject = {}): IDataObject => ({
  kind: 'calendar#event', id: summary.replace(/\W/g, ''), summary,
  start: { dateTime: minutes(fromMin) }, end: { dateTime: minutes(toMin) }, ...extra,
});

function calendarNode(items: IDataObject[]): INode {
  return { id: 'n-cal', name: 'Calendar', type: 'test.calendarFixture', typeVersion: 1, position: [100, 0], parameters: { items: JSON.stringify(items) } };
}

const sync = pbxNode('Sync', 'opentouch', {
  resource: 'routing',
  operation: 'syncForwardWithCalendar',
  titlePattern: 'meeting',
  syncAction: 'forward',
  forwardNumber: '0612345678',
  forwardCondition: 'immediate',
});

async function runOnce(items: IDataObject[], staticData: IDataObject): Promise<{ out: IDataObject; staticData: IDataObject }> {
  const tw = makeWorkflow([manualTrigger(), calendarNode(items), sync], chain('Manual', 'Calendar', 'Sync'), staticData);
  const run = await runManual(tw, 'Manual', credentialsFor(sim, 'opentouch', 'alice'));
  expect(run.data.resultData.error).toBeUndefined();
  const out = output(run, 'Sync');
  expect(out).toHaveLength(1);
  expect(out[0]!.pairedItem).toEqual(items.map((_, item) => ({ item })));
  // What n8n stores after the execution and hands to the next one.
  const { __dataChanged: _changed, ...saved } = tw.workflow.staticData as IDataObject;
  return { out: out[0]!.json, staticData: JSON.parse(JSON.stringify(saved)) as IDataObject };
}

describe('Sync Forward With Calendar (n8n-core WorkflowExecute, simulator)', () => {
  it('sets, keeps and restores a forward across three runs', async () => {
    sim.pbx.setForward('alice', { destination: '203', condition: 'busy' }); // the user's own forward before
    const lunch = googleEvent('Lunch', -30, 30);

    // Run 1: the meeting has started -> forward to the mobile.
    const r1 = await runOnce([googleEvent('Team meeting', -5, 55), lunch], {});
    expect(r1.out).toMatchObject({ changed: true, activeEvent: { title: 'Team meeting' } });
    expect(r1.out.changes).toEqual([expect.objectContaining({ operation: 'setForward' })]);
    expect(sim.pbx.routing('alice').forward).toEqual({ destination: '0612345678', condition: 'immediate' });

    // Run 2: still in the meeting -> nothing to change.
    const r2 = await runOnce([googleEvent('Team meeting', -10, 50), lunch], r1.staticData);
    expect(r2.out).toMatchObject({ changed: false, changes: [] });
    expect(sim.pbx.routing('alice').forward).toEqual({ destination: '0612345678', condition: 'immediate' });

    // Run 3: the meeting is over -> the forward that held before comes back.
    const r3 = await runOnce([googleEvent('Team meeting', -70, -10), lunch], r2.staticData);
    expect(r3.out).toMatchObject({ changed: true, activeEvent: null });
    expect(r3.out.reason).toMatch(/over/);
    expect(sim.pbx.routing('alice').forward).toEqual({ destination: '203', condition: 'busy' });
    expect(r3.staticData).toEqual({ 'node:Sync': {} });
    expect(openConnectionCount()).toBe(0);
  });

  it('ignores events shown as free, and skips items without times', async () => {
    sim.pbx.setForward('alice', null);
    const { out } = await runOnce([googleEvent('Meeting (optional)', -5, 55, { transparency: 'transparent' }), {}], {});
    expect(out).toMatchObject({ changed: false, eventsRead: 1, itemsSkipped: 1, activeEvent: null });
    expect(sim.pbx.routing('alice').forward).toBeNull();
  });
});
