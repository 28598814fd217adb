/**
 * Which ALE server a captured line came from, when the line can tell: OpenTouch and O2G share the public `On*`
 * form, so most lines cannot. O2G-only: the internal `RTSM_*` form, the events of its CCD, system and PBX
 * management packages, and fields only its SDK reads (`replacedByCallRef`, `newTextNb`, `capaString`...;
 * o2g-node-sdk src/types/*-events.ts). OpenTouch-only: its messaging, IM and routing-failure events, and a
 * `requestId` on routing events (O2G has none).
 */
export type AleFlavour = 'opentouch' | 'o2g';

const O2G_EVENTS = new Set([
  'OnPilotCallCreated', 'OnPilotCallQueued', 'OnPilotCallRemoved', 'OnAgentStateChanged', 'OnAgentSkillChanged',
  'OnSupervisorHelpRequested', 'OnSupervisorHelpCancelled', 'OnAgentRtiChanged', 'OnAgentProcessingGroupRtiChanged',
  'OnOtherProcessingGroupRtiChanged', 'OnQueueRtiChanged', 'OnCtiLinkDown', 'OnCtiLinkUp', 'OnPbxLinkDown', 'OnPbxLinkUp',
  'OnPbxLoaded', 'OnServerStart', 'OnLicenseExpiration', 'OnPbxObjectInstanceCreated', 'OnPbxObjectInstanceDeleted',
  'OnPbxObjectInstanceModified', 'OnDynamicStateChanged', 'OnDigitCollected', 'OnToneGeneratedStart', 'OnToneGeneratedStop',
  'OnRouteSession', 'OnRouteEnd', 'OnUserCreated', 'OnUserDeleted',
]);

const OPENTOUCH_EVENTS = new Set([
  'OnRoutingManagementFailed', 'OnMessageAdded', 'OnMessageUpdated', 'OnMessageDeleted', 'OnImReceived', 'OnImSessionCreated',
  'OnRoutingProfilesChanged', 'OnConferenceCreated', 'OnConferenceModified', 'OnConferenceRemoved',
]);

/** The flavour a line proves, or undefined when it fits both (or is not JSON). */
export function detectAleFlavour(line: string): AleFlavour | undefined {
  if (/"name"\s*:\s*"RTSM_/.test(line)) return 'o2g';
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const e = v as Record<string, unknown>;
  const name = typeof e.eventName === 'string' ? e.eventName : '';
  if (O2G_EVENTS.has(name)) return 'o2g';
  if (OPENTOUCH_EVENTS.has(name)) return 'opentouch';
  if (typeof e.replacedByCallRef === 'string') return 'o2g';
  const summary = e.eventSummary && typeof e.eventSummary === 'object' ? (e.eventSummary as Record<string, unknown>) : undefined;
  if (summary && 'newTextNb' in summary) return 'o2g';
  const cd = e.callData && typeof e.callData === 'object' ? (e.callData as Record<string, unknown>) : undefined;
  if (cd && typeof cd.capaString === 'string') return 'o2g';
  if (name === 'OnRoutingStateChanged' && typeof e.requestId === 'string') return 'opentouch';
  return undefined;
}
