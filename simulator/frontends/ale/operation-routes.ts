/**
 * Feature REST routes of the ALE front-end (telephony actions, routing, messaging...).
 * PLACEHOLDER: owned by the ALE-operations work (issue 4), which replaces this file.
 */
import type { AleRoute, OperationRouteContext } from './routes';

export function operationRoutes(_ctx: OperationRouteContext): AleRoute[] {
  return [];
}
