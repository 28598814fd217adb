/**
 * Core errors -> n8n errors: PBX, network and login failures become NodeApiError, input and capability
 * problems NodeOperationError; each message says what happened, the description what to do about it.
 * Messages come from the core, which never puts secrets in them.
 */
import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import { PbxApiError, PbxError } from '../../shared/errors';

const HINTS: Partial<Record<string, string>> = {
  AUTH: 'Check the login, password and session kind in the PBX credential',
  NETWORK: 'Check the server URL in the PBX credential and that n8n can reach the PBX (firewall, proxy, TLS settings)',
  TIMEOUT: 'The PBX did not answer in time; check that it is up and reachable, then retry',
  UNSUPPORTED: 'Pick an operation the selected platform offers',
  NOT_ALLOWED: 'The PBX does not allow this action on the call in its current state (e.g. it is already answered or not held)',
  INVALID_INPUT: 'Fix the parameter named in the message',
  CLOSED: 'The connection to the PBX was closed while the request was running; retry',
};

export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
  if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
  if (error instanceof PbxError) {
    const description = (error instanceof PbxApiError && error.helpMessage) || HINTS[error.code];
    const options = { message: error.message, description, itemIndex };
    if (['PBX', 'AUTH', 'NETWORK', 'TIMEOUT', 'DECODE'].includes(error.code)) {
      const httpCode = error instanceof PbxApiError && error.status ? String(error.status) : undefined;
      // Not `code`: n8n would read it as an HTTP status.
      const body: JsonObject = { pbxErrorCode: error.code, message: error.message };
      return new NodeApiError(node, body, { ...options, ...(httpCode ? { httpCode } : {}) });
    }
    return new NodeOperationError(node, error.message, options);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new NodeOperationError(node, message, { itemIndex });
}

/** `code` of a core error, for error items under continueOnFail. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof PbxError ? error.code : undefined;
}
