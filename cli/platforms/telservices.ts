/**
 * TelServices (uniGone TelServer) for the CLI: the replay pipeline (one `TelServiceEvent` document per line); its
 * flags are the settings schema's (cli/settings.ts). No protocol logic here: it lives in shared/platforms/telservices.
 */
import type { ConnectionConfig } from '../../shared/connection/types';
import type { PbxEvent } from '../../shared/model/events';
import { TelServicesPipeline } from '../../shared/platforms/telservices/pipeline';
import { platformConfig } from '../settings';

/** Flags -> ConnectionConfig: the settings schema and the CLI's older words (cli/settings.ts). */
export const toConfig = (given: Record<string, string | boolean>, env: NodeJS.ProcessEnv = process.env): ConnectionConfig => platformConfig('telservices', given, env);

const str = (v: string | undefined): string | undefined => (v ? v : undefined);

/**
 * `pbxflow replay --platform telservices`: one `TelServiceEvent` document per line -> events; throws DecodeError
 * on a bad line. Events without `deviceNumber` (forward, DND...) cannot be attributed in a capture: they are
 * reported as bad lines unless the capture names one device (`PBXFLOW_TELSERVICES_DEVICE`).
 */
export function replayPipeline(env: NodeJS.ProcessEnv = process.env): { push(line: string): PbxEvent[] } {
  const p = new TelServicesPipeline({ defaultDevice: str(env.PBXFLOW_TELSERVICES_DEVICE) });
  return { push: (line: string) => (line.trim() ? p.pushLine(line) : []) };
}
