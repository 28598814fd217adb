/**
 * The one company every way of running the simulator shows (`npm start`'s demo and `pbxflow simulate`): the
 * default users, Dave (the Support agent), the TelServer company watched over TelServices (devices 301, 302), and
 * the FreePBX company watched over Asterisk AMI (extensions 401, 402, ring group 400).
 */
import { DEFAULT_USERS, type SimRingGroup, type SimUser } from './types';

/** Two more people on the same virtual PBX, whose phones are watched through TelServices instead of ALE. */
export const TELSERVER_COMPANY: SimUser[] = [
  { login: 'erin', password: 'erin-pw', number: '301', name: 'Erin Moreau', devices: ['301'] },
  { login: 'frank', password: 'frank-pw', number: '302', name: 'Frank Girard', devices: ['302'] },
];

/** Two more, on a FreePBX: their extensions are watched through the Asterisk Manager Interface. */
export const FREEPBX_COMPANY: SimUser[] = [
  { login: 'gina', password: 'gina-pw', number: '401', name: 'Gina Roux', devices: ['401'] },
  { login: 'hugo', password: 'hugo-pw', number: '402', name: 'Hugo Blanc', devices: ['402'] },
];

/** The FreePBX company's sales line: a ring group ringing Gina and Hugo at once, for 5 s. */
export const FREEPBX_SALES: SimRingGroup = { number: '400', name: 'Sales', members: ['gina', 'hugo'], strategy: 'ringall', ringMs: 5000 };
export const DEMO_GROUPS: SimRingGroup[] = [FREEPBX_SALES];

/** The people besides the default users: Dave (ALE), the TelServer company and the FreePBX company. */
export const DEMO_EXTRA_USERS: SimUser[] = [{ login: 'dave', password: 'dave-pw', number: '204', name: 'Dave Leroy', devices: ['204'] }, ...TELSERVER_COMPANY, ...FREEPBX_COMPANY];

/** Everyone. */
export const DEMO_USERS: SimUser[] = [...DEFAULT_USERS, ...DEMO_EXTRA_USERS];

/** Whom the ALE connections monitor (the TelServer company has its own connection). */
export const ALE_COMPANY = ['alice', 'bob', 'carol', 'dave'];
