/**
 * Failures in words for the CLI: a network error names the server and says what the system code means
 * (the core reports `GET /api/rest: ECONNREFUSED`, which tells a user little). Messages come from the core,
 * which never puts secrets in them.
 */
import { ActingUserError, PbxApiError, PbxError, networkProblem } from '../shared/errors';

const HINTS: Partial<Record<string, string>> = {
  AUTH: 'check the login and password',
  TIMEOUT: 'the PBX did not answer in time; check that it is up and reachable',
  UNSUPPORTED: 'see `pbxflow call --list --platform P` for what this platform offers',
  NOT_ALLOWED: 'the PBX does not allow this on the call in its current state',
};

export interface Failure {
  code: string;
  message: string;
  canRetry?: boolean;
  hint?: string;
}

/** The error as the CLI prints it; `target` (the server URL or host:port) names where a network error happened. */
export function describeFailure(err: unknown, target?: string): Failure {
  if (!(err instanceof PbxError)) return { code: 'ERROR', message: err instanceof Error ? err.message : String(err) };
  // The core's message as is (it lists the users to choose from); the hint names this host's flag for it.
  const hint = err instanceof ActingUserError ? 'name the user to act for with --user LOGIN' : (err instanceof PbxApiError && err.helpMessage) || HINTS[err.code];
  let message = err.message;
  if (err.code === 'NETWORK') {
    let words = networkProblem(message);
    if (words && /certificate/.test(words)) words += ' (--ca FILE, or --insecure for a test server)';
    // The platform may have said "cannot reach" with the address already (TelServices).
    if (words) message = /cannot reach/i.test(message) ? `${message} (${words})` : `cannot reach ${target ?? 'the PBX'}: ${words} [${message}]`;
  } else if (err.code === 'TIMEOUT' && target && !message.includes(target)) message = `${message} (${target})`;
  return { code: err.code, message, canRetry: err.canRetry, ...(hint ? { hint } : {}) };
}

/** Where a connection config points, for messages. */
export function targetOf(config: { url?: string }): string | undefined {
  return config.url ? config.url : undefined;
}
