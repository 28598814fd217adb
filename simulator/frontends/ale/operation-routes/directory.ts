/**
 * Simulated directory search (one implicit search per session: POST starts it, GET pages through it — NOK
 * first, then the results, then FINISH — and DELETE drops it) and `GET /users/{loginName}`.
 */
import type { SimContact, SimCriterion } from '../../../pbx/directory';
import { restError, type AleRoute, type OperationRouteContext, type SimRequest } from '../routes';
import { obj, simFeatures } from './features';

interface Search { results: SimContact[]; polls: number }

function renderContact(c: SimContact): Record<string, unknown> {
  const id: Record<string, unknown> = { phoneNumber: c.number };
  if (c.login) id.loginName = c.login;
  if (c.email) id.email = c.email;
  return { id, firstName: c.firstName, lastName: c.lastName };
}

export function directoryRoutes(ctx: OperationRouteContext): AleRoute[] {
  const { pbx, flavour } = ctx;
  const { directory, messaging } = simFeatures(pbx);
  const searches = new Map<string, Search>();
  const key = (r: SimRequest) => `${r.session.login}|${r.user}`;

  return [
    {
      method: 'POST', path: '/directory/search',
      handle: (r) => {
        const b = obj(r.body);
        if (!b.filter || typeof b.filter !== 'object') return restError(400, 'BAD_PARAMETER', 'filter is mandatory');
        const limit = typeof b.limit === 'number' ? b.limit : 100;
        searches.set(key(r), { results: directory.search(b.filter as SimCriterion, limit), polls: 0 });
        return { status: 201, body: `search-${searches.size}` };
      },
    },
    {
      method: 'GET', path: '/directory/search',
      handle: (r) => {
        const s = searches.get(key(r));
        if (!s) return { status: 200, body: { resultCode: 'FINISH' } };
        s.polls++;
        if (s.polls === 1) return { status: 200, body: { resultCode: 'NOK' } };
        if (s.polls === 2 && s.results.length) {
          return { status: 200, body: { resultCode: 'OK', resultElements: [{ directorySource: 'sim', contacts: s.results.map(renderContact) }] } };
        }
        searches.delete(key(r));
        return { status: 200, body: { resultCode: 'FINISH' } };
      },
    },
    { method: 'DELETE', path: '/directory/search', handle: (r) => (searches.delete(key(r)), { status: 204 }) },
    {
      method: 'GET', path: '/users/:loginName',
      handle: (r) => {
        const u = pbx.user(r.params.loginName);
        if (!u) return restError(404, 'NOT_FOUND', `no user ${r.params.loginName}`);
        const [firstName, ...last] = u.name.split(' ');
        const body: Record<string, unknown> = {
          loginName: u.login, companyPhone: u.number || undefined, firstName, lastName: last.join(' '),
          instantMessagingId: u.login, type: 'STANDARD',
          devices: u.devices.map((id, i) => ({ id, type: i === 0 ? 'DESKPHONE' : 'SOFTPHONE' })),
        };
        if (messaging.mailboxOf(u.login)) body.voicemail = { number: '8000', type: flavour === 'o2g' ? 'VM_4635' : 'VM_LOCAL_STORAGE' };
        return { status: 200, body };
      },
    },
  ];
}
