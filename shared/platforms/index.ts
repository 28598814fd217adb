/**
 * Registers the platforms this build ships with the connection registry. Hosts import this module once
 * (`import '<root>/shared/platforms'`); nothing else should import it, so `shared/` stays free of side effects.
 */
import { registerPlatform } from '../connection/registry';
import { createAleConnection } from './ale/connection';
import { createTelServicesConnection } from './telservices/connection';
import { createVoicenterConnection } from './voicenter/connection';

registerPlatform('opentouch', createAleConnection);
registerPlatform('o2g', createAleConnection);
registerPlatform('telservices', createTelServicesConnection);
registerPlatform('voicenter', createVoicenterConnection);
