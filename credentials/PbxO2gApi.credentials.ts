import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { ALE_SETTINGS } from '../shared/platforms/ale/settings';
import { ALE_SESSION, ALE_TLS, credentialFields } from './shared/common';

/**
 * Alcatel-Lucent OmniPCX Enterprise through the OpenTouch Gateway (O2G). Tested by logging in. The fields come
 * from the platform's settings schema (shared/platforms/ale/settings.ts).
 */
export class PbxO2gApi implements ICredentialType {
  name = 'pbxO2gApi';

  displayName = 'PBX O2G (OXE) API';

  documentationUrl = 'https://github.com/pbxflow/n8n-nodes-pbx/blob/main/docs/n8n.md#credentials';

  icon = { light: 'file:pbx.svg', dark: 'file:pbx.dark.svg' } as const;

  properties: INodeProperties[] = credentialFields(ALE_SETTINGS, [
    { key: 'url', placeholder: 'https://o2g.example.com' },
    { key: 'secondaryUrl', placeholder: 'https://standby.example.com' },
    'login',
    'password',
    ...ALE_SESSION,
    // Call-center pilots (CCD queues): their numbers are what the PBX subscribes queue events by.
    { key: 'pilots', placeholder: '5000=Support, 5001=Sales' },
    ...ALE_TLS,
  ]);
}
