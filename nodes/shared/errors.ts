/**
 * Core errors -> n8n errors: PBX, network and login failures become NodeApiError, input and capability
 * problems NodeOperationError; each message says what happened, the description what to do about it.
 * Messages come from the core, which never puts secrets in them.
 */
import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import { PbxApiError, PbxError, networkProblem } from '../../shared/errors';

const HINTS: Partial<Record<string, string>> = {
  AUTH: 'Check the login, password and session kind in the PBX credential',
  NETWORK: 'Check the server URL in the PBX credential and that n8n can reach the PBX (firewall, proxy, TLS settings)',
  TIMEOUT: 'The PBX did not answer in time; check that it is up and reachable, then retry',
  UNSUPPORTED: 'Pick an operation the selected platform offers',
  NOT_ALLOWED: 'The PBX does not allow this action on the call in its current state (e.g. it is already answered or not held)',
  CLOSED: 'The connection to the PBX was closed while the request was running; retry',
};

/**
 * A credential field the core cannot use, found before anything is opened: the message names the field as the
 * n8n credential form labels it, the hint says where to fix it.
 */
export class CredentialFieldError extends PbxError {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super('INVALID_INPUT', message);
    this.name = 'CredentialFieldError';
  }
}

/**
 * The message and hint both hosts of the n8n package show (node errors and the credential test), for an error of
 * the core. `url` (the credential's server URL) names the server in network errors, which the core reports raw.
 */
export function describePbxError(error: unknown, url?: string): { message: string; description?: string } {
  const raw = error instanceof Error ? error.message : String(error);
  if (!(error instanceof PbxError)) return { message: raw };
  if (error instanceof CredentialFieldError) return { message: raw, description: error.fix };
  // Other input errors come from the core and say themselves what to change (e.g. which user to act for): unchanged.
  const description = (error instanceof PbxApiError && error.helpMessage) || HINTS[error.code];
  if (error.code === 'NETWORK') {
    const words = networkProblem(raw);
    const where = url ? ` at ${url}` : '';
    // Without the raw system code: n8n would replace the whole message with its generic one for that code.
    if (words) return { message: `Cannot reach the PBX${where}: ${words}`, description };
  }
  return { message: raw, description };
}

/** A server URL the core can use, or the reason it cannot (said before any request): the core's one wording. */
export { urlProblem } from '../../shared/errors';

export function toNodeError(node: INode, error: unknown, itemIndex?: number, url?: string): NodeApiError | NodeOperationError {
  if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
  if (error instanceof PbxError) {
    const { message, description } = describePbxError(error, url);
    const options = { message, description, itemIndex };
    if (['PBX', 'AUTH', 'NETWORK', 'TIMEOUT', 'DECODE'].includes(error.code)) {
      const httpCode = error instanceof PbxApiError && error.status ? String(error.status) : undefined;
      // Not `code`: n8n would read it as an HTTP status.
      const body: JsonObject = { pbxErrorCode: error.code, message };
      return new NodeApiError(node, body, { ...options, ...(httpCode ? { httpCode } : {}) });
    }
    return new NodeOperationError(node, message, options);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new NodeOperationError(node, message, { itemIndex });
}

/** `code` of a core error, for error items under continueOnFail. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof PbxError ? error.code : undefined;
}
