/**
 * The operation catalogue, shared by the n8n and Node-RED nodes so their UIs never drift:
 * names, fields, help text, and which platforms implement each operation.
 * Platform modules implement the operations; this file only describes them.
 */
import type { Platform } from '../model/events';

export type Resource = 'call' | 'routing' | 'messaging' | 'callLog' | 'directory' | 'agent';

export interface FieldSpec {
  name: string;
  displayName: string;
  type: 'string' | 'number' | 'boolean' | 'options' | 'json';
  required?: boolean;
  default?: string | number | boolean;
  description: string;
  placeholder?: string;
  options?: Array<{ name: string; value: string; description?: string }>;
}

export interface OperationSpec {
  resource: Resource;
  name: OperationName;
  displayName: string;
  /** Short sentence for n8n's `action` and Node-RED help. */
  action: string;
  description: string;
  fields: FieldSpec[];
  platforms: Platform[];
  /** Call capability the PBX must grant on the call (ALE `capabilities`), checked before sending. */
  callCapability?: string;
}

const ALE: Platform[] = ['opentouch', 'o2g'];
const OT: Platform[] = ['opentouch'];
const O2G: Platform[] = ['o2g'];

const callId: FieldSpec = {
  name: 'callId', displayName: 'Call ID', type: 'string', required: true,
  description: 'The call reference, e.g. `call.id` from a PBX Trigger event', placeholder: '={{ $json.call.id }}',
};
const destination = (what: string): FieldSpec => ({
  name: 'destination', displayName: 'Destination', type: 'string', required: true,
  description: `Number or extension ${what}`, placeholder: '+33123456789',
});
const deviceId: FieldSpec = {
  name: 'deviceId', displayName: 'Device', type: 'string', default: '',
  description: "The user's device to use; empty for the user's main device",
};
const forwardCondition: FieldSpec = {
  name: 'condition', displayName: 'When', type: 'options', default: 'immediate', description: 'When calls are forwarded',
  options: [
    { name: 'Always (Immediate)', value: 'immediate' },
    { name: 'When Busy', value: 'busy' },
    { name: 'When Not Answered', value: 'no_answer' },
    { name: 'When Busy or Not Answered', value: 'busy_no_answer' },
  ],
};
const routeTarget: FieldSpec = {
  name: 'target', displayName: 'Forward To', type: 'options', default: 'number', description: 'Where calls go',
  options: [
    { name: 'A Number', value: 'number' },
    { name: 'Voicemail', value: 'voicemail' },
  ],
};
const routeNumber: FieldSpec = {
  name: 'number', displayName: 'Number', type: 'string', default: '',
  description: 'Number or extension calls go to (when Forward To is A Number)',
};

export const OPERATIONS = [
  // ---- call control
  { resource: 'call', name: 'makeCall', displayName: 'Make Call', action: 'Call a number', platforms: ALE,
    description: "Rings the user's device, then calls the destination when the user picks up",
    fields: [destination('to call'), deviceId, { name: 'autoAnswer', displayName: 'Auto Answer', type: 'boolean', default: false, description: 'Ask the device to go off-hook by itself (if it can)' }] },
  { resource: 'call', name: 'answer', displayName: 'Answer', action: 'Answer a ringing call', platforms: ALE, callCapability: 'answer', description: 'Answers a ringing call on the device it rings on', fields: [callId, deviceId] },
  { resource: 'call', name: 'hangUp', displayName: 'Hang Up', action: 'Hang up a call', platforms: ALE, callCapability: 'drop', description: 'Releases the user from the call', fields: [callId] },
  { resource: 'call', name: 'hold', displayName: 'Hold', action: 'Put a call on hold', platforms: ALE, callCapability: 'hold', description: 'Puts an active call on hold', fields: [callId, deviceId] },
  { resource: 'call', name: 'retrieve', displayName: 'Retrieve', action: 'Retrieve a held call', platforms: ALE, callCapability: 'retrieve', description: 'Takes a held call back', fields: [callId, deviceId] },
  { resource: 'call', name: 'alternate', displayName: 'Alternate', action: 'Switch between two calls', platforms: ALE, callCapability: 'alternate', description: 'Holds the active call and retrieves the held one', fields: [{ ...callId, description: 'The held call to go back to' }, deviceId] },
  { resource: 'call', name: 'transfer', displayName: 'Transfer (Attended)', action: 'Transfer a call to another call', platforms: ALE, callCapability: 'transfer', description: 'Joins the held call with the active consultation call and leaves', fields: [{ ...callId, description: 'The active (consultation) call' }, { name: 'heldCallId', displayName: 'Held Call ID', type: 'string', required: true, description: 'The held call to transfer' }] },
  { resource: 'call', name: 'blindTransfer', displayName: 'Blind Transfer', action: 'Blind transfer a call', platforms: ALE, callCapability: 'transfer', description: 'Sends the call to another number without consulting first', fields: [callId, destination('to transfer to')] },
  { resource: 'call', name: 'redirect', displayName: 'Redirect', action: 'Redirect a ringing call', platforms: ALE, callCapability: 'redirect', description: 'Sends a ringing call to another number', fields: [callId, destination('to redirect to')] },
  { resource: 'call', name: 'sendToVoicemail', displayName: 'Send to Voicemail', action: 'Send a ringing call to voicemail', platforms: ALE, callCapability: 'redirectToVoiceMail', description: "Sends a ringing call to the user's voicemail", fields: [callId] },
  { resource: 'call', name: 'conference', displayName: 'Conference', action: 'Merge two calls into a conference', platforms: ALE, callCapability: 'conference', description: 'Merges the active and the held call into a three-party conference', fields: [{ ...callId, description: 'The active call' }, { name: 'heldCallId', displayName: 'Held Call ID', type: 'string', required: true, description: 'The held call to merge' }] },
  { resource: 'call', name: 'addParticipant', displayName: 'Add Participant', action: 'Add a participant to a call', platforms: OT, callCapability: 'addParticipant', description: 'Calls a number and adds it to the call', fields: [callId, destination('to add')] },
  { resource: 'call', name: 'sendDtmf', displayName: 'Send DTMF', action: 'Send DTMF digits', platforms: ALE, callCapability: 'sendDtmf', description: 'Sends touch-tone digits on an active call', fields: [callId, { name: 'digits', displayName: 'Digits', type: 'string', required: true, description: 'Digits 0-9, *, #', placeholder: '1234#' }] },
  { resource: 'call', name: 'park', displayName: 'Park', action: 'Park a call', platforms: ALE, callCapability: 'park', description: 'Parks the call on a number so anyone can pick it up', fields: [callId, { ...destination('to park on'), required: false, default: '' }] },
  { resource: 'call', name: 'pickUp', displayName: 'Pick Up', action: "Pick up another user's ringing call", platforms: ALE, description: "Takes a call that rings on another user's phone", fields: [callId, { name: 'otherUser', displayName: 'Ringing User', type: 'string', required: true, description: 'Login or extension of the user whose phone rings' }] },
  { resource: 'call', name: 'listCalls', displayName: 'List Calls', action: 'List current calls', platforms: ALE, description: "The user's current calls", fields: [] },
  // ---- routing
  { resource: 'routing', name: 'getRouting', displayName: 'Get Routing', action: 'Get forward and do-not-disturb state', platforms: ALE, description: 'Current forward, overflow and do-not-disturb state', fields: [] },
  { resource: 'routing', name: 'setForward', displayName: 'Set Forward', action: 'Forward calls', platforms: ALE, description: "Forwards the user's calls to a number or voicemail", fields: [routeTarget, routeNumber, forwardCondition] },
  { resource: 'routing', name: 'cancelForward', displayName: 'Cancel Forward', action: 'Cancel call forwarding', platforms: ALE, description: 'Calls ring the user again', fields: [] },
  { resource: 'routing', name: 'setOverflow', displayName: 'Set Overflow', action: 'Set call overflow', platforms: ALE, description: 'Where unanswered or busy calls overflow to', fields: [routeTarget, routeNumber, { ...forwardCondition, default: 'no_answer', options: forwardCondition.options!.slice(1) }] },
  { resource: 'routing', name: 'cancelOverflow', displayName: 'Cancel Overflow', action: 'Cancel call overflow', platforms: ALE, description: 'Removes the overflow', fields: [] },
  { resource: 'routing', name: 'setDnd', displayName: 'Set Do Not Disturb', action: 'Turn do not disturb on or off', platforms: O2G, description: 'Turns do-not-disturb on or off', fields: [{ name: 'enabled', displayName: 'Do Not Disturb', type: 'boolean', default: true, description: 'On or off' }] },
  { resource: 'routing', name: 'getDnd', displayName: 'Get Do Not Disturb', action: 'Get do not disturb state', platforms: O2G, description: 'Whether do-not-disturb is on', fields: [] },
  // ---- messaging
  { resource: 'messaging', name: 'listVoicemails', displayName: 'List Voicemails', action: 'List voicemails', platforms: ALE, description: "Voicemails in the user's mailbox", fields: [{ name: 'unreadOnly', displayName: 'Unread Only', type: 'boolean', default: false, description: 'Only new voicemails' }, { name: 'limit', displayName: 'Limit', type: 'number', default: 50, description: 'Max number of results to return' }] },
  { resource: 'messaging', name: 'deleteVoicemail', displayName: 'Delete Voicemail', action: 'Delete a voicemail', platforms: ALE, description: 'Deletes one voicemail', fields: [{ name: 'voicemailId', displayName: 'Voicemail ID', type: 'string', required: true, description: 'ID from List Voicemails' }] },
  { resource: 'messaging', name: 'markVoicemailRead', displayName: 'Mark Voicemail Read', action: 'Mark a voicemail as read', platforms: ALE, description: 'Marks one voicemail as listened to', fields: [{ name: 'voicemailId', displayName: 'Voicemail ID', type: 'string', required: true, description: 'ID from List Voicemails' }] },
  { resource: 'messaging', name: 'getCounters', displayName: 'Get Counters', action: 'Get voicemail and missed-call counters', platforms: ALE, description: 'Unread voicemails, missed calls and callback requests', fields: [] },
  { resource: 'messaging', name: 'sendInstantMessage', displayName: 'Send Instant Message', action: 'Send an instant message', platforms: OT, description: 'Sends a chat message to another user', fields: [{ name: 'to', displayName: 'To', type: 'string', required: true, description: 'Login of the recipient' }, { name: 'message', displayName: 'Message', type: 'string', required: true, description: 'Text to send' }] },
  // ---- call log
  { resource: 'callLog', name: 'listCallLog', displayName: 'List Call Log', action: 'List call log records', platforms: ALE, description: "Records of the user's call log", fields: [{ name: 'unansweredOnly', displayName: 'Unanswered Only', type: 'boolean', default: false, description: 'Only missed calls' }, { name: 'unacknowledgedOnly', displayName: 'Unacknowledged Only', type: 'boolean', default: false, description: 'Only records not yet acknowledged' }, { name: 'since', displayName: 'Since', type: 'string', default: '', description: 'ISO date; only records after it' }, { name: 'limit', displayName: 'Limit', type: 'number', default: 50, description: 'Max number of results to return' }] },
  { resource: 'callLog', name: 'acknowledgeCallLog', displayName: 'Acknowledge Call Log', action: 'Acknowledge call log records', platforms: ALE, description: 'Marks records as seen (lowers the missed-call counter)', fields: [{ name: 'recordIds', displayName: 'Record IDs', type: 'string', required: true, description: 'Comma-separated record IDs' }] },
  // ---- directory
  { resource: 'directory', name: 'searchDirectory', displayName: 'Search', action: 'Search the directory', platforms: ALE, description: 'Finds people by name or number', fields: [{ name: 'query', displayName: 'Name or Number', type: 'string', required: true, description: 'Part of a name, or a number' }, { name: 'limit', displayName: 'Limit', type: 'number', default: 20, description: 'Max number of results to return' }] },
  { resource: 'directory', name: 'getUser', displayName: 'Get User', action: 'Get a user', platforms: ALE, description: 'A user by login', fields: [{ name: 'login', displayName: 'Login', type: 'string', required: true, description: 'Login name of the user' }] },
  // ---- agent (call-center)
  { resource: 'agent', name: 'getAgentState', displayName: 'Get Agent State', action: 'Get the agent state', platforms: O2G, description: "The CCD agent's state and group", fields: [] },
  { resource: 'agent', name: 'setAgentState', displayName: 'Set Agent State', action: 'Log the agent on or off', platforms: ['o2g'], description: 'Logs the agent on or off a processing group, or sets ready/not ready', fields: [{ name: 'state', displayName: 'State', type: 'options', default: 'ready', description: 'New state', options: [{ name: 'Log On', value: 'logon' }, { name: 'Log Off', value: 'logoff' }, { name: 'Ready', value: 'ready' }, { name: 'Not Ready', value: 'not_ready' }] }, { name: 'group', displayName: 'Group', type: 'string', default: '', description: 'Processing group number (Log On)' }] },
] as const satisfies ReadonlyArray<Omit<OperationSpec, 'name'> & { name: string }>;

export type OperationName = (typeof OPERATIONS)[number]['name'];

export const RESOURCES: Array<{ name: string; value: Resource }> = [
  { name: 'Call', value: 'call' },
  { name: 'Routing', value: 'routing' },
  { name: 'Messaging', value: 'messaging' },
  { name: 'Call Log', value: 'callLog' },
  { name: 'Directory', value: 'directory' },
  { name: 'Agent', value: 'agent' },
];

const byName = new Map<string, OperationSpec>(OPERATIONS.map((o) => [o.name, o as unknown as OperationSpec]));

export function operationSpec(name: string): OperationSpec | undefined {
  return byName.get(name);
}

export function operationsFor(platform: Platform): OperationSpec[] {
  return [...byName.values()].filter((o) => o.platforms.includes(platform));
}
