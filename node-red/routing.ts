/** pbxflow-routing: forward, overflow and do-not-disturb, plus the calendar sync. See routing.html for help. */
import { actionNode } from './lib/action';
import { calendarSyncOperation } from './lib/calendar';
import type { RedApi } from './lib/red';

export = function register(RED: RedApi): void {
  RED.nodes.registerType('pbxflow-routing', actionNode(RED, ['routing'], [calendarSyncOperation]));
};
