/**
 * Registers the platforms this build ships with the connection registry. Hosts import this module once
 * (`import '<root>/shared/platforms'`); nothing else should import it, so `shared/` stays free of side effects.
 * Each platform's code (and its libraries: fast-xml-parser, socket.io-client) loads on its first connection, not
 * when n8n or Node-RED loads the nodes: n8n loads every community node at start.
 */
import { registerPlatform } from '../connection/registry';
import type { ConnectionConfig, PbxConnection } from '../connection/types';

/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose (see above) */
const ale = (c: ConnectionConfig): PbxConnection => (require('./ale/module') as typeof import('./ale/module')).create(c);
const telservices = (c: ConnectionConfig): PbxConnection =>
  (require('./telservices/module') as typeof import('./telservices/module')).create(c);
const voicenter = (c: ConnectionConfig): PbxConnection =>
  (require('./voicenter/module') as typeof import('./voicenter/module')).create(c);
/* eslint-enable @typescript-eslint/no-require-imports */

registerPlatform('opentouch', ale);
registerPlatform('o2g', ale);
registerPlatform('telservices', telservices);
registerPlatform('voicenter', voicenter);
// eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above)
registerPlatform('asterisk', (c) => (require('./asterisk/module') as typeof import('./asterisk/module')).create(c));
