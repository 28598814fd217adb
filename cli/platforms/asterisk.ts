/**
 * Asterisk for the CLI: flags -> ConnectionConfig for `listen`, and the replay pipeline (raw AMI text: `Key: Value`
 * lines, an empty line between messages, CRLF or LF). The flags and the usage text come from the platform's settings
 * schema; the values are checked by it when the connection is made (errors name the flag).
 */
import type { SettingSpec } from '../../shared/connection/settings';
import { cliUsage } from '../../shared/connection/settings';
import type { ConnectionConfig } from '../../shared/connection/types';
import { DecodeError } from '../../shared/errors';
import type { PbxEvent } from '../../shared/model/events';
import { AsteriskPipeline } from '../../shared/platforms/asterisk/pipeline';
import { ASTERISK_SETTINGS, asteriskSettings } from '../../shared/platforms/asterisk/settings';

const SPECS = ASTERISK_SETTINGS as readonly SettingSpec[];

export const usage = [
  '--platform asterisk --url tcp://HOST:5038 --login AMIUSER --password SECRET [options]',
  cliUsage(SPECS),
  '  the secret may come from PBXFLOW_PASSWORD instead of the command line',
].join('\n');

export const flags = SPECS.map((s) => s.label.cli);

export function toConfig(given: Record<string, string | boolean>, env: NodeJS.ProcessEnv = process.env): ConnectionConfig {
  const raw: Record<string, unknown> = {};
  for (const s of SPECS) if (given[s.label.cli] !== undefined) raw[s.key] = given[s.label.cli];
  if (raw.password === undefined && env.PBXFLOW_PASSWORD) raw.password = env.PBXFLOW_PASSWORD;
  // Checked here too, so a bad flag is a usage error (exit 2) naming the flag, before anything opens.
  const s = asteriskSettings(raw, 'cli');
  const extra: Record<string, unknown> = {};
  for (const spec of SPECS) if (!['url', 'login', 'password', 'users'].includes(spec.key)) extra[spec.key] = (s as Record<string, unknown>)[spec.key];
  return { platform: 'asterisk', url: s.url, login: s.login, password: s.password, users: s.users.length ? s.users : undefined, extra };
}

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
