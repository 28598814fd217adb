/** pbxflow-routing: forward, overflow and do-not-disturb, plus the calendar sync. See routing.html for help. */
import { registerActionNode } from './lib/action';
import { calendarSyncOperation } from './lib/calendar';
import type { RedApi } from './lib/red';

export = function register(RED: RedApi): void {
  registerActionNode(RED, 'pbxflow-routing', ['routing'], [calendarSyncOperation]);
};
