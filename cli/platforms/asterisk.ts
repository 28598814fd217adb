/**
 * Asterisk for the CLI: its flags are the settings schema's (cli/settings.ts); its replay pipeline lives in the
 * platform folder (shared/platforms/asterisk/replay.ts, reached through its descriptor). Kept for `toConfig`.
 */
import type { ConnectionConfig } from '../../shared/connection/types';
import { platformConfig } from '../settings';

export { replayPipeline } from '../../shared/platforms/asterisk/replay';

/** Flags -> ConnectionConfig: the settings schema (cli/settings.ts). */
export const toConfig = (given: Record<string, string | boolean>, env: NodeJS.ProcessEnv = process.env): ConnectionConfig => platformConfig('asterisk', given, env);
