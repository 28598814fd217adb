/**
 * Simulated O2G CCD pilot events (package `pilot`, selected by pilot number): `OnPilotCallCreated` when a call
 * reaches the pilot, `OnPilotCallQueued` when no agent can take it, `OnPilotCallRemoved` when it leaves the queue
 * (cause `DISTRIBUTED`, `newDestination` the agent's number; or `CLEARED` with `releasingDevice` the caller). Our spec names only the events; the
 * fields (`pilot`, `caller` as a number, `callRef`, `cause`, `queue`, `numberOfQueued`, `newDestination`,
 * `releasingDevice`) are those of the O2G SDKs' pilot event classes. The events carry no `loginName`.
 * OpenTouch has no pilots: nothing is published there. No REST resources (monitoring is by subscription).
 */
import type { PilotChange } from '../../../pbx/pilots';
import type { AleRoute, OperationRouteContext } from '../routes';
import { simFeatures } from './features';

export function renderPilotEvent(c: PilotChange): Record<string, unknown> {
  const base = { pilot: c.pilot.number, caller: c.caller.number, callRef: c.callRef };
  switch (c.kind) {
    case 'created':
      return { eventName: 'OnPilotCallCreated', ...base, cause: 'ACD_ENTER_DISTRIBUTION' };
    case 'queued':
      return { eventName: 'OnPilotCallQueued', ...base, cause: 'NO_AVAILABLE_AGENT', queue: c.pilot.group, numberOfQueued: c.queued };
    case 'removed':
      return c.cause === 'distributed'
        ? { eventName: 'OnPilotCallRemoved', ...base, cause: 'DISTRIBUTED', newDestination: c.agent.number }
        // A caller hanging up in the queue: CLEARED, released by the caller's device (as in the O2G SDK's own
        // OnPilotCallRemoved test), not ABANDONED.
        : { eventName: 'OnPilotCallRemoved', ...base, cause: 'CLEARED', releasingDevice: c.caller.number };
  }
}

export function pilotEvents(ctx: OperationRouteContext): AleRoute[] {
  if (ctx.flavour !== 'o2g') return [];
  simFeatures(ctx.pbx).pilots.on('change', (c: PilotChange) => ctx.publish(renderPilotEvent(c)));
  return [];
}
