/**
 * `pbxflow replay --platform asterisk`: raw AMI text (`Key: Value` lines, an empty line between messages, CRLF or
 * LF), one line in, events out; `end()` flushes a last message. The same pipeline as the live path and the bench.
 */
import { DecodeError } from '../../errors';
import type { PbxEvent } from '../../model/events';
import { AsteriskPipeline } from './pipeline';

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
