/** pbxflow-directory: directory operations of the shared catalogue. See directory.html for help. */
import { actionNode } from './lib/action';
import type { RedApi } from './lib/red';

export = function register(RED: RedApi): void {
  RED.nodes.registerType('pbxflow-directory', actionNode(RED, ['directory']));
};
