import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { loginField, passwordField } from './shared/common';

/** Voicenter cloud PBX: its login API and real-time events socket. Tested by logging in. */
export class PbxVoicenterApi implements ICredentialType {
  name = 'pbxVoicenterApi';

  displayName = 'PBX Voicenter API';

  documentationUrl = 'https://github.com/pbxflow/n8n-nodes-pbx/blob/main/docs/n8n.md#credentials';

  icon = { light: 'file:pbx.svg', dark: 'file:pbx.dark.svg' } as const;

  properties: INodeProperties[] = [
    {
      displayName: 'Log In With',
      name: 'loginType',
      type: 'options',
      default: 'user',
      options: [
        { name: 'User Email and Password', value: 'user' },
        { name: 'Account Username and Password', value: 'account' },
        { name: 'API Token', value: 'token' },
      ],
    },
    // One `login` and one `password` field each, worded for the login type.
    loginField({ displayName: 'Email', placeholder: 'name@email.com', required: true, displayOptions: { show: { loginType: ['user'] } } }),
    loginField({ displayName: 'Username', required: true, displayOptions: { show: { loginType: ['account'] } } }),
    passwordField({ required: true, displayOptions: { show: { loginType: ['user', 'account'] } } }),
    passwordField({ displayName: 'API Token', required: true, displayOptions: { show: { loginType: ['token'] } } }),
    {
      displayName: 'Login API URL',
      name: 'url',
      type: 'string',
      default: '',
      description: "Voicenter's login service; leave empty for the public one",
    },
    {
      displayName: 'Event Server URL',
      name: 'serverUrl',
      type: 'string',
      default: '',
      description: 'A fixed real-time events server; leave empty to use the one the login returns',
    },
    {
      displayName: 'socket.io Version',
      name: 'socketVersion',
      type: 'options',
      default: 'auto',
      options: [
        { name: 'As the Server Announces', value: 'auto' },
        { name: 'socket.io 2', value: '2' },
        { name: 'socket.io 4', value: '4' },
      ],
    },
  ];
}
