/** User-facing names of the normalized event types (the Trigger's "Events" list). */
import type { EventType } from '../../shared/model/events';

/** OpenTouch has no call-center (queue, agent) events; the other platforms do. */
const NOT_ON_OPENTOUCH = { hide: { platform: ['opentouch'] } };

interface EventOption {
  name: string;
  value: EventType;
  description: string;
  /** n8n's panel lists each event as an action ("On missed call"); set from the name below. */
  action?: string;
  displayOptions?: typeof NOT_ON_OPENTOUCH;
}

const OPTIONS: EventOption[] = [
  { name: 'Agent State Changed', value: 'agent.state', description: 'A call-center agent logged on or off, or became ready or not ready', displayOptions: NOT_ON_OPENTOUCH },
  { name: 'Call Answered', value: 'call.answered', description: 'A call of a monitored user was answered' },
  { name: 'Call Log Record Created', value: 'callLog.created', description: 'The PBX wrote a call-log record (one per call)' },
  { name: 'Call Ended', value: 'call.ended', description: 'A call is over: one item with who, when, ring and talk time and why it ended' },
  { name: 'Call Held', value: 'call.held', description: 'A call was put on hold' },
  { name: 'Call Redirected or Forwarded', value: 'call.redirected', description: 'A ringing call was sent elsewhere (redirect, forward, voicemail)' },
  { name: 'Call Retrieved', value: 'call.retrieved', description: 'A held call was taken back' },
  { name: 'Call Transferred', value: 'call.transferred', description: 'A call was transferred to another party' },
  { name: 'Conference', value: 'call.conferenced', description: 'Calls were merged into a conference', action: 'On calls merged into a conference' },
  { name: 'Connection Lost or Restored', value: 'connection.state', description: 'The link to the PBX went down or came back' },
  { name: 'Device State Changed', value: 'device.state', description: "A user's phone changed state" },
  { name: 'Forward or Do Not Disturb Changed', value: 'routing.changed', description: 'A forward, overflow or do not disturb setting changed' },
  { name: 'Incoming Call', value: 'call.incoming', description: 'A call starts ringing for a monitored user' },
  { name: 'Missed Call', value: 'call.missed', description: 'An incoming call ended without being answered by the user' },
  { name: 'Outgoing Call', value: 'call.outgoing', description: 'A monitored user places a call' },
  { name: 'Queue Call Abandoned', value: 'queue.abandoned', description: 'A caller hung up while waiting in a queue', displayOptions: NOT_ON_OPENTOUCH },
  { name: 'Queue Call Answered', value: 'queue.answered', description: 'An agent answered a queued call', displayOptions: NOT_ON_OPENTOUCH },
  { name: 'Queue Call Joined', value: 'queue.joined', description: 'A call entered a queue', displayOptions: NOT_ON_OPENTOUCH },
  { name: 'Unanswered Call', value: 'call.unanswered', description: 'A call rang one or more monitored users and none answered: one item per call (a ring group, forward or queue included), with the missed calls it sums up' },
  { name: 'Unanswered Call Not Returned', value: 'call.unreturned', description: 'Nobody called back (or got the caller) within the follow-up time after an unanswered call' },
  { name: 'Unanswered Call Returned', value: 'call.returned', description: 'A monitored user called the caller of an unanswered call back, or the caller got through, within 24 h' },
  { name: 'User State Changed', value: 'user.state', description: 'A user became free, busy or away' },
  { name: 'Voicemail or Missed-Call Counters Changed', value: 'messages.changed', description: 'Unread voicemails or missed-call counters changed', action: 'On voicemail or missed call counters changed' },
];

/** "Missed Call" -> "On missed call": n8n's own wording for trigger actions, written out (n8n would lower-case DND). */
const onEvent = (name: string): string => `On ${name.toLowerCase()}`;

export const EVENT_OPTIONS: readonly EventOption[] = OPTIONS.map((o) => ({ ...o, action: o.action ?? onEvent(o.name) }));

/** Event value -> name, for the trigger's subtitle. */
export const EVENT_NAMES: Record<string, string> = Object.fromEntries(OPTIONS.map((o) => [o.value, o.name]));
