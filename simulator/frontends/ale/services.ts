/**
 * The services the ALE front-end announces in `SessionInfo.services`, and where each is served. The simulator's
 * routes are written at fixed internal prefixes (`/messaging/mailboxes`, `/comlog/records`, `/acd/agent`...); the
 * O2G flavour announces other relative URLs (as a real O2G does: its SDK takes `GET <voicemail>` as the mailbox
 * list and `GET <comlog>` as the record list, o2g-node-sdk src/internal/rest/messaging-rest.ts, comlog-rest.ts), and
 * a request is served only at the announced URL: a client that hard-codes the internal path gets a 404.
 */
import type { AleFlavour } from './routes';

export interface SimService {
  serviceName: string;
  /** What the session announces. */
  relativeUrl: string;
  /** Where the simulator's routes for it live (default: `relativeUrl`). */
  internal?: string;
}

const COMMON = ['sessions', 'subscriptions', 'users', 'logins', 'directory', 'routing'];

export function defaultServices(flavour: AleFlavour): SimService[] {
  const out: SimService[] = COMMON.map((n) => ({ serviceName: n, relativeUrl: `/${n}` }));
  if (flavour === 'opentouch') {
    // The OpenTouch spec gives no service names: the spec's own roots.
    out.push(
      { serviceName: 'telephony', relativeUrl: '/telephony' },
      { serviceName: 'eventSummary', relativeUrl: '/eventSummary' },
      { serviceName: 'comlog', relativeUrl: '/comlog' },
      { serviceName: 'messaging', relativeUrl: '/messaging' },
      { serviceName: 'im', relativeUrl: '/im' },
    );
    return out;
  }
  out.push(
    // Several telephony entries: the SDK collapses every /telephony* into one service at <base>/telephony.
    { serviceName: 'telephony', relativeUrl: '/telephony/calls', internal: '/telephony' },
    { serviceName: 'telephonyDevices', relativeUrl: '/telephony/devices', internal: '/telephony' },
    { serviceName: 'eventSummary', relativeUrl: '/eventsummary', internal: '/eventSummary' },
    { serviceName: 'comlog', relativeUrl: '/comlog', internal: '/comlog/records' },
    { serviceName: 'voicemail', relativeUrl: '/voicemail', internal: '/messaging/mailboxes' },
    { serviceName: 'acdagent', relativeUrl: '/acdagent', internal: '/acd/agent' },
    { serviceName: 'acdpilotmonitoring', relativeUrl: '/acdpilotmonitoring' },
  );
  return out;
}

/**
 * The default services announced under a path prefix (`/x`), as a server behind a gateway path may: every root
 * moves to `<prefix><root>`, the telephony entries become one `telephony` service at `<prefix>/telephony` (under a
 * prefix the SDK's "/telephony*" shortcut cannot apply: it takes such an entry at `<base> + relativeUrl`,
 * o2g-node-sdk src/internal/service-factory.ts). `sessions` stays: clients take it from the authentication answer.
 */
export function prefixedServices(flavour: AleFlavour, prefix: string): SimService[] {
  const p = `/${prefix.replace(/^\/+|\/+$/g, '')}`;
  const out: SimService[] = [];
  for (const s of defaultServices(flavour)) {
    if (s.serviceName === 'sessions') out.push(s);
    else if (s.relativeUrl.startsWith('/telephony')) {
      if (!out.some((x) => x.serviceName === 'telephony')) out.push({ serviceName: 'telephony', relativeUrl: `${p}/telephony`, internal: '/telephony' });
    } else out.push({ serviceName: s.serviceName, relativeUrl: `${p}${s.relativeUrl}`, internal: s.internal ?? s.relativeUrl });
  }
  return out;
}

const under = (path: string, prefix: string): string | undefined => {
  const p = path.toLowerCase();
  const x = prefix.toLowerCase();
  if (p === x) return '';
  return p.startsWith(`${x}/`) ? path.slice(prefix.length) : undefined;
};

/**
 * The internal path of a request path, or undefined when the path is only served under another (announced) URL.
 * Telephony entries (`/telephony/...`) are all one service at `/telephony` and are left alone.
 */
export function internalPath(path: string, services: readonly SimService[]): string | undefined {
  const moved = services
    .filter((s) => s.internal && s.internal !== s.relativeUrl && !s.relativeUrl.startsWith('/telephony'))
    .sort((a, b) => b.relativeUrl.length - a.relativeUrl.length);
  for (const s of moved) {
    const rest = under(path, s.relativeUrl);
    if (rest !== undefined) return s.internal! + rest;
  }
  // A path under an internal prefix that is announced elsewhere is not a resource of this server.
  for (const s of moved) if (under(path, s.internal!) !== undefined) return undefined;
  return path;
}
