/**
 * The subscription request: one selector per event package (ALE forbids mixing packages in one selector).
 * O2G names its packages; OpenTouch documents `telephony` and `eventSummary` but not the routing package, so
 * routing is asked for by event name there: both the confirmation and the refusal (`OnRoutingManagementFailed`),
 * since a routing change is answered 204 and refused only by that event (without it, a refusal ends in TIMEOUT).
 * Both events belong to the routing package, so they share one selector.
 */
import type { ConnectionConfig } from '../../connection/types';

const DEFAULT_NAMES: Record<'opentouch' | 'o2g', string[][]> = {
  opentouch: [['telephony'], ['eventSummary'], ['OnRoutingStateChanged', 'OnRoutingManagementFailed']],
  // `agent` carries OnAgentStateChanged (agent.state events, and the confirmation of Set Agent State).
  o2g: [['telephony'], ['routingManagement'], ['eventSummary'], ['agent']],
};

export function subscriptionRequest(platform: 'opentouch' | 'o2g', config: ConnectionConfig, admin: boolean): Record<string, unknown> {
  const extra = config.extra ?? {};
  const packages = Array.isArray(extra.eventPackages) ? (extra.eventPackages as unknown[]).map((p) => [String(p)]) : DEFAULT_NAMES[platform];
  // Administrator sessions must name the users; user sessions get their own events.
  const ids = admin || config.sessionKind === 'admin' ? [...(config.users ?? [])] : [];
  const body: Record<string, unknown> = {
    filter: { selectors: packages.map((names) => ({ ids, names })) },
    version: '1.0',
    timeout: typeof extra.channelTimeoutMinutes === 'number' ? extra.channelTimeoutMinutes : 10,
  };
  if (platform === 'opentouch') {
    body.mode = 'CHUNK';
    body.format = 'JSON';
  }
  return body;
}

/**
 * Packages a server may refuse for want of a licence (`agent` needs CONTACTCENTER_AGENT): a subscription refused
 * with them is asked again without them, so a user without the licence still gets call events.
 */
const OPTIONAL = new Set(['agent']);

/** The same request without the optional packages, or undefined when it has none. */
export function withoutOptionalPackages(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const filter = body.filter as { selectors: Array<{ ids: string[]; names: string[] }> };
  const kept = filter.selectors.filter((s) => !s.names.every((n) => OPTIONAL.has(n)));
  if (kept.length === filter.selectors.length || kept.length === 0) return undefined;
  return { ...body, filter: { selectors: kept } };
}
