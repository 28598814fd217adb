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
  /** Longest accepted value (characters; `json`: of its JSON text). Default: validate.ts `DEFAULT_MAX_LENGTH`. */
  maxLength?: number;
  /** Numbers: the accepted range (inclusive). */
  min?: number;
  max?: number;
  /** Text that may span lines (a message); other text fields are one line. */
  multiline?: boolean;
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

const TS: Platform[] = ['telservices'];
const routingService: FieldSpec = { name: 'service', displayName: 'Service', type: 'string', required: true, description: 'Service (name) of the routing point or campaign' };
const routingConfig: FieldSpec = {
  name: 'config', displayName: 'Config', type: 'json', default: '',
  description: 'JSON object: serviceTimeout, workingHours ("8:30/12:00,14/17"), nonWorkingDaysOfWeek, nonWorkingDays, noAnswerTimeout, failedCallRetryTimeout, failedCallRetryLimit, agentWorkingAfterCallTimeout, agentsDistribution (cyclic|sequential|most-idle), queueLimit, agentLoggedOnOnOpenSession, agentReadyOnLoggedOn',
};

export const OPERATIONS = [
  // ---- call control
  { resource: 'call', name: 'makeCall', displayName: 'Make Call', action: 'Call a number', platforms: [...ALE, 'telservices', 'asterisk'],
    description: "Ring the user's device, then call the destination when the user picks up",
    fields: [destination('to call'), deviceId, { name: 'autoAnswer', displayName: 'Auto Answer', type: 'boolean', default: false, description: 'Whether the device should go off-hook by itself (where it can)' }] },
  { resource: 'call', name: 'answer', displayName: 'Answer', action: 'Answer a ringing call', platforms: [...ALE, 'telservices'], callCapability: 'answer', description: 'Answer a ringing call on the device it rings on', fields: [callId, deviceId] },
  { resource: 'call', name: 'hangUp', displayName: 'Hang Up', action: 'Hang up a call', platforms: [...ALE, 'telservices', 'asterisk'], callCapability: 'drop', description: 'Release the user from the call', fields: [callId] },
  { resource: 'call', name: 'hold', displayName: 'Hold', action: 'Put a call on hold', platforms: [...ALE, 'telservices'], callCapability: 'hold', description: 'Put an active call on hold', fields: [callId, deviceId] },
  { resource: 'call', name: 'retrieve', displayName: 'Retrieve', action: 'Retrieve a held call', platforms: [...ALE, 'telservices'], callCapability: 'retrieve', description: 'Take a held call back', fields: [callId, deviceId] },
  { resource: 'call', name: 'alternate', displayName: 'Alternate', action: 'Switch between two calls', platforms: [...ALE, 'telservices'], callCapability: 'alternate', description: 'Hold the active call and retrieve the held one', fields: [{ ...callId, description: 'The held call to go back to' }, deviceId] },
  { resource: 'call', name: 'transfer', displayName: 'Transfer (Attended)', action: 'Transfer a call to another call', platforms: [...ALE, 'telservices', 'asterisk'], callCapability: 'transfer', description: 'Join the held call with the active consultation call and leave', fields: [{ ...callId, description: 'The active (consultation) call' }, { name: 'heldCallId', displayName: 'Held Call ID', type: 'string', required: true, description: 'The held call to transfer' }] },
  { resource: 'call', name: 'blindTransfer', displayName: 'Blind Transfer', action: 'Blind transfer a call', platforms: [...ALE, 'telservices', 'asterisk'], callCapability: 'transfer', description: 'Send the call to another number without consulting first', fields: [callId, destination('to transfer to'), { name: 'anonymous', displayName: 'Anonymous', type: 'boolean', default: false, description: 'Whether to hide the user\'s identity from the new destination (secret identity)' }] },
  { resource: 'call', name: 'redirect', displayName: 'Redirect', action: 'Redirect a ringing call', platforms: [...ALE, 'telservices', 'asterisk'], callCapability: 'redirect', description: 'Send a ringing call to another number', fields: [callId, destination('to redirect to'), { name: 'anonymous', displayName: 'Anonymous', type: 'boolean', default: false, description: 'Whether to hide the user\'s identity from the new destination (secret identity)' }] },
  { resource: 'call', name: 'sendToVoicemail', displayName: 'Send to Voicemail', action: 'Send a ringing call to voicemail', platforms: ALE, callCapability: 'redirectToVoiceMail', description: "Send a ringing call to the user's voicemail", fields: [callId] },
  { resource: 'call', name: 'conference', displayName: 'Conference', action: 'Merge two calls into a conference', platforms: [...ALE, 'telservices'], callCapability: 'conference', description: 'Merge the active and the held call into a three-party conference', fields: [{ ...callId, description: 'The active call' }, { name: 'heldCallId', displayName: 'Held Call ID', type: 'string', required: true, description: 'The held call to merge' }] },
  { resource: 'call', name: 'addParticipant', displayName: 'Add Participant', action: 'Add a participant to a call', platforms: [...OT, 'telservices'], callCapability: 'addParticipant', description: 'Call a number and add it to the call', fields: [callId, destination('to add')] },
  { resource: 'call', name: 'sendDtmf', displayName: 'Send DTMF', action: 'Send DTMF digits', platforms: ALE, callCapability: 'sendDtmf', description: 'Send touch-tone digits on an active call', fields: [callId, { name: 'digits', displayName: 'Digits', type: 'string', required: true, maxLength: 64, description: 'Digits 0-9, *, #', placeholder: '1234#' }] },
  { resource: 'call', name: 'park', displayName: 'Park', action: 'Park a call', platforms: ALE, callCapability: 'park', description: 'Park the call on a number so anyone can pick it up', fields: [callId, { ...destination('to park on'), required: false, default: '' }] },
  { resource: 'call', name: 'pickUp', displayName: 'Pick Up', action: "Pick up another user's ringing call", platforms: ALE, description: "Take a call that rings on another user's phone", fields: [callId, { name: 'otherUser', displayName: 'Ringing User', type: 'string', required: true, description: 'Login or extension of the user whose phone rings' }] },
  { resource: 'call', name: 'listCalls', displayName: 'Get Many Calls', action: 'Get many calls', platforms: [...ALE, 'telservices', 'asterisk'], description: "Get the user's current calls", fields: [] },
  // ---- routing
  { resource: 'routing', name: 'getRouting', displayName: 'Get Routing', action: 'Get forward and do-not-disturb state', platforms: [...ALE, 'telservices', 'asterisk'], description: 'Get the current forward, overflow and do-not-disturb state', fields: [] },
  { resource: 'routing', name: 'setForward', displayName: 'Set Forward', action: 'Forward calls', platforms: [...ALE, 'telservices', 'asterisk'], description: "Forward the user's calls to a number or voicemail", fields: [routeTarget, routeNumber, forwardCondition] },
  { resource: 'routing', name: 'cancelForward', displayName: 'Cancel Forward', action: 'Cancel call forwarding', platforms: [...ALE, 'telservices', 'asterisk'], description: 'Make calls ring the user again', fields: [] },
  { resource: 'routing', name: 'setOverflow', displayName: 'Set Overflow', action: 'Set call overflow', platforms: ALE, description: 'Set where unanswered or busy calls overflow to', fields: [routeTarget, routeNumber, { ...forwardCondition, default: 'no_answer', options: forwardCondition.options!.slice(1) }] },
  { resource: 'routing', name: 'cancelOverflow', displayName: 'Cancel Overflow', action: 'Cancel call overflow', platforms: ALE, description: 'Remove the overflow', fields: [] },
  { resource: 'routing', name: 'setDnd', displayName: 'Set Do Not Disturb', action: 'Turn do not disturb on or off', platforms: [...O2G, 'telservices', 'asterisk'], description: 'Turn do-not-disturb on or off', fields: [{ name: 'enabled', displayName: 'Do Not Disturb', type: 'boolean', default: true, description: 'Whether do not disturb is turned on (off when unticked)' }] },
  { resource: 'routing', name: 'getDnd', displayName: 'Get Do Not Disturb', action: 'Get do not disturb state', platforms: [...O2G, 'telservices', 'asterisk'], description: 'Get whether do not disturb is on', fields: [] },
  // ---- messaging
  { resource: 'messaging', name: 'listVoicemails', displayName: 'Get Many Voicemails', action: 'Get many voicemails', platforms: ALE, description: "Get the voicemails in the user's mailbox", fields: [{ name: 'unreadOnly', displayName: 'Unread Only', type: 'boolean', default: false, description: 'Whether to return only voicemails not yet listened to' }, { name: 'limit', displayName: 'Limit', type: 'number', default: 50, min: 0, max: 10_000, description: 'Max number of results to return' }] },
  { resource: 'messaging', name: 'deleteVoicemail', displayName: 'Delete Voicemail', action: 'Delete a voicemail', platforms: ALE, description: 'Delete one voicemail', fields: [{ name: 'voicemailId', displayName: 'Voicemail ID', type: 'string', required: true, description: 'ID from Get Many Voicemails' }] },
  { resource: 'messaging', name: 'markVoicemailRead', displayName: 'Mark Voicemail Read', action: 'Mark a voicemail as read', platforms: ALE, description: 'Mark one voicemail as listened to', fields: [{ name: 'voicemailId', displayName: 'Voicemail ID', type: 'string', required: true, description: 'ID from Get Many Voicemails' }] },
  { resource: 'messaging', name: 'getCounters', displayName: 'Get Counters', action: 'Get voicemail and missed-call counters', platforms: ALE, description: 'Get the counts of unread voicemails, missed calls and callback requests', fields: [] },
  { resource: 'messaging', name: 'sendInstantMessage', displayName: 'Send Instant Message', action: 'Send an instant message', platforms: OT, description: 'Send a chat message to another user', fields: [{ name: 'to', displayName: 'To', type: 'string', required: true, description: 'Login of the recipient' }, { name: 'message', displayName: 'Message', type: 'string', required: true, maxLength: 4000, multiline: true, description: 'Text to send' }] },
  // ---- call log
  { resource: 'callLog', name: 'listCallLog', displayName: 'Get Many Call Log Records', action: 'Get many call log records', platforms: [...ALE, 'telservices'], description: "Get the records of the user's call log", fields: [{ name: 'unansweredOnly', displayName: 'Unanswered Only', type: 'boolean', default: false, description: 'Whether to return only calls nobody answered' }, { name: 'unacknowledgedOnly', displayName: 'Unacknowledged Only', type: 'boolean', default: false, description: 'Whether to return only records not yet acknowledged' }, { name: 'since', displayName: 'Since', type: 'string', default: '', description: 'ISO date; only records after it' }, { name: 'limit', displayName: 'Limit', type: 'number', default: 50, min: 0, max: 10_000, description: 'Max number of results to return' }] },
  { resource: 'callLog', name: 'acknowledgeCallLog', displayName: 'Acknowledge Call Log', action: 'Acknowledge call log records', platforms: ALE, description: 'Mark records as seen (lowers the missed-call counter)', fields: [{ name: 'recordIds', displayName: 'Record IDs', type: 'string', required: true, maxLength: 20_000, description: 'Comma-separated record IDs' }] },
  // ---- directory
  { resource: 'directory', name: 'searchDirectory', displayName: 'Search', action: 'Search the directory', platforms: [...ALE, 'telservices', 'asterisk'], description: 'Find people by name or number', fields: [{ name: 'query', displayName: 'Name or Number', type: 'string', required: true, description: 'Part of a name, or a number' }, { name: 'limit', displayName: 'Limit', type: 'number', default: 20, min: 0, max: 10_000, description: 'Max number of results to return' }] },
  { resource: 'directory', name: 'getUser', displayName: 'Get User', action: 'Get a user', platforms: ALE, description: 'Get a user by login', fields: [{ name: 'login', displayName: 'Login', type: 'string', required: true, description: 'Login name of the user' }] },
  // ---- agent (call-center)
  { resource: 'agent', name: 'getAgentState', displayName: 'Get Agent State', action: 'Get the agent state', platforms: [...O2G, 'telservices', 'asterisk'], description: "Get the CCD agent's state and group", fields: [] },
  { resource: 'agent', name: 'setAgentState', displayName: 'Set Agent State', action: 'Log the agent on or off', platforms: ['o2g', 'telservices', 'asterisk'], description: 'Log the agent on or off a processing group, or sets ready/not ready', fields: [{ name: 'state', displayName: 'State', type: 'options', default: 'ready', description: 'New state', options: [{ name: 'Log On', value: 'logon' }, { name: 'Log Off', value: 'logoff' }, { name: 'Ready', value: 'ready' }, { name: 'Not Ready', value: 'not_ready' }] }, { name: 'group', displayName: 'Group', type: 'string', default: '', description: 'Processing group number (Log On)' }] },
  // ---- TelServices (uniGone TelServer) services that no common operation covers; consultation also on Asterisk (Atxfer)
  { resource: 'call', name: 'consultationCall', displayName: 'Consultation Call', action: 'Start a consultation call', platforms: [...TS, 'asterisk'], description: 'Put the active call on hold and call another number (TelServices ConsultationCall, Asterisk Atxfer; Transfer then completes it)', fields: [{ ...callId, required: false, default: '', description: 'The active call (empty: the current one)' }, destination('to consult')] },
  { resource: 'call', name: 'reconnectCall', displayName: 'Reconnect Call', action: 'Drop the active call and retrieve the held one', platforms: TS, description: 'Release the active call and take the held call back (TelServices ReconnectCall)', fields: [] },
  { resource: 'call', name: 'divertCall', displayName: 'Divert Call', action: 'Divert a call', platforms: TS, description: 'Send a ringing or connected call to another number (TelServices DivertCall; on a connected call it is a blind transfer)', fields: [callId, destination('to divert to')] },
  { resource: 'call', name: 'qualifyCall', displayName: 'Qualify Call', action: 'Get the caller of a ringing call', platforms: TS, description: 'Return the calling number and name of the call ringing on the device, optionally answering it (TelServices QualifyCall)', fields: [{ name: 'answer', displayName: 'Answer It', type: 'boolean', default: false, description: 'Whether TelServer answers the call too' }, { name: 'needName', displayName: 'With Name', type: 'boolean', default: true, description: "Whether to look up the caller's name" }] },
  { resource: 'call', name: 'getSnapshot', displayName: 'Get Snapshot', action: 'Get the device snapshot', platforms: TS, description: 'Get the calls, forwards, message waiting, do-not-disturb and agent state of the device in one answer (TelServices Snapshot)', fields: [] },
  { resource: 'messaging', name: 'getMessageWaiting', displayName: 'Get Message Waiting', action: 'Get the message-waiting state', platforms: TS, description: 'Get whether the message-waiting lamp is on (TelServices QueryMsgWaiting)', fields: [] },
  { resource: 'agent', name: 'getUserStatistics', displayName: 'Get User Statistics', action: 'Get user statistics', platforms: TS, description: 'Get a snapshot (agent state, services) or totals (call counts and durations) of the user (TelServices QueryUserStatistics)', fields: [{ name: 'type', displayName: 'Type', type: 'options', default: 'snapshot', description: 'Which statistics', options: [{ name: 'Snapshot', value: 'snapshot' }, { name: 'Totals', value: 'total' }] }] },
  { resource: 'directory', name: 'updateUserDirectory', displayName: 'Update User Directory', action: "Replace the user's private directory", platforms: TS, description: "Replace the user's private directory on TelServer with the given contacts (TelServices UpdateUserDirectory)", fields: [{ name: 'directoryName', displayName: 'Directory Name', type: 'string', required: true, description: 'Name of the private directory, e.g. outlook' }, { name: 'parties', displayName: 'Contacts', type: 'json', required: true, description: 'JSON list of {number, name, numberType (work|home|mobile|ip), company}' }] },
  { resource: 'directory', name: 'updateDirectory', displayName: 'Synchronize Directory', action: 'Synchronize a configured directory', platforms: TS, description: 'Ask TelServer to synchronize a directory of its configuration, e.g. ldap (TelServices UpdateDirectory)', fields: [{ name: 'directoryName', displayName: 'Directory Name', type: 'string', required: true, description: 'Name of the directory in the TelServer configuration' }] },
  { resource: 'agent', name: 'getRoutingPointState', displayName: 'Get Routing Point State', action: 'Get a routing point state', platforms: TS, description: 'started, started-running, started-suspended, stopped... (TelServices supervisor QueryRoutingPointState)', fields: [routingService] },
  { resource: 'agent', name: 'getRoutingPointStatistics', displayName: 'Get Routing Point Statistics', action: 'Get routing point statistics', platforms: TS, description: 'Queue and agent figures of a routing point (TelServices supervisor QueryRoutingPointStatistics)', fields: [routingService, { name: 'type', displayName: 'Type', type: 'options', default: 'snapshot', description: 'Which statistics', options: [{ name: 'Snapshot', value: 'snapshot' }, { name: 'Totals', value: 'total' }] }] },
  { resource: 'agent', name: 'startRoutingPoint', displayName: 'Start Routing Point', action: 'Start a routing point', platforms: TS, description: 'Start a routing point or outbound campaign (TelServices supervisor StartRoutingPoint)', fields: [routingService, { name: 'template', displayName: 'Template', type: 'string', default: '', description: 'Template routing point of the configuration' }, routingConfig] },
  { resource: 'agent', name: 'stopRoutingPoint', displayName: 'Stop Routing Point', action: 'Stop a routing point', platforms: TS, description: 'Stop a routing point (TelServices supervisor StopRoutingPoint)', fields: [routingService] },
  { resource: 'agent', name: 'suspendRoutingPoint', displayName: 'Suspend Routing Point', action: 'Suspend a routing point', platforms: TS, description: 'Suspend a routing point: inbound calls go to the failure route, outbound calls stop (TelServices supervisor SuspendRoutingPoint)', fields: [routingService] },
  { resource: 'agent', name: 'resumeRoutingPoint', displayName: 'Resume Routing Point', action: 'Resume a routing point', platforms: TS, description: 'Resume a suspended routing point (TelServices supervisor ResumeRoutingPoint)', fields: [routingService] },
  { resource: 'agent', name: 'updateRoutingPoint', displayName: 'Update Routing Point', action: 'Update a routing point', platforms: TS, description: "Update part of a routing point's configuration (TelServices supervisor UpdateRoutingPoint)", fields: [routingService, routingConfig] },
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
