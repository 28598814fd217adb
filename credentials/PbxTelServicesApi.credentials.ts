import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { loginField, passwordField, urlField } from './shared/common';

/** uniGone TelServer through its TelServices XML interface (TCP or HTTP). Tested by opening a session. */
export class PbxTelServicesApi implements ICredentialType {
  name = 'pbxTelServicesApi';

  displayName = 'PBX TelServices (TelServer) API';

  documentationUrl = 'https://github.com/pbxflow/n8n-nodes-pbx/blob/main/docs/n8n.md#credentials';

  icon = { light: 'file:pbx.svg', dark: 'file:pbx.dark.svg' } as const;

  properties: INodeProperties[] = [
    urlField('tcp://telserver.example.com:7300', 'The TelServices interface: tcp://host:port, or http://host:port for its HTTP form'),
    loginField({ description: 'TelServer user ID, when the interface asks for one' }),
    passwordField(),
    {
      displayName: 'Devices',
      name: 'users',
      type: 'string',
      default: '',
      required: true,
      placeholder: '3102, 3103',
      description: 'Comma-separated device numbers to monitor and act for',
    },
    {
      displayName: 'Events By',
      name: 'eventSource',
      type: 'options',
      default: 'udp',
      options: [
        { name: 'UDP (TelServer Sends Them)', value: 'udp' },
        { name: 'Polling', value: 'poll', description: 'When TelServer cannot reach n8n over UDP (NAT, firewall)' },
      ],
    },
    {
      displayName: 'UDP Port',
      name: 'udpPort',
      type: 'number',
      default: 0,
      typeOptions: { minValue: 0, maxValue: 65535 },
      description: 'First local port TelServer sends events to (one per device); 0 for any free port',
      displayOptions: { show: { eventSource: ['udp'] } },
    },
    {
      displayName: 'UDP Address',
      name: 'udpHost',
      type: 'string',
      default: '',
      placeholder: '192.0.2.10',
      description: 'Address of n8n as TelServer reaches it (and the one n8n listens on); empty for automatic',
      displayOptions: { show: { eventSource: ['udp'] } },
    },
  ];
}
