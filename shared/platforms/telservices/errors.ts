/**
 * TelServices `<error>` elements as typed errors, with messages an operator can act on.
 * `invalidCredentials` is an AuthError (stop for good); the rest are PbxApiErrors carrying the wire name.
 */
import { AuthError, PbxApiError, type PbxError } from '../../errors';

const MESSAGES: Record<string, { text: string; canRetry: boolean }> = {
  pbxlinkOutOfService: { text: 'TelServer has lost its link to the PBX (pbxlinkOutOfService); it will be retried when the link is back', canRetry: true },
  pbxReject: { text: 'the PBX refused the request (pbxReject): check the device number and that the service is allowed on it now', canRetry: false },
  pbxTimeout: { text: 'the PBX did not answer TelServer in time (pbxTimeout)', canRetry: true },
  noCall: { text: 'there is no call in the expected state on this device (noCall)', canRetry: false },
  noOpenSession: { text: 'no TelServices session is open for this device (noOpenSession)', canRetry: true },
  sessionLimitExceeded: { text: 'TelServer refused the session: its licence allows no more open sessions (sessionLimitExceeded)', canRetry: true },
  reject: { text: 'TelServer refused the request (reject): unknown device, or a request it does not accept', canRetry: false },
  invalidCredentials: { text: 'TelServer refused the user ID or password (invalidCredentials)', canRetry: false },
  resourceError: { text: 'TelServer is short of resources (resourceError), e.g. memory', canRetry: true },
};

/** The error a `<TelServiceReturn><error>` stands for; `what` names the request (e.g. `holdCall for 3102`). */
export function telServicesError(name: string, what: string): PbxError {
  if (name === 'invalidCredentials') return new AuthError(`${what}: ${MESSAGES.invalidCredentials.text}`);
  const m = MESSAGES[name];
  const text = m ? m.text : `TelServer returned an error not in the spec (${name.slice(0, 64)})`;
  return new PbxApiError(`${what}: ${text}`, { type: name.slice(0, 64), code: name.slice(0, 64), canRetry: m?.canRetry ?? false });
}
