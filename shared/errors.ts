/**
 * Typed errors of the protocol core. Hosts (n8n, Node-RED, CLI) read `code` and `message`;
 * messages never carry passwords, cookies or tokens.
 */
import { PLATFORM_CATALOG } from './platforms/catalog';

export type PbxErrorCode =
  | 'DECODE'
  | 'AUTH'
  | 'PBX'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'UNSUPPORTED'
  | 'INVALID_INPUT'
  | 'NOT_ALLOWED'
  | 'CLOSED';

export class PbxError extends Error {
  readonly code: PbxErrorCode;
  /** The PBX says retrying the same request may succeed. */
  readonly canRetry: boolean;

  constructor(code: PbxErrorCode, message: string, options: { canRetry?: boolean; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'PbxError';
    this.code = code;
    this.canRetry = options.canRetry ?? false;
  }
}

/** A line or frame that could not be read. Carries a short excerpt of the input, not the whole. */
export class DecodeError extends PbxError {
  readonly excerpt?: string;

  constructor(message: string, input?: string) {
    super('DECODE', message);
    this.name = 'DecodeError';
    if (input !== undefined) this.excerpt = input.length > 120 ? `${input.slice(0, 120)}…` : input;
  }
}

/** Wrong login or password, or a refused session: retrying will not help. */
export class AuthError extends PbxError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('AUTH', message, options);
    this.name = 'AuthError';
  }
}

/** A PBX error body (ALE `RestErrorInfo`, TelServices error code...). */
export class PbxApiError extends PbxError {
  readonly status?: number;
  readonly type?: string;
  readonly pbxCode?: number | string;
  readonly helpMessage?: string;

  constructor(
    message: string,
    info: { status?: number; type?: string; code?: number | string; canRetry?: boolean; helpMessage?: string } = {},
  ) {
    super('PBX', message, { canRetry: info.canRetry });
    this.name = 'PbxApiError';
    this.status = info.status;
    this.type = info.type;
    this.pbxCode = info.code;
    this.helpMessage = info.helpMessage;
  }
}

/** System codes the core reports in network errors, in words an ops user understands (one list for every host). */
const NETWORK_WORDS: Array<[RegExp, string]> = [
  [/ECONNREFUSED/, 'the server refused the connection (nothing listens on that port?)'],
  [/ENOTFOUND|EAI_AGAIN/, 'the server name does not resolve'],
  [/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/, 'no route to the server (address, firewall?)'],
  [/ECONNRESET|EPIPE|socket hang up/i, 'the server closed the connection'],
  [/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/, 'its TLS certificate is not trusted'],
];

/** What a network error's message means, in words, or undefined when it names no known system code. */
export function networkProblem(message: string): string | undefined {
  return NETWORK_WORDS.find(([re]) => re.test(message))?.[1];
}

const TRUST_HINT = "give the PBX's CA certificate, or enable 'Ignore SSL Issues' (n8n) / untick 'Verify the PBX certificate' (Node-RED) only if you trust this PBX";
/** TLS codes (Node's, OpenSSL's) in the words of someone who has to fix them; first match wins. */
const TLS_WORDS: Array<[RegExp, string]> = [
  [/SELF_SIGNED/, `certificate not trusted: the PBX certificate is self-signed; ${TRUST_HINT}`],
  [/^CERT_HAS_EXPIRED$/, 'certificate expired: the PBX certificate has expired; renew it on the PBX'],
  [/^CERT_NOT_YET_VALID$/, "certificate not yet valid: check the PBX's clock and this computer's"],
  [/^ERR_TLS_CERT_ALTNAME_INVALID$/, 'certificate does not match the host name in the URL; use the name the certificate was issued for'],
  [/CERT|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|SIGNATURE/i, `certificate not trusted: signed by an unknown CA; ${TRUST_HINT}`],
  [/SSL|TLS|EPROTO/i, 'TLS handshake failed (is this port https?)'],
];

/** What a TLS failure code means, for every platform's network errors; undefined when the code is not about TLS. */
export function tlsProblem(code: string): string | undefined {
  return TLS_WORDS.find(([re]) => re.test(code))?.[1];
}

/** A certificate problem stays until someone fixes it (not worth retrying); any other network failure may pass. */
export function isLastingNetworkProblem(code: string): boolean {
  return /CERT|SSL|TLS|SIGNATURE/i.test(code);
}

/**
 * An operation input that cannot be used: `field` is the catalogue's field name (`destination`), so each host can
 * name it as its form labels it; `operation` the catalogue operation.
 */
export class InputError extends PbxError {
  readonly operation: string;
  readonly field: string;

  constructor(operation: string, field: string, message: string) {
    super('INVALID_INPUT', message);
    this.name = 'InputError';
    this.operation = operation;
    this.field = field;
  }
}

/**
 * An administrator connection was asked for an operation that acts for one user without being told which (hosts:
 * "Act for User"). Acting for an arbitrary monitored user is never right; `choices` are the users it may act for.
 */
export class ActingUserError extends PbxError {
  readonly operation: string;
  readonly choices: string[];

  constructor(operation: string, displayName: string, choices: string[]) {
    const list = choices.length ? `: one of ${choices.slice(0, 20).join(', ')}${choices.length > 20 ? `, … (${choices.length} in all)` : ''}` : ' (the connection monitors no user)';
    super('INVALID_INPUT', `${displayName} acts for one user, and this administrator connection was not told which: set the user to act for ("Act for User")${list}`);
    this.name = 'ActingUserError';
    this.operation = operation;
    this.choices = choices;
  }
}

/** URL schemes each platform's server URL takes, in the order the hints offer them (hosts and CLI alike). */
export const SERVER_URL_SCHEMES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  PLATFORM_CATALOG.map((d) => [d.name, d.urlSchemes]),
);

/**
 * Why a server URL cannot be used, or undefined when it can: the one wording n8n, Node-RED and the CLI say before any
 * request ("... has no scheme: write it as https://..."), instead of the HTTP layer's "Invalid URL" on every attempt.
 */
export function urlProblem(url: string, schemes: readonly string[]): string | undefined {
  if (!url) return 'The server URL is empty';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme) return `The server URL "${url}" has no scheme: write it as ${schemes.map((s) => `${s}://${url}`).join(' or ')}`;
  if (!schemes.includes(scheme)) return `The server URL "${url}" should start with ${schemes.map((s) => `${s}://`).join(' or ')}`;
  try {
    new URL(url);
  } catch {
    return `The server URL "${url}" is not a valid address`;
  }
  return undefined;
}
