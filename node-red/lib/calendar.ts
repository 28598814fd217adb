/**
 * The routing node's "Sync Forward with Calendar" operation: reads the calendar events from msg.payload (an
 * array of events, or iCalendar text), asks the shared decision module what to change, runs those catalogue
 * operations on the connection and remembers the previous routing in the node's context.
 */
import { PbxError } from '../../shared/errors';
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
import type { LocalOperation } from './action';
import { parseIcs } from './ics';
import { resolveInputs } from './params';
import type { FieldSpec, OperationSpec } from '../../shared/operations/catalogue';

export const CALENDAR_SYNC: Omit<OperationSpec, 'name' | 'resource'> & { name: 'syncCalendar'; resource: 'routing' } = {
  resource: 'routing',
  name: 'syncCalendar',
  displayName: 'Sync Forward with Calendar',
  action: 'Forward calls while a calendar event is on',
  description:
    'While a matching calendar event is in progress, forwards calls (or turns do-not-disturb on); restores the previous routing afterwards. Run it every few minutes with the events in msg.payload',
  platforms: ['opentouch', 'o2g', 'telservices'],
  fields: [
    { name: 'titlePattern', displayName: 'Event Titles', type: 'string', default: '', description: 'Comma-separated, case-insensitive; * = anything; empty = every busy event', placeholder: 'meeting, out of office*' },
    { name: 'action', displayName: 'Action', type: 'options', default: 'forward', description: 'What to do while the event is on', options: [
      { name: 'Forward to a Number', value: 'forward' }, { name: 'Forward to Voicemail', value: 'voicemail' }, { name: 'Do Not Disturb', value: 'dnd' }] },
    { name: 'number', displayName: 'Number', type: 'string', default: '', description: 'Where calls go (Forward to a Number)', placeholder: '+33612345678' },
    { name: 'condition', displayName: 'When', type: 'options', default: 'immediate', description: 'When calls are forwarded', options: [
      { name: 'Always (Immediate)', value: 'immediate' }, { name: 'When Busy', value: 'busy' }, { name: 'When Not Answered', value: 'no_answer' }, { name: 'When Busy or Not Answered', value: 'busy_no_answer' }] },
  ] satisfies FieldSpec[],
};

function toEvents(payload: unknown): CalendarEvent[] {
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) return parseIcs(payload.toString());
  if (!Array.isArray(payload)) throw new PbxError('INVALID_INPUT', 'Sync Forward with Calendar: msg.payload must be iCalendar text or an array of events');
  return payload.flatMap((raw: unknown) => {
    const e = (raw ?? {}) as Record<string, unknown>;
    const start = parseCalendarTime(e.start);
    const end = parseCalendarTime(e.end);
    if (!start || !end) return [];
    const title = String(e.title ?? e.summary ?? e.subject ?? '');
    const busy = e.busy === false || e.transparency === 'transparent' || e.showAs === 'free' ? false : undefined;
    return [{ title, start, end, busy }];
  });
}

export const calendarSyncOperation: LocalOperation = {
  name: 'syncCalendar',
  async run({ RED, node, msg, settings, connection, user }) {
    const input = await resolveInputs(RED, node, CALENDAR_SYNC.fields, settings, msg);
    const kind = String(input.action ?? 'forward');
    const condition = String(input.condition ?? 'immediate') as RouteCondition;
    let action: SyncAction;
    if (kind === 'dnd') action = { kind: 'dnd' };
    else if (kind === 'voicemail') action = { kind: 'voicemail', condition };
    else if (kind === 'forward' && input.number) action = { kind: 'forward', number: String(input.number), condition };
    else throw new PbxError('INVALID_INPUT', 'Sync Forward with Calendar: "Number" is required to forward to a number');

    const options = user ? { user } : {};
    const context = (node as { context(): { get(k: string): unknown; set(k: string, v: unknown): void } }).context();
    const memoryKey = `calendarSync:${user ?? ''}`;
    const current = (await connection.execute('getRouting', {}, options)) as RoutingInfo;
    const plan = planCalendarSync({
      events: toEvents(msg.payload),
      rule: { titlePattern: String(input.titlePattern ?? ''), action },
      now: msg.now ? new Date(String(msg.now)) : new Date(),
      current,
      memory: context.get(memoryKey) as SyncMemory | undefined,
    });
    for (const change of plan.changes) {
      await connection.execute(change.operation as OperationName, change.input, options);
    }
    context.set(memoryKey, plan.memory ?? undefined);
    return plan;
  },
};
