/**
 * Simulated O2G CCD agent service (`acdagent`, under `/acd/agent`): state, logon into a processing group,
 * logoff, ready, pause. Each change reaches subscribers of the `agent` package as `OnAgentStateChanged`
 * with an `OperatorState`. OpenTouch has no such service: the routes exist on the O2G front-end only.
 */
import type { SimAgentState } from '../../../pbx/agents';
import { restError, type AleRoute, type OperationRouteContext } from '../routes';
import { act, obj, simFeatures, str } from './features';

/** Internal prefix of the routes; sessions announce the service as `acdagent` elsewhere (services.ts). */
export const AGENT_BASE = '/acd/agent';

/** The agent's configured pro-ACD device: the user's last device (bob: 2021, not his main 202). */
export const proAcdOf = (devices: readonly string[]): string | undefined => devices[devices.length - 1];

/** The O2G `OperatorState`: `mainState` LOG_ON / LOG_OFF, `subState` the activity. */
export function renderOperatorState(s: SimAgentState): Record<string, unknown> {
  if (s.activity === 'logged_off') return { mainState: 'LOG_OFF', withdraw: false };
  const subState = s.activity === 'ready' ? 'READY' : s.activity === 'paused' ? 'PAUSE' : 'OUT_OF_PG';
  return { mainState: 'LOG_ON', subState, proAcdDeviceNumber: s.device, ...(s.group ? { pgNumber: s.group } : {}), withdraw: false };
}

export function agentRoutes(ctx: OperationRouteContext): AleRoute[] {
  if (ctx.flavour !== 'o2g') return [];
  const { agents } = simFeatures(ctx.pbx);
  agents.on('change', (c: { user: string; state: SimAgentState }) => {
    ctx.publish({ eventName: 'OnAgentStateChanged', loginName: c.user, state: renderOperatorState(c.state) });
  });
  return [
    {
      // `OperatorConfig` (o2g-node-sdk cc-agent-types.ts AgentConfigJson): type, proacd, processingGroups.
      method: 'GET', path: `${AGENT_BASE}/config`, handle: (r) => {
        const u = ctx.pbx.user(r.user);
        if (!u || !u.devices.length) return restError(404, 'NOT_FOUND', `${r.user} is not a CCD operator`);
        return { status: 200, body: { type: 'AGENT', proacd: proAcdOf(u.devices), processingGroups: { groups: Object.keys(agents.groups) }, selfAssign: false, headset: false, help: false, multiline: false } };
      },
    },
    { method: 'GET', path: `${AGENT_BASE}/state`, handle: (r) => ({ status: 200, body: renderOperatorState(agents.state(r.user)) }) },
    {
      method: 'POST', path: `${AGENT_BASE}/logon`, handle: (r) => {
        const b = obj(r.body);
        const device = str(b.proAcdDeviceNumber);
        if (!device) return restError(400, 'BAD_PARAMETER', 'proAcdDeviceNumber is required');
        // A CCD agent logs on from their pro-ACD set, not from any of their devices.
        const u = ctx.pbx.user(r.user);
        if (u && device !== proAcdOf(u.devices)) return restError(400, 'BAD_PARAMETER', `${device} is not the pro-ACD device of ${r.user}`);
        const group = b.pgGroupNumber === undefined ? undefined : String(b.pgGroupNumber);
        return act(() => agents.logon(r.user, device, group));
      },
    },
    { method: 'POST', path: `${AGENT_BASE}/logoff`, handle: (r) => act(() => agents.logoff(r.user)) },
    { method: 'POST', path: `${AGENT_BASE}/ready`, handle: (r) => act(() => agents.setActivity(r.user, 'ready')) },
    { method: 'POST', path: `${AGENT_BASE}/pause`, handle: (r) => act(() => agents.setActivity(r.user, 'paused')) },
  ];
}
