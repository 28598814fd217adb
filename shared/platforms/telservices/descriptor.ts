/** TelServices as the hosts see it (see ../descriptor.ts): data, and its settings and connection loaded on first use. */
import type { ConnectionConfig, PbxConnection } from '../../connection/types';
import type { PlatformDescriptor, PlatformSettings } from '../descriptor';

/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose: n8n loads every community node at start */
export const descriptor = {
  name: 'telservices',
  displayName: 'TelServer (TelServices)',
  description: 'uniGone TelServer through its TelServices XML interface (TCP or HTTP, events over UDP)',
  helpTitle: 'TelServices',
  nodeRed: { label: 'TelServer (TelServices)', helpName: 'TelServer (TelServices)' },
  credentialType: 'pbxTelServicesApi',
  urlSchemes: ['tcp', 'http'],
  idIsCallWide: false,
  usersAreDevices: true,
  replay: 'module',
  settings(): PlatformSettings {
    const m = require('./settings') as typeof import('./settings');
    return { specs: m.TELSERVICES_SETTINGS, read: m.telServicesSettings };
  },
  create: (c: ConnectionConfig): PbxConnection => (require('./module') as typeof import('./module')).create(c),
} as const satisfies PlatformDescriptor<'telservices'>;
/* eslint-enable @typescript-eslint/no-require-imports */
