/**
 * TelServices operations: one handler per catalogue operation, each a TelServices request (or two). The connection
 * validates the input against the catalogue, then calls `runTelServicesOperation`; `telServicesSupports` answers
 * its `supports(op)` honestly (only what a handler exists for).
 */
import { PbxError } from '../../errors';
import { isRecord } from '../../model/fields';
import type { CallInfo, RoutingInfo } from '../../model/events';
import type { Cause } from '../../model/observations';
import { operationSpec, type OperationName } from '../../operations/catalogue';
import { routingInfo, AGENT_STATE } from './normalizer';
import type { RequestName } from './schema';
import type { ResultMap, ResultName, TsForward } from './types';

export interface TelServicesOperationContext {
  /** The monitored device the operation acts for. */
  device: string;
  request<K extends ResultName>(service: RequestName, params: Record<string, unknown>, expect: K): Promise<ResultMap[K]>;
  findCall(callId: string): CallInfo | undefined;
  /** Snapshot of the device reconciled with the tracker, then its calls. */
  currentCalls(): Promise<CallInfo[]>;
  expectDeparture(cause: Cause, destination?: string): void;
  /** The HTTP GET shortcut, when the connection is configured to use it. */
  makeCallShortcut?: (device: string, called: string) => Promise<void>;
}

type Input = Record<string, unknown>;
type Handler = (input: Input, ctx: TelServicesOperationContext) => Promise<unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const done = { ok: true };

/** The other party's number of a call we follow (TelServices names calls by it); undefined when unknown or withheld. */
function otherOf(call: CallInfo | undefined): string | undefined {
  if (!call) return undefined;
  const n = call.direction === 'incoming' ? call.from.number : call.to.number;
  return n || undefined;
}

/** Refuses early when the server's `permittedServices` for the call are known and do not include `service`. */
function callFor(ctx: TelServicesOperationContext, callId: unknown, service: string, what: string): CallInfo | undefined {
  const id = str(callId);
  if (!id) return undefined;
  const call = ctx.findCall(id);
  if (call?.capabilities?.length && !call.capabilities.includes(service)) {
    throw new PbxError('NOT_ALLOWED', `${what} is not possible on call ${id} now: TelServer does not permit ${service} (it permits: ${call.capabilities.join(', ')})`);
  }
  return call;
}

const std = (ctx: TelServicesOperationContext, service: RequestName, params: Input) => ctx.request(service, { deviceNumber: ctx.device, ...params }, 'standard').then(() => done);

const FORWARD_TYPE: Record<string, string[]> = { immediate: ['immediate'], busy: ['busy'], no_answer: ['noAnswer'], busy_no_answer: ['busy', 'noAnswer'] };

const AGENT_REQUEST: Record<string, string> = { logon: 'loggedOn', logoff: 'loggedOff', ready: 'ready', not_ready: 'notReady', working_after_call: 'workingAfterCall' };

function json(v: unknown, what: string): unknown {
  if (typeof v !== 'string') return v;
  if (!v.trim()) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    throw new PbxError('INVALID_INPUT', `${what} must be JSON`);
  }
}

async function getRouting(ctx: TelServicesOperationContext): Promise<RoutingInfo> {
  const forwards = await ctx.request('queryForward', { deviceNumber: ctx.device }, 'forwards');
  const dnd = await ctx.request('queryDoNotDisturb', { deviceNumber: ctx.device }, 'doNotDisturb');
  return routingInfo(forwards, dnd === 'on');
}

const HANDLERS: Partial<Record<OperationName, Handler>> = {
  // ---- call control (catalogue operations) ----
  async makeCall(i, ctx) {
    const from = str(i.deviceId) || ctx.device;
    if (ctx.makeCallShortcut) {
      await ctx.makeCallShortcut(from, str(i.destination));
      return done;
    }
    return ctx.request('makeCall', { deviceNumber: from, calledDeviceNumber: str(i.destination) }, 'standard').then(() => done);
  },
  answer: (i, ctx) => std(ctx, 'answerCall', { callingNumber: otherOf(callFor(ctx, i.callId, 'answerCall', 'Answer')) }),
  hangUp: (i, ctx) => std(ctx, 'dropCall', { otherNumber: otherOf(callFor(ctx, i.callId, 'dropCall', 'Hang up')) }),
  hold: (i, ctx) => std(ctx, 'holdCall', { otherNumber: otherOf(callFor(ctx, i.callId, 'holdCall', 'Hold')) }),
  retrieve: (i, ctx) => std(ctx, 'retrieveCall', { otherNumber: otherOf(callFor(ctx, i.callId, 'retrieveCall', 'Retrieve')) }),
  alternate: (i, ctx) => {
    callFor(ctx, i.callId, 'alternateCall', 'Alternate');
    return std(ctx, 'alternateCall', {});
  },
  async transfer(i, ctx) {
    const active = callFor(ctx, i.callId, 'transferCall', 'Transfer');
    const held = ctx.findCall(str(i.heldCallId));
    // Before the request: the server's events about the calls leaving may come before its answer.
    ctx.expectDeparture('transferred', otherOf(active));
    return std(ctx, 'transferCall', { primOtherNumber: otherOf(held), secOtherNumber: otherOf(active) });
  },
  async blindTransfer(i, ctx) {
    const call = callFor(ctx, i.callId, 'divertCall', 'Blind transfer');
    ctx.expectDeparture('transferred', str(i.destination));
    return std(ctx, 'divertCall', { otherNumber: otherOf(call), divertedDeviceNumber: str(i.destination) });
  },
  async redirect(i, ctx) {
    const call = callFor(ctx, i.callId, 'divertCall', 'Redirect');
    ctx.expectDeparture('redirected', str(i.destination));
    return std(ctx, 'divertCall', { otherNumber: otherOf(call), divertedDeviceNumber: str(i.destination) });
  },
  conference: (i, ctx) => {
    const active = callFor(ctx, i.callId, 'conferenceCall', 'Conference');
    const held = ctx.findCall(str(i.heldCallId));
    return std(ctx, 'conferenceCall', { primOtherNumber: otherOf(held), secOtherNumber: otherOf(active) });
  },
  addParticipant: (i, ctx) => std(ctx, 'addPartyToCall', { otherNumber: otherOf(ctx.findCall(str(i.callId))), addedDeviceNumber: str(i.destination) }),
  listCalls: async (_i, ctx) => ({ calls: await ctx.currentCalls() }),
  // ---- routing ----
  getRouting: (_i, ctx) => getRouting(ctx),
  async setForward(i, ctx) {
    if (i.target === 'voicemail') throw new PbxError('INVALID_INPUT', 'Set Forward: TelServices forwards to a number only (no voicemail target)');
    const number = str(i.number);
    if (!number) throw new PbxError('INVALID_INPUT', 'Set Forward: "Number" is required (the number calls go to)');
    for (const type of FORWARD_TYPE[str(i.condition)] ?? ['immediate']) {
      await ctx.request('forward', { deviceNumber: ctx.device, info: { number, type, state: 'on' } }, 'standard');
    }
    return getRouting(ctx);
  },
  async cancelForward(_i, ctx) {
    const forwards = await ctx.request('queryForward', { deviceNumber: ctx.device }, 'forwards');
    for (const f of forwards.filter((x: TsForward) => x.state === 'on')) {
      await ctx.request('forward', { deviceNumber: ctx.device, info: { number: f.number ?? '', type: f.type, state: 'off' } }, 'standard');
    }
    return getRouting(ctx);
  },
  setDnd: (i, ctx) => ctx.request('doNotDisturb', { deviceNumber: ctx.device, state: i.enabled === false ? 'off' : 'on' }, 'standard').then(() => ({ enabled: i.enabled !== false })),
  getDnd: (_i, ctx) => ctx.request('queryDoNotDisturb', { deviceNumber: ctx.device }, 'doNotDisturb').then((v) => ({ enabled: v === 'on' })),
  // ---- call log, directory ----
  async listCallLog(i, ctx) {
    const since = str(i.since);
    const params: Input = { recordType: 'call', deviceNumber: ctx.device };
    if (since) {
      if (!/^\d{4}-\d{2}-\d{2}/.test(since)) throw new PbxError('INVALID_INPUT', 'List Call Log: "Since" must be an ISO date (yyyy-MM-dd...)');
      params.startDate = since.slice(0, 10);
    }
    if (typeof i.limit === 'number' && i.limit > 0) params.limit = Math.floor(i.limit);
    let records = await ctx.request('queryHistory', params, 'history');
    if (i.unansweredOnly === true) records = records.filter((r) => r.isOutgoing === false && r.isConnected !== true);
    return { records };
  },
  async searchDirectory(i, ctx) {
    const q = str(i.query).trim();
    const limit = typeof i.limit === 'number' && i.limit > 0 ? Math.floor(i.limit) : undefined;
    const byNumber = /^\+?[\d*#]{2,}$/.test(q);
    const parties = byNumber
      ? await ctx.request('searchNumber', { deviceNumber: ctx.device, number: q }, 'searchDirectory')
      : await ctx.request('searchName', { deviceNumber: ctx.device, name: q, limit }, 'searchDirectory');
    return { results: limit ? parties.slice(0, limit) : parties };
  },
  // ---- agent ----
  async getAgentState(_i, ctx) {
    const a = await ctx.request('queryAgentState', { deviceNumber: ctx.device }, 'agent');
    return { state: AGENT_STATE[a.state] ?? a.state, group: a.inboundServices?.[0], agent: a };
  },
  setAgentState: (i, ctx) => std(ctx, 'agentState', { state: AGENT_REQUEST[str(i.state)] ?? str(i.state) }),
  // ---- TelServices-only operations ----
  async consultationCall(i, ctx) {
    return std(ctx, 'consultationCall', { otherNumber: otherOf(callFor(ctx, i.callId, 'consultationCall', 'Consultation call')), consultedDeviceNumber: str(i.destination) });
  },
  reconnectCall: (_i, ctx) => std(ctx, 'reconnectCall', {}),
  async divertCall(i, ctx) {
    const call = callFor(ctx, i.callId, 'divertCall', 'Divert');
    ctx.expectDeparture(call?.answered ? 'transferred' : 'redirected', str(i.destination));
    return std(ctx, 'divertCall', { otherNumber: otherOf(call), divertedDeviceNumber: str(i.destination) });
  },
  qualifyCall: (i, ctx) => ctx.request('qualifyCall', { deviceNumber: ctx.device, answerCall: i.answer === true, needName: i.needName !== false }, 'qualifyCall'),
  getMessageWaiting: (_i, ctx) => ctx.request('queryMsgWaiting', { deviceNumber: ctx.device }, 'msgWaiting').then((v) => ({ messageWaiting: v === 'on' })),
  getSnapshot: (_i, ctx) => ctx.request('snapshot', { deviceNumber: ctx.device }, 'snapshot'),
  getUserStatistics: (i, ctx) => ctx.request('queryUserStatistics', { deviceNumber: ctx.device, type: str(i.type) || 'snapshot' }, 'userStatistics'),
  async updateUserDirectory(i, ctx) {
    const parties = json(i.parties, 'Parties');
    if (!Array.isArray(parties)) throw new PbxError('INVALID_INPUT', 'Update User Directory: "Parties" must be a JSON list of {number, name, numberType, company}');
    return std(ctx, 'updateUserDirectory', { directoryName: str(i.directoryName), parties });
  },
  updateDirectory: (i, ctx) => ctx.request('updateDirectory', { directoryName: str(i.directoryName) }, 'standard').then(() => done),
  getRoutingPointState: (i, ctx) => ctx.request('queryRoutingPointState', { service: str(i.service) }, 'routingPointState').then((state) => ({ state })),
  getRoutingPointStatistics: (i, ctx) => ctx.request('queryRoutingPointStatistics', { service: str(i.service), type: str(i.type) || 'snapshot' }, 'routingPointStatistics'),
  startRoutingPoint(i, ctx) {
    const config = json(i.config, 'Config');
    if (config !== undefined && !isRecord(config)) throw new PbxError('INVALID_INPUT', 'Start Routing Point: "Config" must be a JSON object');
    return ctx.request('startRoutingPoint', { service: str(i.service), template: str(i.template) || undefined, config }, 'standard').then(() => done);
  },
  stopRoutingPoint: (i, ctx) => ctx.request('stopRoutingPoint', { service: str(i.service) }, 'standard').then(() => done),
  suspendRoutingPoint: (i, ctx) => ctx.request('suspendRoutingPoint', { service: str(i.service) }, 'standard').then(() => done),
  resumeRoutingPoint: (i, ctx) => ctx.request('resumeRoutingPoint', { service: str(i.service) }, 'standard').then(() => done),
  updateRoutingPoint(i, ctx) {
    const config = json(i.config, 'Config');
    if (config !== undefined && !isRecord(config)) throw new PbxError('INVALID_INPUT', 'Update Routing Point: "Config" must be a JSON object');
    return ctx.request('updateRoutingPoint', { service: str(i.service), config }, 'standard').then(() => done);
  },
};

export function telServicesSupports(op: OperationName): boolean {
  const spec = operationSpec(op);
  return !!spec && spec.platforms.includes('telservices') && HANDLERS[op] !== undefined;
}

export function runTelServicesOperation(op: OperationName, input: Input, ctx: TelServicesOperationContext): Promise<unknown> {
  const h = HANDLERS[op];
  if (!h || !telServicesSupports(op)) throw new PbxError('UNSUPPORTED', `${operationSpec(op)?.displayName ?? op} is not available on TelServices`);
  return h(input, ctx);
}

/** The operations TelServices implements (docs, tests). */
export const TELSERVICES_OPERATIONS = Object.keys(HANDLERS) as OperationName[];
