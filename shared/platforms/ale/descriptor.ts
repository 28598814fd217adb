/**
 * OpenTouch and O2G (one ALE folder, two platform names) as the hosts see them (see ../descriptor.ts). Imports
 * nothing from the ALE driver or connection: its settings and module load on first use.
 */
import type { PlatformDescriptor } from '../descriptor';

/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose: n8n loads every community node at start */
const settings = (): ReturnType<PlatformDescriptor['settings']> => {
  const m = require('./settings') as typeof import('./settings');
  return { specs: m.ALE_SETTINGS, read: m.aleSettings };
};
const create: PlatformDescriptor['create'] = (c) => (require('./module') as typeof import('./module')).create(c);
/* eslint-enable @typescript-eslint/no-require-imports */

const ale = { helpTitle: 'OpenTouch, O2G', urlSchemes: ['https', 'http'], usersAreDevices: false, replay: 'ale', settings, create } as const;

export const opentouch = {
  ...ale,
  name: 'opentouch',
  displayName: 'Alcatel-Lucent OpenTouch (OTBE / OTMS)',
  description: 'OpenTouch Business or Multimedia Services, through its REST API',
  nodeRed: { label: 'Alcatel-Lucent OpenTouch', helpName: 'Alcatel-Lucent OpenTouch' },
  credentialType: 'pbxOpenTouchApi',
  idIsCallWide: false,
} as const satisfies PlatformDescriptor<'opentouch'>;

export const o2g = {
  ...ale,
  name: 'o2g',
  displayName: 'Alcatel-Lucent OXE via O2G',
  description: 'OmniPCX Enterprise through the OpenTouch Gateway (O2G) REST API',
  nodeRed: { label: 'Alcatel-Lucent O2G / OXE', helpName: 'O2G/OXE' },
  credentialType: 'pbxO2gApi',
  idIsCallWide: true,
} as const satisfies PlatformDescriptor<'o2g'>;
