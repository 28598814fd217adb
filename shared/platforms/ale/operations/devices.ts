/**
 * The user's devices, read from `GET /users/{loginName}` ("an application should invoke this method just
 * after the open session step... server applications should cache the result"). Cached per REST session.
 */
import { PbxError } from '../../../errors';
import { userProfile } from './telephony-endpoints';
import { send, type AleOperationContext, type AleRestLike } from './types';

export interface AleUser {
  loginName?: string;
  companyPhone?: string;
  firstName?: string;
  lastName?: string;
  instantMessagingId?: string;
  type?: string;
  devices?: Array<{ id?: string; type?: string; label?: string }>;
  [k: string]: unknown;
}

const cache = new WeakMap<object, Map<string, Promise<AleUser>>>();

export function getUserProfile(rest: AleRestLike, login: string, ctx: AleOperationContext): Promise<AleUser> {
  let perRest = cache.get(rest);
  if (!perRest) cache.set(rest, (perRest = new Map()));
  let p = perRest.get(login);
  if (!p) {
    p = send<AleUser, { login: string }>(rest, userProfile, { login }, ctx);
    // A failed read must not stick: the next operation asks again.
    p.catch(() => perRest!.delete(login));
    perRest.set(login, p);
  }
  return p;
}

/** The device to act from: the given one, else the device the call rings on, else the user's main device. */
export async function resolveDevice(
  rest: AleRestLike,
  ctx: AleOperationContext,
  given: unknown,
  callId?: string,
): Promise<string> {
  if (typeof given === 'string' && given) return given;
  const onCall = callId ? ctx.findCall?.(callId, ctx.user)?.device : undefined;
  if (onCall) return onCall;
  const user = await getUserProfile(rest, ctx.user, ctx);
  // The main device is the one whose number is the company phone; a deskphone otherwise.
  const devices = (user.devices ?? []).filter((d) => typeof d.id === 'string' && d.id);
  const main = devices.find((d) => d.id === user.companyPhone) ?? devices.find((d) => d.type === 'DESKPHONE') ?? devices[0];
  const id = main?.id ?? user.companyPhone;
  if (!id) throw new PbxError('INVALID_INPUT', `User ${ctx.user} has no device to use; give a Device`);
  return id;
}

/** A number for someone given as login or number: numbers pass as they are, logins are looked up. */
export async function numberOf(rest: AleRestLike, ctx: AleOperationContext, who: string): Promise<string> {
  if (/^[+\d][\d\s().\-/]*$/.test(who)) return who;
  const user = await getUserProfile(rest, who, ctx);
  if (!user.companyPhone) throw new PbxError('INVALID_INPUT', `User ${who} has no phone number`);
  return user.companyPhone;
}
