/**
 * Feature REST routes of the ALE front-end: telephony actions, routing, messaging, call log, directory, CCD agent (and the CCD pilots' events).
 * Each domain lives in operation-routes/<domain>.ts; they drive the virtual PBX and its feature modules,
 * whose changes come back to subscribers as ALE events.
 */
import { agentRoutes } from './operation-routes/agent';
import { comlogRoutes } from './operation-routes/comlog';
import { directoryRoutes } from './operation-routes/directory';
import { messagingRoutes } from './operation-routes/messaging';
import { pilotEvents } from './operation-routes/pilot';
import { routingRoutes } from './operation-routes/routing';
import { telephonyRoutes } from './operation-routes/telephony';
import type { AleRoute, OperationRouteContext } from './routes';

export { simFeatures, type SimFeatures } from './operation-routes/features';

export function operationRoutes(ctx: OperationRouteContext): AleRoute[] {
  return [...telephonyRoutes(ctx), ...routingRoutes(ctx), ...messagingRoutes(ctx), ...comlogRoutes(ctx), ...directoryRoutes(ctx), ...agentRoutes(ctx), ...pilotEvents(ctx)];
}
