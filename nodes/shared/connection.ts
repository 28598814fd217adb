/**
 * Connections for the n8n nodes: credential -> ConnectionConfig -> a shared lease from the core's registry
 * (triggers and actions on the same credential share one PBX session).
 */
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, INode, INodeCredentialTestResult } from 'n8n-workflow';
import '../../shared/platforms'; // registers the platform connection factories
import { PbxO2gApi } from '../../credentials/PbxO2gApi.credentials';
import { PbxOpenTouchApi } from '../../credentials/PbxOpenTouchApi.credentials';
import { acquireConnection, type Lease } from '../../shared/connection/registry';
import type { Platform } from '../../shared/model/events';
import { toConnectionConfig } from './connection-config';
import { describePbxError, toNodeError } from './errors';
import { platformEntry, platformOfCredentialType, type PlatformEntry } from './platforms';

/** The credential's name as n8n's credential list shows it (its class's displayName): only ALE's two can be confused. */
const CREDENTIAL_TITLES: Record<string, string> = { pbxOpenTouchApi: new PbxOpenTouchApi().displayName, pbxO2gApi: new PbxO2gApi().displayName };
function credentialTitle(p: PlatformEntry): string {
  return CREDENTIAL_TITLES[p.credentialType] ?? p.displayName;
}

export function openLease(platform: Platform, credential: ICredentialDataDecryptedObject): Lease {
  return acquireConnection(toConnectionConfig(platform, credential));
}

/** `openLease` for a node: a credential the core refuses becomes the node's error, naming the server. */
export function leaseForNode(node: INode, platform: Platform, credential: ICredentialDataDecryptedObject): Lease {
  try {
    return openLease(platform, credential);
  } catch (error) {
    throw toNodeError(node, error, undefined, typeof credential.url === 'string' ? credential.url : undefined);
  }
}

/** Bounded wait for the credential test, so a silent server cannot hang the editor. */
const TEST_TIMEOUT_MS = 20_000;

/** `methods.credentialTest`: logs in with the credential (no subscription), then lets go. */
export async function testPbxCredential(credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  const entry = platformOfCredentialType(credential.type);
  if (!entry) return { status: 'Error', message: `Unknown PBX credential type "${credential.type}"` };
  let lease: Lease | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    lease = openLease(entry.platform, credential.data ?? {});
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`No answer from the PBX within ${TEST_TIMEOUT_MS / 1000} s`)), TEST_TIMEOUT_MS);
    });
    await Promise.race([lease.connection.ready(), timeout]);
    // An OpenTouch credential at an O2G server (or the reverse) logs in, then half works: say which server answered.
    const answered = platformEntry(lease.connection.serverKind?.() ?? entry.platform);
    if (answered && answered.platform !== entry.platform) {
      return { status: 'Error', message: `Logged in, but this server is ${answered.displayName}, not ${entry.displayName}: use a "${credentialTitle(answered)}" credential for it` };
    }
    return { status: 'OK', message: `Logged in to ${entry.displayName}` };
  } catch (error) {
    // The same words and hint as the nodes' own errors.
    const { message, description } = describePbxError(error, typeof credential.data?.url === 'string' ? credential.data.url : undefined);
    return { status: 'Error', message: description ? `${message}. ${description}` : message };
  } finally {
    clearTimeout(timer);
    await lease?.release();
  }
}
