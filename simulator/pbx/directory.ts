/**
 * The virtual PBX's directory: its users plus a few outside contacts, searched by name prefix or by number.
 * Results come in pages so front-ends can exercise the "poll until FINISH" loop of the ALE search.
 */
import type { VirtualPbx } from './virtual-pbx';

export interface SimContact {
  login?: string;
  number: string;
  firstName?: string;
  lastName?: string;
  email?: string;
}

/** The ALE criterion shape, kept neutral: a leaf `{field, operation, operand}` or AND/OR of leaves. */
export interface SimCriterion {
  field?: string;
  operation: string;
  operand: string | SimCriterion[];
}

const OUTSIDE: SimContact[] = [
  { number: '+33140000001', firstName: 'Denis', lastName: 'Lambert', email: 'denis@example.com' },
  { number: '+33140000002', firstName: 'Eve', lastName: 'Marchand' },
];

export class SimDirectory {
  constructor(private readonly pbx: VirtualPbx, private readonly extra: SimContact[] = OUTSIDE) {}

  contacts(): SimContact[] {
    const users = this.pbx.users.filter((u) => !u.admin).map((u) => {
      const [firstName, ...rest] = u.name.split(' ');
      return { login: u.login, number: u.number, firstName, lastName: rest.join(' '), email: `${u.login}@example.com` };
    });
    return [...users, ...this.extra];
  }

  search(c: SimCriterion, limit = 100): SimContact[] {
    return this.contacts().filter((x) => matches(x, c)).slice(0, Math.max(1, Math.min(100, limit)));
  }
}

function fieldOf(x: SimContact, field: string | undefined): string {
  switch (field) {
    case 'lastName': return x.lastName ?? '';
    case 'firstName': return x.firstName ?? '';
    case 'id.phoneNumber': return x.number;
    case 'id.loginName': return x.login ?? '';
    case 'id.email': return x.email ?? '';
    default: return '';
  }
}

function matches(x: SimContact, c: SimCriterion): boolean {
  if (Array.isArray(c.operand)) {
    const subs = c.operand.map((s) => matches(x, s));
    return c.operation === 'AND' ? subs.every(Boolean) : subs.some(Boolean);
  }
  const v = fieldOf(x, c.field).toLowerCase();
  const o = String(c.operand).toLowerCase();
  switch (c.operation) {
    case 'BEGIN_WITH': return v.startsWith(o);
    case 'END_WITH': return v.endsWith(o);
    case 'CONTAIN': return v.includes(o);
    case 'EQUAL_IGNORE_CASE': return v === o;
    default: return false;
  }
}
