/**
 * The PBX's list of a user's current calls (`GET <telephony>/calls`) in the normalized model: the same `call`
 * objects events carry, so a "list calls" step and a trigger speak of calls alike. Calls the connection's own
 * tracker follows keep what it knows (start and answer times); the others are read as a resync reads them
 * (`inProgressAtConnect`: their start time is when they were listed).
 */
import { guardLine } from '../../connection/line-guard';
import type { CallInfo, Party } from '../../model/events';
import { AlePipeline } from './pipeline';
import type { AlePlatform } from './normalizer';

export interface CallListContext {
  platform: AlePlatform;
  /** The call as the live tracker has it, if it does. */
  live?: (callId: string) => CallInfo | undefined;
  selfParty?: (user: string) => Party | undefined;
}

export function normalizeCallList(user: string, calls: unknown[], ctx: CallListContext): CallInfo[] {
  const pipeline = new AlePipeline({ platform: ctx.platform, defaultUser: user, selfParty: ctx.selfParty });
  // A call list is read like a resync: through the per-line guard, so one odd entry cannot fail the operation.
  const r = guardLine('call list', () => pipeline.pushEvent({ eventName: 'OnTelephonyState', loginName: user, state: { calls } }));
  if (!r.ok) throw r.error;
  return pipeline.tracker.callsOf(user).map((c) => {
    const known = ctx.live?.(c.id);
    if (!known) return c;
    // The live view knows the call's history; it carries no capabilities of an earlier moment.
    const { capabilities: _old, ...rest } = known;
    return c.capabilities ? { ...rest, capabilities: c.capabilities } : rest;
  });
}
