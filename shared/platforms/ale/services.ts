/**
 * Service URLs from the session. `SessionInfo.services[]` lists, per `serviceName`, the `relativeUrl` to append to
 * the base URL (spec: SessionInfo / Service). The names are the O2G SDK's (o2g-node-sdk
 * src/internal/service-factory.ts: matched case-insensitively; every `relativeUrl` starting with `/telephony`
 * is the one telephony service at `<base>/telephony`, any other entry is at `<base> + relativeUrl`, even one named
 * telephony; the first entry of a name wins). Ours besides: a `relativeUrl` that is not a path (no leading `/`) is
 * ignored and a trailing `/` dropped (the SDK would build a broken URL from either).
 *
 * Lookup rules (ours):
 *  - the session lists the service: its announced URL;
 *  - the session lists no services at all (an older server): today's fixed path, with a warning once;
 *  - the session lists services but not this one: O2G -> UNSUPPORTED (the server does not offer it);
 *    OpenTouch -> the spec's fixed path with a warning (the spec gives no service names, so a name we do not
 *    recognise does not prove the service is missing).
 */
import { PbxError } from '../../errors';

/** Service names as we look them up (lower case, as the SDK compares them). */
export type AleServiceName =
  | 'telephony' | 'routing' | 'voicemail' | 'messaging' | 'comlog' | 'eventsummary' | 'directory' | 'users'
  | 'acdagent' | 'acdpilotmonitoring' | 'subscriptions' | 'im';

/**
 * The paths used before services were read, relative to the base URL. O2G's `voicemail` and `comlog` services are
 * the collections themselves (the SDK lists mailboxes with `GET <voicemail>` and records with `GET <comlog>`),
 * hence the collection paths; `/acd/agent` was our reading (no source gives it).
 */
export const FALLBACK_PATHS: Record<AleServiceName, string> = {
  telephony: '/telephony',
  routing: '/routing',
  voicemail: '/messaging/mailboxes',
  messaging: '/messaging',
  comlog: '/comlog/records',
  eventsummary: '/eventSummary',
  directory: '/directory',
  users: '/users',
  acdagent: '/acd/agent',
  acdpilotmonitoring: '/acd/pilots',
  subscriptions: '/subscriptions',
  im: '/im',
};

/** OpenTouch's own fallbacks where its spec's service root differs (the spec's call log is `/comlog/records`). */
const OPENTOUCH_FALLBACK: Partial<Record<AleServiceName, string>> = { comlog: '/comlog' };

export const fallbackPath = (name: AleServiceName, platform: 'opentouch' | 'o2g'): string =>
  (platform === 'opentouch' ? OPENTOUCH_FALLBACK[name] : undefined) ?? FALLBACK_PATHS[name];

/** Parsed tables by the session's own `services` array (a session's list never changes). */
const parsed = new WeakMap<object, Map<string, string> | undefined>();

/** Relative URLs by lower-cased service name, or undefined when the session lists none. */
export function announcedServices(services: unknown): Map<string, string> | undefined {
  if (!Array.isArray(services) || services.length === 0) return undefined;
  if (parsed.has(services)) return parsed.get(services);
  const out = new Map<string, string>();
  for (const s of services) {
    if (!s || typeof s !== 'object') continue;
    const { serviceName, relativeUrl } = s as { serviceName?: unknown; relativeUrl?: unknown };
    if (typeof serviceName !== 'string' || typeof relativeUrl !== 'string' || !relativeUrl.startsWith('/')) continue;
    // The SDK's rule (service-factory.ts setServices), exactly: "only one telephony service", so an entry whose
    // relativeUrl starts with /telephony is the telephony service at <base>/telephony; every other entry, whatever
    // its name (a `telephony` announced at `/x/telephony` too), is at <base> + relativeUrl.
    const collapsed = relativeUrl.startsWith('/telephony');
    const name = collapsed ? 'telephony' : serviceName.toLowerCase();
    const url = collapsed ? '/telephony' : relativeUrl.replace(/\/+$/, '');
    if (!out.has(name)) out.set(name, url);
  }
  const table = out.size ? out : undefined;
  parsed.set(services, table);
  return table;
}

export interface ServiceLookup {
  platform: 'opentouch' | 'o2g';
  /** The session's `services[]` (raw). */
  services: unknown;
  /** Told once per service and session when a fallback path is used. */
  warn?: (message: string) => void;
}

const warned = new WeakMap<object, Set<string>>();

/** The service's path relative to the base URL; throws UNSUPPORTED when the session does not offer it (O2G). */
export function servicePath(name: AleServiceName, o: ServiceLookup): string {
  const table = announcedServices(o.services);
  const found = table?.get(name);
  if (found !== undefined) return found;
  if (table && o.platform === 'o2g') {
    throw new PbxError('UNSUPPORTED', `The O2G server does not offer the "${name}" service to this session (it announces: ${[...table.keys()].join(', ')})`);
  }
  const key = o.services && typeof o.services === 'object' ? (o.services as object) : warned;
  let seen = warned.get(key);
  if (!seen) warned.set(key, (seen = new Set()));
  if (!seen.has(name)) {
    seen.add(name);
    o.warn?.(`The session does not announce the "${name}" service${table ? '' : ' (no services list)'}: using the fixed path ${fallbackPath(name, o.platform)}`);
  }
  return fallbackPath(name, o.platform);
}
