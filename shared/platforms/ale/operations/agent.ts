/**
 * CCD agent operations (O2G only; OpenTouch has no contact-center service). Endpoint table first; paths are
 * relative to `/api/rest/1.0`. The change is answered 2xx and announced by `OnAgentStateChanged` (package
 * `agent`): each change resolves once that event or a read-back of the state shows the new state, and fails with
 * TIMEOUT when neither does in time.
 */
import { PbxApiError, PbxError } from '../../../errors';
import type { AleEvent } from '../decoder';
import { agentInfoOf, type AgentInfo } from './agent-state';
import { send, within, type AleOperationContext, type AleRestLike, type Endpoint } from './types';

/**
 * The `acdagent` service (its URL from `SessionInfo.services`; `/acd/agent` only as the fallback). Sub-paths and
 * bodies: o2g-node-sdk src/internal/rest/ccAgent-rest.ts (`config`, `state`, `logon`, `logoff`, `ready`, `pause`).
 */
const S = 'acdagent' as const;

export interface LogonInput { device: string; group?: string }

export const AGENT = {
  /** `OperatorConfig` (cc-agent-types.ts `AgentConfigJson`): `proacd` is the agent's pro-ACD device. */
  getConfig: { method: 'GET', service: S, path: () => '/config' } as Endpoint<object>,
  getState: { method: 'GET', service: S, path: () => '/state' } as Endpoint<object>,
  /** `pgGroupNumber` absent: logged on out of any group (supervisors). `headset` is left to its default (off). */
  logon: {
    method: 'POST', service: S, path: () => '/logon',
    body: (i) => ({ proAcdDeviceNumber: i.device, ...(i.group ? { pgGroupNumber: i.group } : {}) }),
  } as Endpoint<LogonInput>,
  logoff: { method: 'POST', service: S, path: () => '/logoff' } as Endpoint<object>,
  ready: { method: 'POST', service: S, path: () => '/ready' } as Endpoint<object>,
  /** "Not ready" is the CCD pause: withdraw would need a reason index from `withdrawReasons` per group. */
  notReady: { method: 'POST', service: S, path: () => '/pause', inferred: 'not_ready sent as pause (not withdraw, which needs a reason).' } as Endpoint<object>,
};

/** The pro-ACD device the agent logs on from: `OperatorConfig.proacd` (the SDK's `logon(proAcdNumber, ...)`). */
async function proAcdDevice(rest: AleRestLike, ctx: AleOperationContext): Promise<string> {
  const config = await send<{ proacd?: unknown } | undefined, object>(rest, AGENT.getConfig, {}, ctx);
  const device = typeof config?.proacd === 'string' && config.proacd ? config.proacd : undefined;
  if (!device) throw new PbxError('INVALID_INPUT', `Log on: ${ctx.user} has no pro-ACD device configured on the PBX (OperatorConfig.proacd)`);
  return device;
}

type Input = Record<string, unknown>;
type Handler = (rest: AleRestLike, input: Input, ctx: AleOperationContext) => Promise<unknown>;
type Target = 'logon' | 'logoff' | 'ready' | 'not_ready';

const DEFAULT_TIMEOUT_MS = 10_000;

export interface AgentResult {
  ok: true;
  agent: AgentInfo;
}

async function readState(rest: AleRestLike, ctx: AleOperationContext): Promise<AgentInfo> {
  return agentInfoOf(await send(rest, AGENT.getState, {}, ctx));
}

/** Sends one change, then waits for the event (or a read-back) that shows `expected`. */
async function changeAgent<I>(rest: AleRestLike, ctx: AleOperationContext, ep: Endpoint<I>, input: I, expected: (a: AgentInfo) => boolean, what: string): Promise<AgentResult> {
  const timeoutMs = ctx.routingTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  let settle: ((a: AgentInfo) => void) | undefined;
  const confirmed = new Promise<AgentInfo>((resolve) => (settle = resolve));
  // Listen before sending: the event can beat the 204 home.
  const unsubscribe = ctx.rawEvents?.((e: AleEvent) => {
    if (e.eventName !== 'OnAgentStateChanged' || (e.loginName !== undefined && e.loginName !== ctx.user)) return;
    const info = agentInfoOf(e.state);
    if (expected(info)) settle!(info);
  });
  try {
    try {
      await send(rest, ep, input, ctx);
    } catch (err) {
      // Say which change was refused: the PBX's own message names neither the agent nor the group.
      if (err instanceof PbxApiError) {
        throw new PbxApiError(`${what} refused for ${ctx.user}: ${err.message}`, { status: err.status, type: err.type, code: err.pbxCode, canRetry: err.canRetry, helpMessage: err.helpMessage });
      }
      throw err;
    }
    // A state that already matches (logging off a logged-off agent) brings no event: look before waiting.
    const first = await Promise.race([confirmed, readState(rest, ctx)]);
    if (expected(first)) return { ok: true, agent: first };
    if (unsubscribe) {
      const got = await within(confirmed, timeoutMs);
      if (got) return { ok: true, agent: got };
    }
    // No event in time (or no channel): the state itself is the last word.
    const now = await readState(rest, ctx);
    if (expected(now)) return { ok: true, agent: now };
    throw new PbxError('TIMEOUT', `The PBX did not confirm "${what}" for ${ctx.user} in time (agent state: ${now.state})`);
  } finally {
    unsubscribe?.();
  }
}

export const AGENT_HANDLERS: Record<string, Handler> = {
  async getAgentState(rest, _input, ctx) {
    return readState(rest, ctx);
  },
  async setAgentState(rest, input, ctx) {
    const target = input.state as Target;
    const group = typeof input.group === 'string' && input.group.trim() ? input.group.trim() : undefined;
    switch (target) {
      case 'logon': {
        const device = await proAcdDevice(rest, ctx);
        return changeAgent(rest, ctx, AGENT.logon, { device, group }, (a) => a.mainState === 'LOG_ON' && (group === undefined || a.group === group), group ? `Log on to group ${group}` : 'Log on');
      }
      case 'logoff':
        return changeAgent(rest, ctx, AGENT.logoff, {}, (a) => a.state === 'log_off', 'Log off');
      case 'ready':
        return changeAgent(rest, ctx, AGENT.ready, {}, (a) => a.state === 'ready', 'Ready');
      case 'not_ready':
        return changeAgent(rest, ctx, AGENT.notReady, {}, (a) => a.state === 'pause', 'Not ready');
      default:
        throw new PbxError('INVALID_INPUT', `Set Agent State: unknown state "${String(target)}"`);
    }
  },
};
