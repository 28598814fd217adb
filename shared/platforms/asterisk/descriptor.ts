/** Asterisk as the hosts see it (see ../descriptor.ts): data, and its settings and connection loaded on first use. */
import type { ConnectionConfig, PbxConnection } from '../../connection/types';
import type { PlatformDescriptor, PlatformSettings, ReplayPipeline } from '../descriptor';

/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose: n8n loads every community node at start */
export const descriptor = {
  name: 'asterisk',
  displayName: 'Asterisk / FreePBX (AMI)',
  description: 'Asterisk or FreePBX through the Asterisk Manager Interface (TCP 5038 or TLS 5039)',
  helpTitle: 'Asterisk',
  nodeRed: { label: 'Asterisk / FreePBX (AMI)', helpName: 'Asterisk/FreePBX' },
  credentialType: 'pbxAsteriskApi',
  urlSchemes: ['tcp', 'tls'],
  idIsCallWide: true, // Linkedid
  usersAreDevices: true,
  replay: 'module',
  replayFormat: 'raw AMI text: Key: Value lines, an empty line between messages',
  cliSynopsis: [
    '--platform asterisk --url tcp://HOST:5038 --login AMIUSER --password SECRET [options]',
    '  the secret may come from PBXFLOW_PASSWORD instead of the command line',
  ],
  settings(): PlatformSettings {
    const m = require('./settings') as typeof import('./settings');
    return { specs: m.ASTERISK_SETTINGS, read: m.asteriskSettings };
  },
  replayPipeline: (): ReplayPipeline => (require('./replay') as typeof import('./replay')).replayPipeline(),
  create: (c: ConnectionConfig): PbxConnection => (require('./module') as typeof import('./module')).create(c),
} as const satisfies PlatformDescriptor<'asterisk'>;
/* eslint-enable @typescript-eslint/no-require-imports */
