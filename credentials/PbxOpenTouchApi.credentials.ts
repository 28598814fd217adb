import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { ALE_SETTINGS } from '../shared/platforms/ale/settings';
import { ALE_SESSION, ALE_TLS, credentialFields } from './shared/common';

/**
 * Alcatel-Lucent OpenTouch (OTBE / OTMS) REST API. Tested by logging in (PBX nodes' `pbxConnectionTest`). The
 * fields come from the platform's settings schema (shared/platforms/ale/settings.ts).
 */
export class PbxOpenTouchApi implements ICredentialType {
  name = 'pbxOpenTouchApi';

  displayName = 'PBX OpenTouch API';

  documentationUrl = 'https://github.com/pbxflow/n8n-nodes-pbx/blob/main/docs/n8n.md#credentials';

  icon = { light: 'file:pbx.svg', dark: 'file:pbx.dark.svg' } as const;

  properties: INodeProperties[] = credentialFields(ALE_SETTINGS, [
    { key: 'url', placeholder: 'https://opentouch.example.com' },
    { key: 'secondaryUrl', placeholder: 'https://standby.example.com' },
    'login',
    'password',
    ...ALE_SESSION,
    ...ALE_TLS,
  ]);
}
