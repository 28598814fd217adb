/**
 * Decoded TelServices documents as TypeScript types. The codec builds these from `schema.ts`; every object may
 * carry `extra`: elements the spec does not name, kept as parsed rather than dropped.
 */
import type { AgentStateName, CallCauseName, CallServiceName, CallStateName, ErrorName, ForwardTypeName, RequestName, SessionEventName } from './schema';

export type Extra = { extra?: Record<string, unknown> };
export type OnOff = 'on' | 'off';

export interface TsParty extends Extra {
  number: string;
  name?: string;
  numberType?: 'work' | 'home' | 'mobile' | 'ip';
  company?: string;
}

export interface TsCallInfo extends Extra {
  state: CallStateName;
  otherParty?: TsParty;
  addedParties?: TsParty[];
  firstOtherParty?: TsParty;
  firstCalledParty?: TsParty;
  lastRedirectionParty?: TsParty;
  duration?: number;
  isOutgoing?: boolean;
  isConference?: boolean;
  callReference?: string;
  cause?: CallCauseName | 'normal';
}

export interface TsCall extends Extra {
  id: string;
  primCall?: TsCallInfo;
  secCall?: TsCallInfo;
  permittedServices?: CallServiceName[];
  extraData?: string;
}

export interface TsAgent extends Extra {
  userID?: string;
  state: AgentStateName;
  timeout?: number;
  inboundServices?: string[];
  outboundServices?: string[];
  permittedStates?: AgentStateName[];
}

export interface TsForward extends Extra {
  number?: string;
  type: ForwardTypeName;
  state: OnOff;
}

export interface TsSnapshot extends Extra {
  snapshotSeq?: number;
  calls?: TsCall[];
  forwards?: TsForward[];
  msgWaiting?: OnOff;
  doNotDisturb?: OnOff;
  agent?: TsAgent;
  session?: SessionEventName;
}

export interface TsHistoryRecord extends Extra {
  deviceNumber?: string;
  userID?: string;
  creationDate?: string;
  creationTime?: string;
  otherParty?: TsParty;
  alertingDuration?: number;
  duration?: number;
  isOutgoing?: boolean;
  isConnected?: boolean;
  cause?: string;
  agentState?: AgentStateName;
}

/** Statistics: the spec's field tables are lost, so every text field is kept by its wire name. */
export interface TsStatistics extends Extra {
  start?: string;
  agentState?: AgentStateName;
  inboundServices?: string[];
  outboundServices?: string[];
  agents?: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

/** The specific results by element name. */
export interface ResultMap {
  standard: true;
  qualifyCall: { number: string; name?: string } & Extra;
  agent: TsAgent;
  doNotDisturb: OnOff;
  forwards: TsForward[];
  history: TsHistoryRecord[];
  msgWaiting: OnOff;
  userStatistics: { name: 'snapshot' | 'total'; value: TsStatistics };
  searchDirectory: TsParty[];
  snapshot: TsSnapshot;
  routingPointState: string;
  routingPointStatistics: { name: 'snapshot' | 'total'; value: TsStatistics };
}

export type ResultName = keyof ResultMap;

export type TsReturn =
  | { ok: true; name: ResultName | (string & {}); value: unknown }
  | { ok: false; error: ErrorName | (string & {}) };

export type TsEventBody =
  | { name: 'call'; value: TsCall }
  | { name: 'agent'; value: TsAgent }
  | { name: 'forward'; value: TsForward }
  | { name: 'doNotDisturb'; value: OnOff }
  | { name: 'msgWaiting'; value: OnOff }
  | { name: 'session'; value: SessionEventName };

export interface TsEvent extends Extra {
  deviceNumber?: string;
  event: TsEventBody;
}

export interface TsRequest {
  service: RequestName;
  params: Record<string, unknown>;
}
