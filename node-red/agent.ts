/** pbxflow-agent: agent operations of the shared catalogue. See agent.html for help. */
import { registerActionNode } from './lib/action';
import type { RedApi } from './lib/red';

export = function register(RED: RedApi): void {
  registerActionNode(RED, 'pbxflow-agent', ['agent']);
};
