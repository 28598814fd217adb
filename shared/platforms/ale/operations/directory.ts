/**
 * Directory and users: search (`/directory/search`, one implicit search per session, polled until FINISH)
 * and a user by login (`/users/{loginName}`). Endpoint table first. Paths below the `directory` and `users` service
 * URLs (o2g-node-sdk src/internal/rest/directory-rest.ts: `<directory>/search`; users-rest.ts: `<users>/{login}`).
 */
import { PbxError } from '../../../errors';
import { seg, send, type AleOperationContext, type AleRestLike, type Endpoint } from './types';

export interface Criterion { field?: string; operation: string; operand: string | Criterion[] }

export const DIRECTORY = {
  /** Body per the O2G SDK (`{filter, limit}`); OpenTouch accepts the same fields [spec: SearchRequest]. */
  start: { method: 'POST', service: 'directory', path: () => '/search', body: (i) => ({ filter: i.filter, limit: i.limit }) } as Endpoint<{ filter: Criterion; limit: number }>,
  next: { method: 'GET', service: 'directory', path: () => '/search' } as Endpoint<object>,
  cancel: { method: 'DELETE', service: 'directory', path: () => '/search' } as Endpoint<object>,
  user: { method: 'GET', service: 'users', path: (i) => `/${seg(i.login)}` } as Endpoint<{ login: string }>,
};

/** Wait between polls while the server answers NOK ("in progress, no result yet"); the spec suggests 500 ms. */
const NOK_WAIT_MS = 300;
const SEARCH_DEADLINE_MS = 15_000;

/** A number searches phone numbers; anything else searches last or first names. */
export function criterionFor(query: string): Criterion {
  if (/^[+\d][\d\s().\-/]*$/.test(query)) return { field: 'id.phoneNumber', operation: 'CONTAIN', operand: query.replace(/[\s().\-/]/g, '') };
  return {
    operation: 'OR',
    operand: [
      { field: 'lastName', operation: 'BEGIN_WITH', operand: query },
      { field: 'firstName', operation: 'BEGIN_WITH', operand: query },
    ],
  };
}

export interface Contact {
  login?: string;
  number?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  directory?: string;
}

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function contact(c: Obj, directory?: string): Contact {
  const id = (c.id && typeof c.id === 'object' ? c.id : {}) as Obj;
  const out: Contact = {
    login: str(id.loginName), number: str(id.phoneNumber), email: str(id.email) ?? str(id.companyEmail),
    firstName: str(c.firstName), lastName: str(c.lastName),
    name: str(c.displayName) ?? str(c.fullName) ?? ([str(c.firstName), str(c.lastName)].filter(Boolean).join(' ') || undefined),
    directory,
  };
  for (const k of Object.keys(out) as Array<keyof Contact>) if (out[k] === undefined) delete out[k];
  return out;
}

type Input = Record<string, unknown>;
type Handler = (rest: AleRestLike, input: Input, ctx: AleOperationContext) => Promise<unknown>;

export const DIRECTORY_HANDLERS: Record<string, Handler> = {
  async searchDirectory(rest, input, ctx) {
    const query = String(input.query ?? '').trim();
    if (!query) throw new PbxError('INVALID_INPUT', 'Search: "Name or Number" is required');
    const limit = Math.min(100, Math.max(1, typeof input.limit === 'number' ? input.limit : 20));
    await send(rest, DIRECTORY.start, { filter: criterionFor(query), limit }, ctx);
    const contacts: Contact[] = [];
    const deadline = Date.now() + SEARCH_DEADLINE_MS;
    let finished = false;
    try {
      while (contacts.length < limit) {
        const res = await send<{ resultCode?: string; resultElements?: Array<{ directorySource?: string; contacts?: Obj[] }> } | undefined, object>(rest, DIRECTORY.next, {}, ctx);
        for (const el of res?.resultElements ?? []) for (const c of el.contacts ?? []) contacts.push(contact(c, el.directorySource));
        const code = res?.resultCode ?? 'FINISH';
        if (code === 'FINISH' || code === 'TIMEOUT') { finished = true; break; }
        if (Date.now() > deadline) throw new PbxError('TIMEOUT', 'The directory search did not finish in time');
        if (code === 'NOK') await new Promise((r) => setTimeout(r, NOK_WAIT_MS));
      }
    } finally {
      // Free the search context (5 per session): the server keeps an unfinished one for a minute.
      if (!finished) await send(rest, DIRECTORY.cancel, {}, ctx).catch(() => undefined);
    }
    return { contacts: contacts.slice(0, limit) };
  },
  async getUser(rest, input, ctx) {
    return send(rest, DIRECTORY.user, { login: String(input.login ?? '') }, ctx);
  },
};
