import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { VOICENTER_SETTINGS } from '../shared/platforms/voicenter/settings';
import { credentialFields } from './shared/common';

const LOGIN_WITH = { user: ['user'], account: ['account'], password: ['user', 'account'], token: ['token'] };

/**
 * Voicenter cloud PBX: its login API and real-time events socket. Tested by logging in. The fields come from the
 * platform's settings schema (shared/platforms/voicenter/settings.ts).
 */
export class PbxVoicenterApi implements ICredentialType {
  name = 'pbxVoicenterApi';

  displayName = 'PBX Voicenter API';

  documentationUrl = 'https://github.com/pbxflow/n8n-nodes-pbx/blob/main/docs/n8n.md#credentials';

  icon = { light: 'file:pbx.svg', dark: 'file:pbx.dark.svg' } as const;

  properties: INodeProperties[] = credentialFields(VOICENTER_SETTINGS, [
    { key: 'loginType', options: { user: 'User Email and Password', account: 'Account Username and Password', token: 'API Token' } },
    // One stored `login` and one `password`, each worded for the login type.
    { key: 'login', placeholder: 'name@email.com', required: true, show: { loginType: LOGIN_WITH.user } },
    { key: 'login', displayName: 'Username', required: true, show: { loginType: LOGIN_WITH.account } },
    { key: 'password', show: { loginType: LOGIN_WITH.password } },
    { key: 'password', displayName: 'API Token', show: { loginType: LOGIN_WITH.token } },
    // Empty: Voicenter's public login service (saved credentials hold '' and keep following it).
    { key: 'url', default: '' },
    'serverUrl',
    { key: 'socketVersion', options: { auto: 'As the Server Announces', 2: 'socket.io 2', 4: 'socket.io 4' } },
  ]);
}
