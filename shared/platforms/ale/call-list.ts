/**
 * The PBX's list of a user's current calls (`GET <telephony>/calls`) in the normalized model: the same `call`
 * objects events carry, so a "list calls" step and a trigger speak of calls alike. Calls the connection's own
 * tracker follows keep what it knows (start and answer times); the others are read as a resync reads them, with
 * the start the connection knows (call-starts.ts): a call it placed began then and did not predate it; another one
 * began no later than when it was first listed (`inProgressAtConnect` when it may predate the connection).
 */
import { guardLine } from '../../connection/line-guard';
import type { CallInfo, Party } from '../../model/events';
import { AlePipeline } from './pipeline';
import type { AlePlatform } from './normalizer';
import type { CallStart } from './call-starts';

export interface CallListContext {
  platform: AlePlatform;
  /** The call as the live tracker has it, if it does. */
  live?: (callId: string) => CallInfo | undefined;
  selfParty?: (user: string) => Party | undefined;
  /** What the connection knows of when a call it did not follow by events began (call-starts.ts). */
  started?: (callId: string) => CallStart | undefined;
}

export function normalizeCallList(user: string, calls: unknown[], ctx: CallListContext): CallInfo[] {
  const pipeline = new AlePipeline({ platform: ctx.platform, defaultUser: user, selfParty: ctx.selfParty });
  // A call list is read like a resync: through the per-line guard, so one odd entry cannot fail the operation.
  const r = guardLine('call list', () => pipeline.pushEvent({ eventName: 'OnTelephonyState', loginName: user, state: { calls } }));
  if (!r.ok) throw r.error;
  return pipeline.tracker.callsOf(user).map((c) => {
    const known = ctx.live?.(c.id);
    if (!known) return withStart(c, ctx.started?.(c.id));
    // The live view knows the call's history; it carries no capabilities of an earlier moment.
    const { capabilities: _old, ...rest } = known;
    return c.capabilities ? { ...rest, capabilities: c.capabilities } : rest;
  });
}

/** A listed call with the start the connection knows instead of the listing's time. */
function withStart(c: CallInfo, start: CallStart | undefined): CallInfo {
  if (!start) return c;
  const out: CallInfo = { ...c, startedAt: new Date(start.at).toISOString() };
  if (!start.predates) delete out.inProgressAtConnect;
  // Read from a list, an answered call's answer time is only when it was listed: not a time to report.
  if (out.answered) {
    delete out.answeredAt;
    delete out.ringSeconds;
  } else if (out.ringSeconds !== undefined) delete out.ringSeconds;
  return out;
}
