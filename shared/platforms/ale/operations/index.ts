/**
 * ALE operations (OpenTouch and O2G): one typed method per catalogue operation, over the REST session.
 * SEAM: owned by the ALE-actions work (issue 4); the connection calls `runAleOperation`.
 */
import { PbxError } from '../../../errors';
import type { OperationName } from '../../../operations/catalogue';

export interface AleOperationContext {
  platform: 'opentouch' | 'o2g';
  /** The user the operation acts for. */
  user: string;
}

export function aleSupports(_platform: 'opentouch' | 'o2g', _op: OperationName): boolean {
  return false;
}

export async function runAleOperation(
  _rest: unknown,
  op: OperationName,
  _input: Record<string, unknown>,
  _ctx: AleOperationContext,
): Promise<unknown> {
  throw new PbxError('UNSUPPORTED', `Operation ${op} is not implemented yet`);
}
