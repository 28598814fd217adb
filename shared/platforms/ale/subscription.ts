/**
 * The subscription request: one selector per event package (ALE forbids mixing packages in one selector).
 * O2G names its packages; OpenTouch documents `telephony` and `eventSummary` but not the routing package, so
 * routing is asked for by event name there: both the confirmation and the refusal (`OnRoutingManagementFailed`),
 * since a routing change is answered 204 and refused only by that event (without it, a refusal ends in TIMEOUT).
 * Both events belong to the routing package, so they share one selector.
 */
import type { ConnectionConfig } from '../../connection/types';
import type { AleEvent } from './decoder';

/**
 * Package names are the O2G SDK's (src/internal/events/event-packages.ts): `unifiedComLog` carries
 * OnComRecordCreated (callLog.created), `user` OnUserInfoChanged, `system` the CTI / PBX link events an admin must
 * see (turned into connection warnings, see systemWarning). OpenTouch's spec names no comlog package: its
 * OnComRecordCreated is asked for by name.
 */
const DEFAULT_NAMES: Record<'opentouch' | 'o2g', string[][]> = {
  opentouch: [['telephony'], ['eventSummary'], ['OnRoutingStateChanged', 'OnRoutingManagementFailed'], ['OnComRecordCreated']],
  // `agent` carries OnAgentStateChanged (agent.state events, and the confirmation of Set Agent State);
  // `pilot` (queue events) is added when pilots are configured (see subscriptionRequest).
  o2g: [['telephony'], ['routingManagement'], ['eventSummary'], ['agent'], ['unifiedComLog'], ['user'], ['system']],
};

/** Administrator sessions also follow PBX management (`pbxManagement`: its link events). */
const ADMIN_ONLY: Record<'opentouch' | 'o2g', string[][]> = { opentouch: [], o2g: [['pbxManagement']] };

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
  const isAdmin = admin || config.sessionKind === 'admin';
  const packages = Array.isArray(extra.eventPackages) ? (extra.eventPackages as unknown[]).map((p) => [String(p)]) : [...DEFAULT_NAMES[platform], ...(isAdmin ? ADMIN_ONLY[platform] : [])];
  // Administrator sessions must name the users; user sessions get their own events.
  const ids = isAdmin ? [...(config.users ?? [])] : [];
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
    // The spec's server keepalive (minutes, 1 up to the timeout): a line a minute lets the channel's idle
    // watchdog tell a quiet line from a dead one within about a minute.
    const keepalive = typeof extra.channelKeepaliveMinutes === 'number' ? extra.channelKeepaliveMinutes : 1;
    if (keepalive >= 1 && keepalive < (body.timeout as number)) body.keepalive = keepalive;
  }
  return body;
}

/**
 * Packages a server may refuse for want of a licence or of rights (`agent` needs CONTACTCENTER_AGENT, `pilot`
 * CONTACTCENTER_SVCS, or an unknown pilot number; `system` / `pbxManagement` may be for administrators only): a subscription refused with them is asked again without them,
 * so a user without the licence still gets call events.
 */
const OPTIONAL = new Set(['agent', 'pilot', 'system', 'pbxManagement']);

/** The same request without the optional packages, or undefined when it has none. */
export function withoutOptionalPackages(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const filter = body.filter as { selectors: Array<{ ids: string[]; names: string[] }> };
  const kept = filter.selectors.filter((s) => !s.names.every((n) => OPTIONAL.has(n)));
  if (kept.length === filter.selectors.length || kept.length === 0) return undefined;
  return { ...body, filter: { selectors: kept } };
}

/** System events (O2G SDK maint-events.ts; package `system` / `pbxManagement`) that an operator must hear about. */
const LINK_EVENTS: Record<string, string> = {
  OnCtiLinkDown: 'the CTI link between the O2G server and the PBX is down: call events and call control stop until it is back',
  OnPbxLinkDown: 'the link between the O2G server and the PBX is down: telephony is unavailable until it is back',
  OnCtiLinkUp: 'the CTI link to the PBX is back up',
  OnPbxLinkUp: 'the link to the PBX is back up',
};

/** The warning a system event asks for, or undefined. Fields are read as the SDK reads them (`nodeId`, `nbDays`). */
export function systemWarning(e: AleEvent): string | undefined {
  const node = typeof e.nodeId === 'string' || typeof e.nodeId === 'number' ? ` (PBX node ${String(e.nodeId).slice(0, 16)})` : '';
  const link = Object.hasOwn(LINK_EVENTS, e.eventName) ? LINK_EVENTS[e.eventName] : undefined;
  if (link) return `${e.eventName}${node}: ${link}`;
  if (e.eventName === 'OnLicenseExpiration' && typeof e.nbDays === 'number' && Number.isFinite(e.nbDays)) {
    return e.nbDays < 0 ? `OnLicenseExpiration: the O2G licence has expired (${-e.nbDays} days ago)` : `OnLicenseExpiration: the O2G licence expires in ${e.nbDays} days`;
  }
  return undefined;
}
