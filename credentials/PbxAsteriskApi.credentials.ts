import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import type { SettingSpec } from '../shared/connection/settings';
import { ASTERISK_SETTINGS } from '../shared/platforms/asterisk/settings';

/** The fields the form shows first; the rest are advanced (their defaults suit FreePBX). */
const MAIN = new Set(['url', 'login', 'password', 'authType', 'users', 'insecure']);

/**
 * Asterisk / FreePBX through the Asterisk Manager Interface (AMI). Every field comes from the platform's settings
 * schema (shared/platforms/asterisk/settings.ts), so the form, Node-RED and the CLI name and check them alike.
 */
export class PbxAsteriskApi implements ICredentialType {
  name = 'pbxAsteriskApi';

  displayName = 'PBX Asterisk (AMI) API';

  documentationUrl = 'https://github.com/pbxflow/n8n-nodes-pbx/blob/main/docs/n8n.md#credentials';

  icon = { light: 'file:pbx.svg', dark: 'file:pbx.dark.svg' } as const;

  properties: INodeProperties[] = (ASTERISK_SETTINGS as readonly SettingSpec[]).filter((s) => MAIN.has(s.key)).map((s): INodeProperties => {
    const p: INodeProperties = {
      displayName: s.label.n8n,
      name: s.key,
      type: s.type === 'number' ? 'number' : s.type === 'boolean' ? 'boolean' : s.type === 'enum' ? 'options' : 'string',
      default: Array.isArray(s.default) ? s.default.join(', ') : (s.default ?? ''),
      description: s.description,
    };
    if (s.required) p.required = true;
    if (s.secret) p.typeOptions = { password: true };
    if (s.type === 'enum') p.options = (s.limits?.values ?? []).map((v) => ({ name: v === 'md5' ? 'MD5 Challenge' : v === 'plain' ? 'Plain Secret' : v, value: v }));
    if (s.key === 'url') p.placeholder = 'tcp://freepbx.example.com:5038';
    if (s.key === 'users') p.placeholder = '201, 202, 203';
    return p;
  });
}
