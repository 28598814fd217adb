/**
 * Voicenter for the CLI: the replay pipeline (one socket.io event array per line, e.g. `["ExtensionEvent", {...}]`);
 * its flags are the settings schema's (cli/settings.ts). No protocol logic here: it lives in shared/platforms/voicenter.
 */
import { guardLine } from '../../shared/connection/line-guard';
import type { ConnectionConfig } from '../../shared/connection/types';
import type { PbxEvent } from '../../shared/model/events';
import { VoicenterPipeline } from '../../shared/platforms/voicenter/pipeline';
import { platformConfig } from '../settings';

/** Flags -> ConnectionConfig: the settings schema and the CLI's older words (cli/settings.ts). */
export const toConfig = (given: Record<string, string | boolean>, env: NodeJS.ProcessEnv = process.env): ConnectionConfig => platformConfig('voicenter', given, env);

/** `pbxflow replay --platform voicenter`: one line -> events; throws DecodeError on a bad line. */
export function replayPipeline(): { push(line: string): PbxEvent[] } {
  const p = new VoicenterPipeline();
  return {
    push(line: string): PbxEvent[] {
      const r = guardLine(line, () => p.pushLine(line));
      if (!r.ok) throw r.error;
      return r.value;
    },
  };
}
