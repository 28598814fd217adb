/**
 * Credential fields shared by the PBX credential types. Each platform's credential file lists the blocks it
 * needs; `nodes/shared/connection-config.ts` maps them to the core's ConnectionConfig.
 */
import type { INodeProperties } from 'n8n-workflow';

/** The server URL (`url`); a platform may word it its own way. */
export const urlField = (example: string, description = 'Base URL of the PBX API (scheme, host and port, no path)'): INodeProperties => ({
  displayName: 'Server URL',
  name: 'url',
  type: 'string',
  default: '',
  required: true,
  placeholder: example,
  description,
});

/** The login (`login`), with what differs per platform (label, whether required, when shown). */
export const loginField = (o: Partial<INodeProperties> = {}): INodeProperties => ({ displayName: 'Login', name: 'login', type: 'string', default: '', ...o });

/** The password (`password`), a secret n8n stores encrypted; a token may take its place (label, when shown). */
export const passwordField = (o: Partial<INodeProperties> = {}): INodeProperties => ({
  displayName: 'Password',
  name: 'password',
  type: 'string',
  typeOptions: { password: true },
  default: '',
  ...o,
});

export const serverFields = (example: string): INodeProperties[] => [
  urlField(example),
  {
    displayName: 'Secondary Server URL',
    name: 'secondaryUrl',
    type: 'string',
    default: '',
    placeholder: 'https://standby.example.com',
    description: 'Standby server of a high-availability pair; leave empty if there is none',
  },
];

export const loginFields: INodeProperties[] = [
  loginField({ required: true, description: 'Login name of the user or administrator' }),
  passwordField({ required: true }),
];

export const aleSessionFields: INodeProperties[] = [
  {
    displayName: 'Session Kind',
    name: 'sessionKind',
    type: 'options',
    default: 'user',
    options: [
      { name: 'User', value: 'user', description: "The login's own calls and settings" },
      { name: 'Administrator', value: 'admin', description: 'An administrator session that monitors and acts for several users' },
    ],
  },
  {
    displayName: 'Monitored Users',
    name: 'users',
    type: 'string',
    default: '',
    placeholder: 'alice, bob, 203',
    description: 'Comma-separated logins or extensions the administrator session monitors',
    displayOptions: { show: { sessionKind: ['admin'] } },
  },
  {
    displayName: 'URLs to Use',
    name: 'urlKind',
    type: 'options',
    default: 'public',
    description: 'Which of the URLs the server announces to use: public (internet) or private (LAN)',
    options: [
      { name: 'Public', value: 'public' },
      { name: 'Private (LAN)', value: 'private' },
    ],
  },
];

/** O2G call-center pilots (CCD queues): their numbers are what the PBX subscribes queue events by. */
export const callCenterFields: INodeProperties[] = [
  {
    displayName: 'Call-Center Queues (Pilots)',
    name: 'pilots',
    type: 'string',
    default: '',
    placeholder: '5000=Support, 5001=Sales',
    description: 'Pilot numbers whose queue events (call joined, answered, abandoned) you want, each optionally with a name. Leave empty without a call-center licence.',
  },
];

export const tlsFields: INodeProperties[] = [
  {
    displayName: 'Ignore SSL Issues (Self-Signed)',
    name: 'allowUnauthorizedCerts',
    type: 'boolean',
    default: false,
    description: 'Whether to connect even if the PBX certificate cannot be verified (e.g. self-signed). Prefer a custom CA.',
  },
  {
    displayName: 'Custom CA Certificate',
    name: 'caCertificate',
    type: 'string',
    typeOptions: { rows: 4, password: true },
    default: '',
    placeholder: '-----BEGIN CERTIFICATE-----',
    description: 'PEM certificate of the CA that signed the PBX certificate, when it is not a public CA',
  },
];
