/** Voicenter as the hosts see it (see ../descriptor.ts): data, and its settings and connection loaded on first use. */
import type { ConnectionConfig, PbxConnection } from '../../connection/types';
import type { PlatformDescriptor, PlatformSettings } from '../descriptor';

/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose: n8n loads every community node at start */
export const descriptor = {
  name: 'voicenter',
  displayName: 'Voicenter',
  description: 'Voicenter cloud PBX: real-time call, agent and queue events (its Real Time API has no call control)',
  helpTitle: 'Voicenter',
  nodeRed: { label: 'Voicenter', helpName: 'Voicenter' },
  credentialType: 'pbxVoicenterApi',
  urlSchemes: ['https', 'http'],
  idIsCallWide: true, // ivrid
  usersAreDevices: false,
  replay: 'module',
  settings(): PlatformSettings {
    const m = require('./settings') as typeof import('./settings');
    return { specs: m.VOICENTER_SETTINGS, read: m.voicenterSettings };
  },
  create: (c: ConnectionConfig): PbxConnection => (require('./module') as typeof import('./module')).create(c),
} as const satisfies PlatformDescriptor<'voicenter'>;
/* eslint-enable @typescript-eslint/no-require-imports */
