import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { aleSessionFields, callCenterFields, loginFields, serverFields, tlsFields } from './shared/common';

/** Alcatel-Lucent OmniPCX Enterprise through the OpenTouch Gateway (O2G). Tested by logging in. */
export class PbxO2gApi implements ICredentialType {
  name = 'pbxO2gApi';

  displayName = 'PBX O2G (OXE) API';

  documentationUrl = 'https://github.com/pbxflow/n8n-nodes-pbx/blob/main/docs/n8n.md#credentials';

  icon = { light: 'file:pbx.svg', dark: 'file:pbx.dark.svg' } as const;

  properties: INodeProperties[] = [
    ...serverFields('https://o2g.example.com'),
    ...loginFields,
    ...aleSessionFields,
    ...callCenterFields,
    ...tlsFields,
  ];
}
