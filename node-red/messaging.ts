/** pbxflow-messaging: voicemail, counters, instant messages and the call log. See messaging.html for help. */
import { actionNode } from './lib/action';
import type { RedApi } from './lib/red';

export = function register(RED: RedApi): void {
  RED.nodes.registerType('pbxflow-messaging', actionNode(RED, ['messaging', 'callLog']));
};
