/**
 * The TelServices vocabulary as data: every request, result and event element of TelServer v1.7's TelServices
 * gateway, with its children in the order the spec lists them (XER encoders emit SEQUENCE fields in that order).
 * The codec reads this table in both directions, so the client and the simulator share one definition.
 */

export type Schema =
  | { t: 'text' }
  | { t: 'int' }
  | { t: 'bool' }
  /** An enumeration: the value is an empty element inside the field, `<state><on/></state>`. */
  | { t: 'enum'; values: readonly string[] }
  /** A list of enumerated values, `<permittedServices><dropCall/><holdCall/></permittedServices>`. */
  | { t: 'flags'; values: readonly string[] }
  /** A SEQUENCE OF: repeated `item` elements inside the field; `itemAny` accepts any item name (unnamed in the spec). */
  | { t: 'list'; item: string; of: Schema; itemAny?: boolean }
  /** A SEQUENCE: named children; `open` keeps unknown text children as fields (statistics, whose tables are lost). */
  | { t: 'seq'; fields: Record<string, Schema>; required?: readonly string[]; open?: boolean }
  /** A CHOICE: exactly one child; `null` marks an empty alternative (`<standard/>`). */
  | { t: 'choice'; options: Record<string, Schema | null> };

const text: Schema = { t: 'text' };
const int: Schema = { t: 'int' };
const bool: Schema = { t: 'bool' };
const en = (...values: string[]): Schema => ({ t: 'enum', values });
const seq = (fields: Record<string, Schema>, required: string[] = [], open = false): Schema => ({ t: 'seq', fields, required, open });
const list = (item: string, of: Schema, itemAny = false): Schema => ({ t: 'list', item, of, itemAny });

export const CALL_STATES = ['initiated', 'originated', 'delivered', 'queued', 'alerting', 'connected', 'cleared', 'failed', 'hold'] as const;
export const CALL_CAUSES = ['busy', 'conference', 'destNotObtainable', 'droppedByOtherParty', 'heldByOtherParty', 'redirect', 'retrievedByOtherParty', 'transfer', 'route'] as const;
export const CALL_SERVICES = ['alternateCall', 'answerCall', 'conferenceCall', 'consultationCall', 'divertCall', 'dropCall', 'holdCall', 'makeCall', 'reconnectCall', 'retrieveCall', 'transferCall'] as const;
export const AGENT_STATES = ['null', 'loggedOff', 'loggedOn', 'busy', 'notReady', 'ready', 'workingAfterCall'] as const;
export const FORWARD_TYPES = ['immediate', 'busy', 'noAnswer', 'immInt', 'immExt', 'busyInt', 'busyExt', 'noAnswerInt', 'noAnswerExt'] as const;
export const NUMBER_TYPES = ['work', 'home', 'mobile', 'ip'] as const;
export const SESSION_EVENTS = ['sessionClosedByAdmin', 'sessionClosedByTimeout', 'sessionClosedByMonitoringReject', 'sessionClosedByClient', 'pbxlinkOutOfService', 'pbxlinkInService'] as const;
export const ERROR_NAMES = ['pbxlinkOutOfService', 'pbxReject', 'pbxTimeout', 'noCall', 'noOpenSession', 'sessionLimitExceeded', 'reject', 'invalidCredentials', 'resourceError'] as const;
export const ROUTING_POINT_STATES = ['started', 'started-completed', 'started-failed', 'started-running', 'started-suspended', 'stopped'] as const;

export type CallStateName = (typeof CALL_STATES)[number];
export type CallCauseName = (typeof CALL_CAUSES)[number];
export type CallServiceName = (typeof CALL_SERVICES)[number];
export type AgentStateName = (typeof AGENT_STATES)[number];
export type ForwardTypeName = (typeof FORWARD_TYPES)[number];
export type SessionEventName = (typeof SESSION_EVENTS)[number];
export type ErrorName = (typeof ERROR_NAMES)[number];

const onOff = en('on', 'off');
const party = seq({ number: text, name: text, numberType: en(...NUMBER_TYPES), company: text }, ['number']);
const callInfo = seq({
  state: en(...CALL_STATES),
  otherParty: party,
  // The item element of addedParties is not named in the spec: accept any.
  addedParties: list('otherParty', party, true),
  firstOtherParty: party,
  firstCalledParty: party,
  lastRedirectionParty: party,
  duration: int,
  isOutgoing: bool,
  isConference: bool,
  callReference: text,
  // History records also carry `normal`, which is not in the call causes.
  cause: en(...CALL_CAUSES, 'normal'),
}, ['state']);
export const CALL: Schema = seq({
  id: text,
  primCall: callInfo,
  secCall: callInfo,
  permittedServices: { t: 'flags', values: CALL_SERVICES },
  extraData: text,
}, ['id']);
const services = list('service', text);
export const AGENT: Schema = seq({
  userID: text,
  state: en(...AGENT_STATES),
  timeout: int,
  inboundServices: services,
  outboundServices: services,
  permittedStates: { t: 'flags', values: AGENT_STATES },
}, ['state']);
export const FORWARD: Schema = seq({ number: text, type: en(...FORWARD_TYPES), state: onOff }, ['type', 'state']);
const forwards = list('forward', FORWARD);
const session = en(...SESSION_EVENTS);

const statsAgent = seq({ deviceNumber: text, start: text, userID: text, agentState: en(...AGENT_STATES), inboundServices: services }, [], true);
const stats = seq({ start: text, agentState: en(...AGENT_STATES), inboundServices: services, outboundServices: services, agents: list('agent', statsAgent) }, [], true);
const statsChoice: Schema = { t: 'choice', options: { snapshot: stats, total: stats } };
const statsType = en('snapshot', 'total');

const record = seq({
  deviceNumber: text, userID: text, creationDate: text, creationTime: text, otherParty: party, alertingDuration: int,
  duration: int, isOutgoing: bool, isConnected: bool, cause: en(...CALL_CAUSES, 'normal'), agentState: en(...AGENT_STATES),
});
const directoryParty = party;

export const SNAPSHOT: Schema = seq({
  snapshotSeq: int,
  calls: list('call', CALL),
  forwards,
  msgWaiting: onOff,
  doNotDisturb: onOff,
  agent: AGENT,
  session,
});

const routingPointConfig = seq({
  serviceTimeout: int, workingHours: text, nonWorkingDaysOfWeek: text, nonWorkingDays: text, noAnswerTimeout: int,
  failedCallRetryTimeout: int, failedCallRetryLimit: int, agentWorkingAfterCallTimeout: int,
  agentsDistribution: en('cyclic', 'sequential', 'most-idle'), queueLimit: int, agentLoggedOnOnOpenSession: bool,
  agentReadyOnLoggedOn: bool, statisticsIncomingCallImmediateAbandonTimeout: int,
});

const dn = { deviceNumber: text };
const prim = { deviceNumber: text, primOtherNumber: text, secOtherNumber: text };
const other = { deviceNumber: text, otherNumber: text };

/** Every request, in the spec's document order; `required` from its parameter lists. */
export const REQUESTS: Record<string, Schema> = {
  openSession: seq({ deviceNumber: text, eventUDPPort: int, eventUpdate: en('full', 'restricted'), userID: text, userPassword: text, sessionTimeout: int, startPbxMonitor: bool }, ['deviceNumber']),
  closeSession: seq({ deviceNumber: text, actualCloseSessionTimeout: int, clientOnly: bool }, ['deviceNumber']),
  addPartyToCall: seq({ deviceNumber: text, otherNumber: text, addedDeviceNumber: text, extraData: text }, ['deviceNumber', 'addedDeviceNumber']),
  agentState: seq({ deviceNumber: text, state: en(...AGENT_STATES) }, ['deviceNumber', 'state']),
  alternateCall: seq(prim, ['deviceNumber']),
  answerCall: seq({ deviceNumber: text, callingNumber: text }, ['deviceNumber']),
  conferenceCall: seq(prim, ['deviceNumber']),
  consultationCall: seq({ deviceNumber: text, otherNumber: text, consultedDeviceNumber: text, extraData: text }, ['deviceNumber', 'consultedDeviceNumber']),
  divertCall: seq({ deviceNumber: text, otherNumber: text, divertedDeviceNumber: text, extraData: text }, ['deviceNumber', 'divertedDeviceNumber']),
  doNotDisturb: seq({ deviceNumber: text, state: onOff }, ['deviceNumber', 'state']),
  dropCall: seq(other, ['deviceNumber']),
  // The parameter list names the wrapper `forward`; the example (and so the wire) uses `info`.
  forward: seq({ deviceNumber: text, info: FORWARD }, ['deviceNumber', 'info']),
  holdCall: seq(other, ['deviceNumber']),
  makeCall: seq({ deviceNumber: text, calledDeviceNumber: text, extraData: text }, ['deviceNumber', 'calledDeviceNumber']),
  qualifyCall: seq({ deviceNumber: text, answerCall: bool, needName: bool }, ['deviceNumber']),
  queryAgentState: seq(dn, ['deviceNumber']),
  queryDoNotDisturb: seq(dn, ['deviceNumber']),
  queryForward: seq(dn, ['deviceNumber']),
  queryHistory: seq({ recordType: en('call', 'agent', 'all'), deviceNumber: text, userID: text, startDate: text, startHour: int, endDate: text, search: text, limit: int }),
  queryMsgWaiting: seq(dn, ['deviceNumber']),
  queryUserStatistics: seq({ deviceNumber: text, userID: text, type: statsType }, ['deviceNumber', 'type']),
  reconnectCall: seq(prim, ['deviceNumber']),
  retrieveCall: seq(other, ['deviceNumber']),
  searchName: seq({ userID: text, deviceNumber: text, name: text, limit: int }, ['name']),
  searchNumber: seq({ userID: text, deviceNumber: text, number: text }, ['number']),
  snapshot: seq({ deviceNumber: text, resultOnEvent: seq({ timeout: int, snapshotSeq: int }) }, ['deviceNumber']),
  transferCall: seq(prim, ['deviceNumber']),
  updateUserDirectory: seq({ userID: text, deviceNumber: text, directoryName: text, parties: list('party', directoryParty) }, ['directoryName', 'parties']),
  queryRoutingPointState: seq({ service: text }, ['service']),
  queryRoutingPointStatistics: seq({ service: text, type: statsType }, ['service', 'type']),
  resumeRoutingPoint: seq({ service: text }, ['service']),
  // `config` is required by the parameter list yet absent from the example: optional here.
  startRoutingPoint: seq({ service: text, template: text, config: routingPointConfig }, ['service']),
  stopRoutingPoint: seq({ service: text }, ['service']),
  suspendRoutingPoint: seq({ service: text }, ['service']),
  updateRoutingPoint: seq({ service: text, config: routingPointConfig }, ['service']),
  updateDirectory: seq({ directoryName: text }, ['directoryName']),
};

export type RequestName = keyof typeof REQUESTS & string;

/** `<result>`: the standard result or one specific result per request. */
export const RESULT: Schema = {
  t: 'choice',
  options: {
    standard: null,
    qualifyCall: seq({ number: text, name: text }, ['number']),
    agent: AGENT,
    doNotDisturb: onOff,
    forwards,
    history: list('record', record),
    msgWaiting: onOff,
    userStatistics: statsChoice,
    searchDirectory: list('party', directoryParty),
    snapshot: SNAPSHOT,
    routingPointState: en(...ROUTING_POINT_STATES),
    routingPointStatistics: statsChoice,
  },
};

export const ERROR: Schema = en(...ERROR_NAMES);

/** `<event>`: one of six. */
export const EVENT: Schema = {
  t: 'choice',
  options: { agent: AGENT, call: CALL, forward: FORWARD, doNotDisturb: onOff, msgWaiting: onOff, session },
};
