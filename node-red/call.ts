/** pbxflow-call: call operations of the shared catalogue. See call.html for help. */
import { actionNode } from './lib/action';
import type { RedApi } from './lib/red';

export = function register(RED: RedApi): void {
  RED.nodes.registerType('pbxflow-call', actionNode(RED, ['call']));
};
