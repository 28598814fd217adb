import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { TELSERVICES_SETTINGS } from '../shared/platforms/telservices/settings';
import { credentialFields } from './shared/common';

const UDP = { eventSource: ['udp'] };

/**
 * uniGone TelServer through its TelServices XML interface (TCP or HTTP). Tested by opening a session. The fields
 * come from the platform's settings schema (shared/platforms/telservices/settings.ts).
 */
export class PbxTelServicesApi implements ICredentialType {
  name = 'pbxTelServicesApi';

  displayName = 'PBX TelServices (TelServer) API';

  documentationUrl = 'https://github.com/pbxflow/n8n-nodes-pbx/blob/main/docs/n8n.md#credentials';

  icon = { light: 'file:pbx.svg', dark: 'file:pbx.dark.svg' } as const;

  properties: INodeProperties[] = credentialFields(TELSERVICES_SETTINGS, [
    { key: 'url', placeholder: 'tcp://telserver.example.com:7300' },
    'login',
    'password',
    { key: 'users', placeholder: '3102, 3103' },
    { key: 'eventSource', options: { udp: 'UDP (TelServer Sends Them)', poll: { name: 'Polling', description: 'When TelServer cannot reach n8n over UDP (NAT, firewall)' } } },
    { key: 'udpPort', show: UDP },
    { key: 'udpHost', placeholder: '192.0.2.10', show: UDP },
  ]);
}
