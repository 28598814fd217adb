import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { aleSessionFields, loginFields, serverFields, tlsFields } from './shared/common';

/** Alcatel-Lucent OpenTouch (OTBE / OTMS) REST API. Tested by logging in (PBX nodes' `pbxConnectionTest`). */
export class PbxOpenTouchApi implements ICredentialType {
  name = 'pbxOpenTouchApi';

  displayName = 'PBX OpenTouch API';

  documentationUrl = 'https://github.com/pbxflow/n8n-nodes-pbx/blob/main/docs/n8n.md#credentials';

  icon = { light: 'file:pbx.svg', dark: 'file:pbx.dark.svg' } as const;

  properties: INodeProperties[] = [
    ...serverFields('https://opentouch.example.com'),
    ...loginFields,
    ...aleSessionFields,
    ...tlsFields,
  ];
}
