/**
 * O2G `OperatorState` (the body of `GET .../state` and the `state` of `OnAgentStateChanged`) -> the normalized
 * agent state, read the same way by the operations and the event normalizer so both say the same thing.
 * `state` is one lower-case word: `log_off` when logged off, else the activity (`ready`, `pause`, `out_of_pg`,
 * `busy`, `wrapup`, `withdraw`...), or `log_on` when the PBX gives none.
 */
type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export interface AgentInfo {
  state: string;
  /** Processing group the agent is in. */
  group?: string;
  /** The pro-ACD device the agent is logged on from. */
  device?: string;
  /** As the PBX says them. */
  mainState: string;
  subState?: string;
  withdraw?: boolean;
}

export function agentInfoOf(raw: unknown): AgentInfo {
  const s = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Obj;
  // `state` and `proGroupDN` are older spellings some servers use for the main state and the group.
  const mainState = str(s.mainState) ?? str(s.state) ?? 'UNKNOWN';
  const subState = str(s.subState);
  const logged = mainState !== 'LOG_OFF';
  const state = !logged ? 'log_off' : subState && subState !== 'UNKNOWN' ? subState.toLowerCase() : mainState.toLowerCase();
  const info: AgentInfo = { state, mainState };
  const group = str(s.pgNumber) ?? str(s.proGroupDN) ?? str(s.processingGroup);
  if (group && logged) info.group = group;
  const device = str(s.proAcdDeviceNumber);
  if (device && logged) info.device = device;
  if (subState) info.subState = subState;
  if (typeof s.withdraw === 'boolean') info.withdraw = s.withdraw;
  return info;
}
