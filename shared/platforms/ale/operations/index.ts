/**
 * ALE operations (OpenTouch and O2G): one typed method per catalogue operation, over the REST session.
 * The connection (shared/platforms/ale/connection.ts) validates the input, then calls `runAleOperation`;
 * `aleSupports` answers its `supports(op)`. Each domain keeps its endpoints in one table-like module.
 */
import { PbxError } from '../../../errors';
import { operationSpec, type OperationName } from '../../../operations/catalogue';
import { AGENT_HANDLERS } from './agent';
import { COMLOG_HANDLERS } from './comlog';
import { DIRECTORY_HANDLERS } from './directory';
import { MESSAGING_HANDLERS } from './messaging';
import { ROUTING_HANDLERS } from './routing';
import { ROUTING } from './routing-endpoints';
import { TELEPHONY_UNSUPPORTED } from './telephony-endpoints';
import { TELEPHONY_HANDLERS } from './telephony';
import type { AleOperationContext, AlePlatform, AleRestLike } from './types';

export type { AleOperationContext, AlePlatform, AleRestLike } from './types';

type Handler = (rest: AleRestLike, input: Record<string, unknown>, ctx: AleOperationContext) => Promise<unknown>;

const HANDLERS: Record<string, Handler> = {
  ...TELEPHONY_HANDLERS,
  ...ROUTING_HANDLERS,
  ...MESSAGING_HANDLERS,
  ...COMLOG_HANDLERS,
  ...DIRECTORY_HANDLERS,
  ...AGENT_HANDLERS,
};

/** What a platform lacks although the catalogue lists it for ALE (the spec or the SDK has no endpoint). */
function lacks(platform: AlePlatform, op: string): boolean {
  if (TELEPHONY_UNSUPPORTED[platform].has(op)) return true;
  if ((op === 'setDnd' || op === 'getDnd') && !ROUTING[platform].dndOn) return true;
  return false;
}

export function aleSupports(platform: AlePlatform, op: OperationName): boolean {
  const spec = operationSpec(op);
  return !!spec && spec.platforms.includes(platform) && op in HANDLERS && !lacks(platform, op);
}

export async function runAleOperation(
  rest: AleRestLike,
  op: OperationName,
  input: Record<string, unknown>,
  ctx: AleOperationContext,
): Promise<unknown> {
  if (!aleSupports(ctx.platform, op)) {
    const name = ctx.platform === 'opentouch' ? 'OpenTouch' : 'O2G';
    throw new PbxError('UNSUPPORTED', `${operationSpec(op)?.displayName ?? op} is not available on ${name}`);
  }
  return HANDLERS[op](rest, input, ctx);
}
