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
  // `agent` carries OnAgentStateChanged (agent.state events, and the confirmation of Set Agent State);
  // `pilot` (queue events) is added when pilots are configured (see subscriptionRequest).
  o2g: [['telephony'], ['routingManagement'], ['eventSummary'], ['agent']],
};

/**
 * The CCD pilots to monitor (O2G), number -> name, from `extra.pilots`: `["5000"]` or `{"5000": "Support"}`. The
 * pilot events carry the number only, so a name given here becomes `queue.name`.
 */
/** `extra.pilots`: `{ "5000": "Support" }`, `["5000"]`, or the text hosts collect, `"5000=Support, 5001"`. */
export function pilotsOf(config: ConnectionConfig): Record<string, string> {
  const p = config.extra?.pilots;
  const out: Record<string, string> = {};
  if (typeof p === 'string') {
    for (const item of p.split(/[,;\n]+/)) {
      const [number, ...name] = item.split('=');
      if (number.trim()) out[number.trim()] = name.join('=').trim();
    }
  }
  if (Array.isArray(p)) for (const n of p) if (String(n).trim()) out[String(n).trim()] = '';
  if (p && typeof p === 'object' && !Array.isArray(p)) for (const [n, name] of Object.entries(p)) if (n.trim()) out[n.trim()] = typeof name === 'string' ? name : '';
  return out;
}

export function subscriptionRequest(platform: 'opentouch' | 'o2g', config: ConnectionConfig, admin: boolean): Record<string, unknown> {
  const extra = config.extra ?? {};
  const packages = Array.isArray(extra.eventPackages) ? (extra.eventPackages as unknown[]).map((p) => [String(p)]) : DEFAULT_NAMES[platform];
  // Administrator sessions must name the users; user sessions get their own events.
  const ids = admin || config.sessionKind === 'admin' ? [...(config.users ?? [])] : [];
  const selectors = packages.map((names) => ({ ids, names }));
  // The `pilot` package is selected by pilot number (in any session); without pilots to name there is nothing to ask.
  const pilots = Object.keys(pilotsOf(config));
  if (platform === 'o2g' && pilots.length && !Array.isArray(extra.eventPackages)) selectors.push({ ids: pilots, names: ['pilot'] });
  const body: Record<string, unknown> = {
    filter: { selectors },
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
 * Packages a server may refuse for want of a licence (`agent` needs CONTACTCENTER_AGENT, `pilot`
 * CONTACTCENTER_SVCS, or an unknown pilot number): a subscription refused with them is asked again without them,
 * so a user without the licence still gets call events.
 */
const OPTIONAL = new Set(['agent', 'pilot']);

/** The same request without the optional packages, or undefined when it has none. */
export function withoutOptionalPackages(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const filter = body.filter as { selectors: Array<{ ids: string[]; names: string[] }> };
  const kept = filter.selectors.filter((s) => !s.names.every((n) => OPTIONAL.has(n)));
  if (kept.length === filter.selectors.length || kept.length === 0) return undefined;
  return { ...body, filter: { selectors: kept } };
}
