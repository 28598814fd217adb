/** Where the Voicenter connection used to live: its names, for code that imports them from here (see module.ts). */
export { createVoicenterConnection, VoicenterConnection, type VoicenterDeps } from './module';
export { secretForms, type VoicenterStats } from './driver';
