/**
 * Credential field labels as the n8n credential form shows them, read from the credential types themselves so an
 * error names "Monitored Users" exactly when the form says "Monitored Users".
 */
import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { PbxO2gApi } from '../../credentials/PbxO2gApi.credentials';
import { PbxOpenTouchApi } from '../../credentials/PbxOpenTouchApi.credentials';
import { PbxTelServicesApi } from '../../credentials/PbxTelServicesApi.credentials';
import { PbxVoicenterApi } from '../../credentials/PbxVoicenterApi.credentials';

const TYPES: ICredentialType[] = [new PbxOpenTouchApi(), new PbxO2gApi(), new PbxTelServicesApi(), new PbxVoicenterApi()];

/** The label of `field` in credential type `type` (the first one when the form words it per option). */
export function credentialFieldLabel(type: string, field: string): string | undefined {
  const props: INodeProperties[] = TYPES.find((t) => t.name === type)?.properties ?? [];
  return props.find((p) => p.name === field)?.displayName;
}
