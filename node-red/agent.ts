/** pbxflow-agent: agent operations of the shared catalogue. See agent.html for help. */
import { actionNode } from './lib/action';
import type { RedApi } from './lib/red';

export = function register(RED: RedApi): void {
  RED.nodes.registerType('pbxflow-agent', actionNode(RED, ['agent']));
};
