/**
 * The one company every way of running the simulator shows (`npm start`'s demo and `pbxflow simulate`): the
 * default users, Dave (the Support agent), and the TelServer company watched over TelServices (devices 301, 302).
 */
import { DEFAULT_USERS, type SimUser } from './types';

/** Two more people on the same virtual PBX, whose phones are watched through TelServices instead of ALE. */
export const TELSERVER_COMPANY: SimUser[] = [
  { login: 'erin', password: 'erin-pw', number: '301', name: 'Erin Moreau', devices: ['301'] },
  { login: 'frank', password: 'frank-pw', number: '302', name: 'Frank Girard', devices: ['302'] },
];

/** The people besides the default users: Dave (ALE), and the TelServer company. */
export const DEMO_EXTRA_USERS: SimUser[] = [{ login: 'dave', password: 'dave-pw', number: '204', name: 'Dave Leroy', devices: ['204'] }, ...TELSERVER_COMPANY];

/** Everyone. */
export const DEMO_USERS: SimUser[] = [...DEFAULT_USERS, ...DEMO_EXTRA_USERS];

/** Whom the ALE connections monitor (the TelServer company has its own connection). */
export const ALE_COMPANY = ['alice', 'bob', 'carol', 'dave'];
