/**
 * Routing > Sync Forward With Calendar: the n8n side (parameters, static data, running the planned changes).
 * The decisions are in `shared/routing/calendar-sync.ts`, which the Node-RED node reuses.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { PbxConnection } from '../../shared/connection/types';
import type { RoutingInfo } from '../../shared/model/events';
import type { OperationName } from '../../shared/operations/catalogue';
import {
  parseCalendarTime,
  planCalendarSync,
  type CalendarEvent,
  type RouteCondition,
  type SyncAction,
  type SyncMemory,
} from '../../shared/routing/calendar-sync';
import { operationSpec } from '../../shared/operations/catalogue';
import type { ExtraOperation } from '../shared/descriptions';
import { PBX_PLATFORMS } from '../shared/platforms';

export const CALENDAR_SYNC = 'syncForwardWithCalendar';

function dndPlatforms(): string[] {
  const setDnd = operationSpec('setDnd');
  return PBX_PLATFORMS.map((p) => p.platform).filter((p) => setDnd?.platforms.includes(p));
}

const show = { show: { resource: ['routing'], operation: [CALENDAR_SYNC] } };

const properties: INodeProperties[] = [
  {
    displayName: 'Event Title Matches',
    name: 'titlePattern',
    type: 'string',
    default: '',
    placeholder: 'meeting, *offsite*, Out of office',
    description: 'The rule applies while an event whose title matches is in progress: comma-separated, case-insensitive, text to find or patterns with *; empty for every event',
    displayOptions: show,
  },
  {
    displayName: 'While in Progress',
    name: 'syncAction',
    type: 'options',
    default: 'forward',
    options: [
      // Only where the platform can turn do not disturb on (O2G; not OpenTouch).
      { name: 'Do Not Disturb', value: 'dnd', displayOptions: { show: { platform: dndPlatforms() } } },
      { name: 'Forward to a Number', value: 'forward' },
      { name: 'Forward to Voicemail', value: 'voicemail' },
    ],
    displayOptions: show,
  },
  {
    displayName: 'Forward To',
    name: 'forwardNumber',
    type: 'string',
    default: '',
    required: true,
    placeholder: '0612345678',
    description: 'Number or extension calls go to while the event is in progress',
    displayOptions: { show: { ...show.show, syncAction: ['forward'] } },
  },
  {
    displayName: 'When',
    name: 'forwardCondition',
    type: 'options',
    default: 'immediate',
    options: [
      { name: 'Always (Immediate)', value: 'immediate' },
      { name: 'When Busy', value: 'busy' },
      { name: 'When Busy or Not Answered', value: 'busy_no_answer' },
      { name: 'When Not Answered', value: 'no_answer' },
    ],
    displayOptions: { show: { ...show.show, syncAction: ['forward', 'voicemail'] } },
  },
  {
    displayName: 'Event Title',
    name: 'eventTitle',
    type: 'string',
    default: '={{ $json.summary ?? $json.subject ?? $json.title ?? "" }}',
    description: 'Title of each input calendar event (defaults fit Google Calendar and Microsoft Outlook items)',
    displayOptions: show,
  },
  {
    displayName: 'Event Start',
    name: 'eventStart',
    type: 'string',
    default: '={{ $json.start?.dateTime ?? $json.start?.date ?? $json.start }}',
    description: 'Start time of each event: ISO text, epoch milliseconds, or a `{ dateTime }` / `{ date }` object',
    displayOptions: show,
  },
  {
    displayName: 'Event End',
    name: 'eventEnd',
    type: 'string',
    default: '={{ $json.end?.dateTime ?? $json.end?.date ?? $json.end }}',
    description: 'End time of each event, same formats as the start',
    displayOptions: show,
  },
  {
    displayName: 'Event Shows as Busy',
    name: 'eventBusy',
    type: 'boolean',
    default: '={{ $json.transparency !== "transparent" && $json.showAs !== "free" }}',
    description: 'Whether the event counts (events shown as free/available are ignored)',
    displayOptions: show,
  },
];

export const calendarSyncOperation: ExtraOperation = {
  resource: 'routing',
  name: CALENDAR_SYNC,
  displayName: 'Sync Forward with Calendar',
  action: 'Sync forward with calendar',
  description: 'Apply the forward, voicemail or do not disturb that should hold now given the input calendar events; restore the previous forward when the event ends',
  requires: ['getRouting', 'setForward', 'cancelForward'],
  properties,
};

/**
 * Runs once per execution over all input items (the calendar events) and outputs one item: what changed and why.
 *
 * Where the "previous forward" lives: in the node's workflow static data, keyed by platform, server and user.
 * The stateless alternative (keeping it in the PBX routing itself) is not available: an ALE forward is only a
 * destination and a condition, with no field to tag it as ours or to stash the forward it replaced, and
 * inferring "restore = cancel" from the PBX state alone would throw away a forward the user had before the
 * meeting. Static data is saved by n8n after every production execution (the Schedule Trigger runs this
 * operation), survives restarts, and is per node, so two sync nodes for two users never collide. Only what the
 * sync applied and what it replaced are stored (no secrets). Manual test runs do not persist static data.
 */
export async function runCalendarSync(
  this: IExecuteFunctions,
  connection: PbxConnection,
  memoryKey: string,
  user: string | undefined,
): Promise<INodeExecutionData[]> {
  const items = this.getInputData();
  const node = this.getNode();
  const events: CalendarEvent[] = [];
  let skipped = 0;
  for (let i = 0; i < items.length; i++) {
    const start = parseCalendarTime(this.getNodeParameter('eventStart', i, ''));
    const end = parseCalendarTime(this.getNodeParameter('eventEnd', i, ''));
    if (!start || !end) {
      skipped++; // e.g. the empty item of "Always Output Data" when the calendar has no events
      continue;
    }
    const title = this.getNodeParameter('eventTitle', i, '');
    events.push({ title: typeof title === 'string' ? title : String(title ?? ''), start, end, busy: this.getNodeParameter('eventBusy', i, true) !== false });
  }

  const kind = this.getNodeParameter('syncAction', 0) as SyncAction['kind'];
  const condition = (kind === 'dnd' ? undefined : this.getNodeParameter('forwardCondition', 0, 'immediate')) as RouteCondition | undefined;
  let action: SyncAction;
  if (kind === 'forward') {
    const number = String(this.getNodeParameter('forwardNumber', 0, '')).trim();
    if (!number) throw new NodeOperationError(node, 'No number to forward to', { description: 'Fill in "Forward To", or pick voicemail or do not disturb' });
    action = { kind, number, condition };
  } else if (kind === 'voicemail') action = { kind, condition };
  else if (kind === 'dnd') {
    if (!connection.supports('setDnd')) {
      throw new NodeOperationError(node, `${connection.platform === 'opentouch' ? 'OpenTouch' : 'This PBX'} has no do not disturb to turn on`, {
        description: 'Pick "Forward to Voicemail" or "Forward to a Number" in "While in Progress"',
      });
    }
    action = { kind: 'dnd' };
  } else throw new NodeOperationError(node, `Unknown "While in Progress" value "${String(kind)}"`);
  const titlePattern = String(this.getNodeParameter('titlePattern', 0, ''));

  const options = user ? { user } : {};
  const routing = async (): Promise<RoutingInfo> => (await connection.execute('getRouting', {}, options)) as RoutingInfo;
  const before = await routing();
  const store = this.getWorkflowStaticData('node');
  const memory = (store[memoryKey] as SyncMemory | undefined) ?? null;

  const plan = planCalendarSync({ events, rule: { titlePattern, action }, now: new Date(), current: before, memory });
  for (const change of plan.changes) {
    await connection.execute(change.operation as OperationName, change.input, options);
  }
  // Remember only once every change went through: a failed run is planned again from the same memory.
  if (plan.memory) store[memoryKey] = plan.memory as unknown as IDataObject;
  else delete store[memoryKey];
  const after = plan.changes.length ? await routing() : before;

  const json: IDataObject = {
    user: user ?? null,
    now: plan.now,
    changed: plan.changes.length > 0,
    reason: plan.reason,
    activeEvent: plan.activeEvent,
    changes: plan.changes.map((c) => ({ operation: c.operation, input: c.input as IDataObject, description: c.description })),
    before: { forward: before.forward, dnd: before.dnd } as unknown as IDataObject,
    after: { forward: after.forward, dnd: after.dnd } as unknown as IDataObject,
    restoresTo: (plan.memory?.previous ?? null) as unknown as IDataObject,
    eventsRead: events.length,
    itemsSkipped: skipped,
  };
  return [{ json, pairedItem: items.map((_, item) => ({ item })) }];
}
