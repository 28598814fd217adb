/**
 * Registers the platforms this build ships with the connection registry. Hosts import this module once
 * (`import '<root>/shared/platforms'`); nothing else should import it, so `shared/` stays free of side effects.
 * Each platform's code (and its libraries: fast-xml-parser, socket.io-client) loads on its first connection, not
 * when n8n or Node-RED loads the nodes: n8n loads every community node at start.
 */
import { registerPlatform } from '../connection/registry';
import { PLATFORM_CATALOG } from './catalog';

// Each descriptor's `create` requires its module on first use (see ./descriptor.ts).
for (const d of PLATFORM_CATALOG) registerPlatform(d.name, d.create);
