/**
 * Voicenter for the CLI: flags -> ConnectionConfig for `listen`/`call`, and the replay pipeline (one socket.io
 * event array per line, e.g. `["ExtensionEvent", {...}]`). No protocol logic here: it lives in shared/platforms/voicenter.
 */
import { guardLine } from '../../shared/connection/line-guard';
import type { ConnectionConfig } from '../../shared/connection/types';
import type { PbxEvent } from '../../shared/model/events';
import { VoicenterPipeline } from '../../shared/platforms/voicenter/pipeline';

export const usage = [
  '--platform voicenter --login-type user --email E --password P [--login-url URL]',
  '--platform voicenter --login-type token --token T [--use-login-api] [--login-url URL]',
  '--platform voicenter --login-type account --login A --password P',
  '  common: [--server URL (skip discovery)] [--socket-version auto|2|4]',
  '  passwords and tokens may come from PBXFLOW_PASSWORD / PBXFLOW_TOKEN instead of the command line',
].join('\n');

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The commands print `usage` after the message. */
function bad(message: string): never {
  throw new Error(message);
}

export function toConfig(flags: Record<string, string | boolean>, env: NodeJS.ProcessEnv = process.env): ConnectionConfig {
  const loginType = str(flags['login-type']) ?? (str(flags.token) ? 'token' : str(flags.email) ? 'user' : undefined);
  if (loginType !== 'user' && loginType !== 'account' && loginType !== 'token') bad('voicenter: --login-type must be user, account or token');
  const extra: Record<string, unknown> = { loginType };
  const server = str(flags.server);
  if (server) {
    if (!/^https?:\/\//i.test(server)) bad('voicenter: --server must be an http(s) URL');
    extra.serverUrl = server;
  }
  const sv = str(flags['socket-version']);
  if (sv !== undefined) {
    if (sv !== 'auto' && sv !== '2' && sv !== '4') bad('voicenter: --socket-version must be auto, 2 or 4');
    extra.socketVersion = sv;
  }
  const url = str(flags['login-url']) ?? '';
  if (url && !/^https?:\/\//i.test(url)) bad('voicenter: --login-url must be an http(s) URL');
  if (loginType === 'token') {
    const token = str(flags.token) ?? env.PBXFLOW_TOKEN;
    if (!token) bad('voicenter: --token is required for --login-type token');
    if (flags['use-login-api'] === true || flags['use-login-api'] === 'true') extra.useLoginApi = true;
    return { platform: 'voicenter', url, login: '', password: token, extra };
  }
  const password = str(flags.password) ?? env.PBXFLOW_PASSWORD;
  if (loginType === 'user') {
    const email = str(flags.email);
    if (!email) bad('voicenter: --email is required for --login-type user');
    if (!password) bad('voicenter: --password is required');
    return { platform: 'voicenter', url, login: email, password, extra };
  }
  const login = str(flags.login);
  if (!login) bad('voicenter: --login is required for --login-type account');
  if (!password) bad('voicenter: --password is required');
  return { platform: 'voicenter', url, login, password, extra };
}

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
