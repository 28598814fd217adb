import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { ASTERISK_SETTINGS } from '../shared/platforms/asterisk/settings';
import { ALE_TLS, credentialFields } from './shared/common';

/**
 * Asterisk / FreePBX through the Asterisk Manager Interface (AMI). Every field comes from the platform's settings
 * schema (shared/platforms/asterisk/settings.ts), so the form, Node-RED and the CLI name and check them alike. The
 * form shows the main ones; the rest keep their defaults (they suit FreePBX).
 */
export class PbxAsteriskApi implements ICredentialType {
  name = 'pbxAsteriskApi';

  displayName = 'PBX Asterisk (AMI) API';

  documentationUrl = 'https://github.com/pbxflow/n8n-nodes-pbx/blob/main/docs/n8n.md#credentials';

  icon = { light: 'file:pbx.svg', dark: 'file:pbx.dark.svg' } as const;

  properties: INodeProperties[] = credentialFields(ASTERISK_SETTINGS, [
    { key: 'url', placeholder: 'tcp://freepbx.example.com:5038' },
    'login',
    'password',
    { key: 'authType', options: { md5: 'MD5 Challenge', plain: 'Plain Secret' } },
    { key: 'users', placeholder: '201, 202, 203' },
    ...ALE_TLS,
  ]);
}
