/**
 * Who each monitored user is (number, name), for their own side (`from` of an outgoing call, `to` of an incoming
 * one). The call events describe the other parties only; the user resource `GET /users/{loginName}` describes the
 * user, and the spec advises reading it once after the session opens and caching it. It is read in the background:
 * events never wait for it, and until it is known the tracker falls back to the login.
 */
import type { Party } from '../../model/events';
import type { AleUser } from './operations/devices';
import { userProfile } from './operations/telephony-endpoints';
import type { AleRestLike } from './operations/types';
import { servicePath } from './services';

export class SelfParties {
  private readonly known = new Map<string, Party>();
  /** The session generation each user was last asked for in, so each session asks once. */
  private readonly asked = new Map<string, number>();
  /** Reads in flight, for `ensure`. */
  private readonly reading = new Map<string, Promise<void>>();

  constructor(private readonly rest: AleRestLike) {}

  /** The user's own party when it is known. Synchronous: the tracker calls it for every event. */
  get(user: string): Party | undefined {
    return this.known.get(user);
  }

  /**
   * Starts reading the users not yet read in this session. The last known party stays in use meanwhile; a failed
   * read is forgotten, so the next call (the next channel open) asks again.
   */
  learn(users: readonly string[], generation: number): void {
    for (const user of users) {
      if (this.asked.get(user) === generation) continue;
      this.asked.set(user, generation);
      // The `users` service URL as the session announces it (a missing one: the fixed path, no error here).
      const path = servicePath('users', { platform: 'opentouch', services: this.rest.session?.services }) + userProfile.path({ login: user });
      const read = this.rest.request<AleUser | undefined>('GET', path, { user }).then(
        (profile) => {
          const party = partyOf(profile);
          if (party) this.known.set(user, party);
        },
        () => {
          if (this.asked.get(user) === generation) this.asked.delete(user);
        },
      );
      this.reading.set(user, read);
      void read.then(() => {
        if (this.reading.get(user) === read) this.reading.delete(user);
      });
    }
  }

  /** The user's party now (read once per session if need be), for answers that name the user (a call list). */
  async ensure(user: string, generation: number): Promise<Party | undefined> {
    this.learn([user], generation);
    await this.reading.get(user);
    return this.get(user);
  }
}

/** Number: the company phone, else the main device. Name: first and last name, else the display name. */
export function partyOf(u: AleUser | undefined): Party | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const devices = Array.isArray(u.devices) ? u.devices : [];
  const main = devices.find((d) => d?.type === 'DESKPHONE' && typeof d.id === 'string' && d.id) ?? devices.find((d) => typeof d?.id === 'string' && d.id);
  const number = typeof u.companyPhone === 'string' && u.companyPhone ? u.companyPhone : main?.id;
  if (!number) return undefined;
  const name = [u.firstName, u.lastName].filter((s) => typeof s === 'string' && s.trim()).join(' ').trim()
    || (typeof u.displayName === 'string' ? u.displayName.trim() : '');
  const party: Party = { number };
  if (name) party.name = name;
  return party;
}
