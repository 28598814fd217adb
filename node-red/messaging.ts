/** pbxflow-messaging: voicemail, counters, instant messages and the call log. See messaging.html for help. */
import { registerActionNode } from './lib/action';
import type { RedApi } from './lib/red';

export = function register(RED: RedApi): void {
  registerActionNode(RED, 'pbxflow-messaging', ['messaging', 'callLog']);
};
