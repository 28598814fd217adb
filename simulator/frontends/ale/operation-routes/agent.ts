/**
 * Simulated O2G CCD agent service (`acdagent`, under `/acd/agent`): state, logon into a processing group,
 * logoff, ready, pause. Each change reaches subscribers of the `agent` package as `OnAgentStateChanged`
 * with an `OperatorState`. OpenTouch has no such service: the routes exist on the O2G front-end only.
 */
import type { SimAgentState } from '../../../pbx/agents';
import { restError, type AleRoute, type OperationRouteContext } from '../routes';
import { act, obj, simFeatures, str } from './features';

export const AGENT_BASE = '/acd/agent';

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
    { method: 'GET', path: `${AGENT_BASE}/state`, handle: (r) => ({ status: 200, body: renderOperatorState(agents.state(r.user)) }) },
    {
      method: 'POST', path: `${AGENT_BASE}/logon`, handle: (r) => {
        const b = obj(r.body);
        const device = str(b.proAcdDeviceNumber);
        if (!device) return restError(400, 'BAD_PARAMETER', 'proAcdDeviceNumber is required');
        const group = b.pgGroupNumber === undefined ? undefined : String(b.pgGroupNumber);
        return act(() => agents.logon(r.user, device, group));
      },
    },
    { method: 'POST', path: `${AGENT_BASE}/logoff`, handle: (r) => act(() => agents.logoff(r.user)) },
    { method: 'POST', path: `${AGENT_BASE}/ready`, handle: (r) => act(() => agents.setActivity(r.user, 'ready')) },
    { method: 'POST', path: `${AGENT_BASE}/pause`, handle: (r) => act(() => agents.setActivity(r.user, 'paused')) },
  ];
}
