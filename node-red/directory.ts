/** pbxflow-directory: directory operations of the shared catalogue. See directory.html for help. */
import { registerActionNode } from './lib/action';
import type { RedApi } from './lib/red';

export = function register(RED: RedApi): void {
  registerActionNode(RED, 'pbxflow-directory', ['directory']);
};
