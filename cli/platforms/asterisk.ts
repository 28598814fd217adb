/**
 * Asterisk for the CLI: the replay pipeline (raw AMI text: `Key: Value`
 * lines, an empty line between messages, CRLF or LF); its flags are the settings schema's (cli/settings.ts).
 */
import type { ConnectionConfig } from '../../shared/connection/types';
import { DecodeError } from '../../shared/errors';
import type { PbxEvent } from '../../shared/model/events';
import { AsteriskPipeline } from '../../shared/platforms/asterisk/pipeline';
import { platformConfig } from '../settings';

/** Flags -> ConnectionConfig: the settings schema (cli/settings.ts). */
export const toConfig = (given: Record<string, string | boolean>, env: NodeJS.ProcessEnv = process.env): ConnectionConfig => platformConfig('asterisk', given, env);

/** `pbxflow replay --platform asterisk`: one line of AMI text in, events out; `end()` flushes a last message. */
export function replayPipeline(): { push(line: string): PbxEvent[]; end(): PbxEvent[] } {
  const p = new AsteriskPipeline({ onBadMessage: (why) => bad.push(why) });
  const bad: string[] = [];
  return {
    push(line: string): PbxEvent[] {
      const out = p.pushLine(line);
      if (bad.length && out.length === 0) throw new DecodeError(`skipped part of an AMI message: ${bad.splice(0).join('; ')}`);
      bad.length = 0;
      return out;
    },
    end: () => p.end(),
  };
}
