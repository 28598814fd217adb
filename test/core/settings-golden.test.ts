/**
 * Settings golden (issue 20): each host's fixture -> the ConnectionConfig it gives, for every platform, as data.
 * Pinned from the code before the move (the host mappers in nodes/shared/connection-config.ts,
 * node-red/lib/config.ts and cli/platforms/*), then kept while all three were moved onto the platforms' settings
 * schemas and the one mapping `settingsToConfig`. Where the result changed on purpose, the row says so:
 *
 * - "given, not defaulted": a config now carries exactly the settings the host was given (checked and normalised
 *   by the schema); a default it was not given stays out and the platform reads the schema's default. So:
 *   n8n Voicenter keeps `socketVersion: 'auto'` (it was dropped), n8n TelServices keeps `udpPort: 0` (dropped),
 *   n8n Asterisk no longer writes `extra.insecure: false`, the Asterisk CLI no longer copies every default into
 *   `extra` (it wrote all fourteen), and Node-RED no longer writes `tls: {}` / `sessionKind` / `urlKind` for
 *   platforms that have no such setting (Asterisk, Voicenter).
 * - urlKind (ALE): one default for every host, `public` (what every saved n8n credential and Node-RED flow used);
 *   the CLI's `listen` took `private` unless `--public`, and `call` left it to the core's `private`. Written down
 *   in docs/settings.md.
 * - Node-RED's `requestTimeout` (seconds) stays a field of that form only: its config carries requestTimeoutMs.
 */
import { toConnectionConfig as fromN8n } from '../../nodes/shared/connection-config';
import { toConnectionConfig as fromNodeRed, type ConnectionNodeDef } from '../../node-red/lib/config';
import { configFromFlags } from '../../cli/settings';
import { toConfig as tsFlags } from '../../cli/platforms/telservices';
import { toConfig as vcFlags } from '../../cli/platforms/voicenter';
import { toConfig as astFlags } from '../../cli/platforms/asterisk';
import type { ConnectionConfig } from '../../shared/connection/types';

type Row = { platform: string; n8n: Record<string, unknown>; nodeRed: Record<string, unknown>; creds: Record<string, string>; cli: Record<string, string | boolean>; expect: { n8n: object; nodeRed: object; cli: object } };

const ot = { platform: 'opentouch', url: 'https://ot.example.com', login: 'admin', password: 'pw', sessionKind: 'admin', users: ['alice', 'bob'], urlKind: 'public', tls: { rejectUnauthorized: false } };
const o2g = { platform: 'o2g', url: 'https://o2g.example.com', secondaryUrl: 'https://o2g2.example.com', login: 'alice', password: 'pw', sessionKind: 'user', urlKind: 'private', tls: { ca: 'PEM' }, extra: { pilots: '5000=Support, 5001' } };
const ts = { platform: 'telservices', url: 'tcp://ts.example.com:7300', login: '', password: '', users: ['3102', '3103'] };
const vc = { platform: 'voicenter', url: '', login: 'a@b.c', password: 'pw' };
const ast = { platform: 'asterisk', url: 'tcp://pbx.example.com:5038', login: 'pbxflow', password: 'ami', users: ['201', '202'] };

const ROWS: Row[] = [
  {
    platform: 'opentouch',
    n8n: { url: 'https://ot.example.com/', secondaryUrl: '', login: ' admin ', password: 'pw', sessionKind: 'admin', users: 'alice, bob', urlKind: 'public', allowUnauthorizedCerts: true, caCertificate: '' },
    nodeRed: { url: 'https://ot.example.com', secondaryUrl: '', sessionKind: 'admin', monitoredUsers: 'alice, bob', urlKind: 'public', verifyCertificate: false, ca: '', requestTimeout: 10, extra: '', pilots: '' },
    creds: { login: 'admin', password: 'pw' },
    cli: { url: 'https://ot.example.com', login: 'admin', password: 'pw', session: 'admin', users: 'alice,bob', insecure: true },
    // Before: the CLI (listen) gave urlKind 'private' without --public and `tls: { rejectUnauthorized: false }` the same.
    expect: { n8n: ot, nodeRed: { ...ot, requestTimeoutMs: 10_000 }, cli: ot },
  },
  {
    platform: 'o2g',
    n8n: { url: 'https://o2g.example.com', secondaryUrl: 'https://o2g2.example.com', login: 'alice', password: 'pw', sessionKind: 'user', users: '', urlKind: 'private', pilots: '5000=Support, 5001', allowUnauthorizedCerts: false, caCertificate: 'PEM' },
    nodeRed: { url: 'https://o2g.example.com', secondaryUrl: 'https://o2g2.example.com', sessionKind: 'user', monitoredUsers: '', urlKind: 'private', verifyCertificate: true, ca: 'PEM', requestTimeout: 10, extra: '', pilots: '5000=Support, 5001' },
    creds: { login: 'alice', password: 'pw' },
    cli: { url: 'https://o2g.example.com', 'secondary-url': 'https://o2g2.example.com', login: 'alice', password: 'pw', 'url-kind': 'private', pilots: '5000=Support, 5001', ca: 'PEM' },
    expect: { n8n: o2g, nodeRed: { ...o2g, requestTimeoutMs: 10_000 }, cli: o2g },
  },
  {
    platform: 'telservices',
    n8n: { url: 'tcp://ts.example.com:7300', login: '', password: '', users: '3102, 3103', eventSource: 'udp', udpPort: 0, udpHost: '' },
    nodeRed: { url: 'tcp://ts.example.com:7300', devices: '3102, 3103', eventSource: 'udp', udpPort: '', udpHost: '', requestTimeout: 10, extra: '', verifyCertificate: true, ca: '' },
    creds: { login: '', password: '' },
    cli: { host: 'ts.example.com', port: '7300', devices: '3102,3103' },
    // Before: n8n dropped udpPort 0 (given in the form: kept now); the CLI wrote `extra: {}`.
    expect: { n8n: { ...ts, extra: { eventSource: 'udp', udpPort: 0 } }, nodeRed: { ...ts, requestTimeoutMs: 10_000, extra: { eventSource: 'udp' } }, cli: ts },
  },
  {
    platform: 'voicenter',
    n8n: { loginType: 'user', login: 'a@b.c', password: 'pw', url: '', serverUrl: '', socketVersion: 'auto' },
    nodeRed: { url: '', loginType: 'user', serverUrl: '', socketVersion: 'auto', requestTimeout: 10, extra: '', verifyCertificate: true, ca: '' },
    creds: { login: 'a@b.c', password: 'pw' },
    cli: { 'login-type': 'user', email: 'a@b.c', password: 'pw' },
    // Before: n8n and Node-RED dropped socketVersion 'auto' (given: kept now); Node-RED wrote `tls: {}`.
    expect: { n8n: { ...vc, extra: { loginType: 'user', socketVersion: 'auto' } }, nodeRed: { ...vc, requestTimeoutMs: 10_000, extra: { loginType: 'user', socketVersion: 'auto' } }, cli: { ...vc, extra: { loginType: 'user' } } },
  },
  {
    platform: 'asterisk',
    n8n: { url: 'tcp://pbx.example.com:5038', login: 'pbxflow', password: 'ami', authType: 'md5', users: '201, 202', insecure: false },
    nodeRed: { url: 'tcp://pbx.example.com:5038', devices: '201, 202', sessionKind: 'user', urlKind: 'public', verifyCertificate: true, ca: '', requestTimeout: 10, extra: '' },
    creds: { login: 'pbxflow', password: 'ami' },
    cli: { url: 'tcp://pbx.example.com:5038', login: 'pbxflow', password: 'ami', users: '201,202' },
    // Before: n8n wrote extra.insecure false; Node-RED sessionKind/urlKind/tls {}; the CLI every default in extra.
    expect: { n8n: { ...ast, extra: { authType: 'md5' } }, nodeRed: { ...ast, requestTimeoutMs: 10_000 }, cli: ast },
  },
];

/** Undefined members dropped: the config as JSON sees it (and as the registry keys it). */
const plain = (c: ConnectionConfig): unknown => JSON.parse(JSON.stringify(c));

function cli(platform: string, flags: Record<string, string | boolean>): ConnectionConfig {
  if (platform === 'telservices') return tsFlags(flags, {});
  if (platform === 'voicenter') return vcFlags(flags, {});
  if (platform === 'asterisk') return astFlags(flags, {});
  return configFromFlags(platform as 'opentouch', flags, {});
}

describe('settings golden: each host fixture -> ConnectionConfig', () => {
  it.each(ROWS.map((r) => [r.platform, r] as const))('%s', (platform, r) => {
    expect(plain(fromN8n(platform as 'opentouch', r.n8n as never))).toStrictEqual(r.expect.n8n);
    expect(plain(fromNodeRed({ id: 'c', type: 'pbxflow-connection', platform, ...r.nodeRed } as unknown as ConnectionNodeDef, r.creds))).toStrictEqual(r.expect.nodeRed);
    expect(plain(cli(platform, r.cli))).toStrictEqual(r.expect.cli);
  });
});

describe('the same wrong setting: one verdict, the field named as each host labels it', () => {
  it('an administrator session\'s users that are too long', () => {
    const long = 'x'.repeat(200);
    expect(() => fromN8n('opentouch', { url: 'https://ot.example.com', login: 'a', password: 'p', sessionKind: 'admin', users: long, urlKind: 'public' })).toThrow(/^Monitored Users: an item is longer than 128 characters/);
    expect(() => fromNodeRed({ id: 'c', type: 'pbxflow-connection', platform: 'opentouch', url: 'https://ot.example.com', sessionKind: 'admin', monitoredUsers: long } as ConnectionNodeDef, { login: 'a', password: 'p' })).toThrow(/^Users: an item is longer than 128 characters/);
    expect(() => configFromFlags('opentouch', { url: 'https://ot.example.com', login: 'a', password: 'p', session: 'admin', users: long }, {})).toThrow(/^--users: an item is longer than 128 characters/);
  });

  it('a retry ceiling below the first delay, and a bad TelServices port', () => {
    expect(() => fromN8n('voicenter', { loginType: 'token', password: 't', backoffInitialMs: 5000, backoffMaxMs: 10 })).toThrow(/^Max Retry Delay \(ms\) must not be below First Retry Delay \(ms\)/);
    expect(() => fromNodeRed({ id: 'c', type: 'pbxflow-connection', platform: 'voicenter', url: '', loginType: 'token', extra: '{"backoffInitialMs":5000,"backoffMaxMs":10}' } as ConnectionNodeDef, { password: 't' })).toThrow(/^Max retry delay \(ms\) must not be below First retry delay \(ms\)/);
    expect(() => vcFlags({ 'login-type': 'token', token: 't', 'backoff-ms': '5000', 'backoff-max-ms': '10' }, {})).toThrow(/--backoff-max-ms must not be below First retry delay|--backoff-max-ms must not be below backoff-ms/);
    expect(() => fromN8n('telservices', { url: 'tcp://h:1', users: '201', udpPort: 70000 })).toThrow(/^UDP Port must be between 0 and 65535/);
    expect(() => tsFlags({ host: 'h', port: '1', devices: '201', 'udp-port': '70000' }, {})).toThrow(/--udp-port must be between 0 and 65535/);
  });

  /** One wrong value per platform, in the three hosts' own fields: the same verdict, each naming its own label. */
  const WRONG: Array<{ platform: string; n8n: Record<string, unknown>; nodeRed: Record<string, unknown>; creds: Record<string, string>; cli: Record<string, string>; says: [string, string, string]; verdict: string }> = [
    { platform: 'opentouch', n8n: { url: 'https://ot.example.com', login: 'a', password: 'p', urlKind: 'lan' }, nodeRed: { url: 'https://ot.example.com', urlKind: 'lan' }, creds: { login: 'a', password: 'p' },
      cli: { url: 'https://ot.example.com', login: 'a', password: 'p', 'url-kind': 'lan' }, says: ['URLs to Use', 'URLs', '--url-kind'], verdict: ' must be one of public, private (got "lan")' },
    { platform: 'o2g', n8n: { url: 'https://o2g.example.com', login: 'a', password: 'p', sessionKind: 'root' }, nodeRed: { url: 'https://o2g.example.com', sessionKind: 'root' }, creds: { login: 'a', password: 'p' },
      cli: { url: 'https://o2g.example.com', login: 'a', password: 'p', session: 'root' }, says: ['Session Kind', 'Session', '--session'], verdict: ' must be one of user, admin (got "root")' },
    { platform: 'telservices', n8n: { url: 'tcp://h:1', users: '201', udpPort: 70000 }, nodeRed: { url: 'tcp://h:1', devices: '201', udpPort: '70000' }, creds: {},
      cli: { url: 'tcp://h:1', devices: '201', 'udp-port': '70000' }, says: ['UDP Port', 'UDP port', '--udp-port'], verdict: ' must be between 0 and 65535 (got 70000)' },
    { platform: 'voicenter', n8n: { loginType: 'token', password: 't', socketVersion: '3' }, nodeRed: { url: '', loginType: 'token', socketVersion: '3' }, creds: { password: 't' },
      cli: { 'login-type': 'token', token: 't', 'socket-version': '3' }, says: ['socket.io Version', 'socket.io version', '--socket-version'], verdict: ' must be one of auto, 2, 4 (got "3")' },
    { platform: 'asterisk', n8n: { url: 'tcp://pbx:5038', login: 'a', password: 'p', authType: 'sha' }, nodeRed: { url: 'tcp://pbx:5038', extra: '{"authType":"sha"}' }, creds: { login: 'a', password: 'p' },
      cli: { url: 'tcp://pbx:5038', login: 'a', password: 'p', auth: 'sha' }, says: ['Login Method', 'Login method', '--auth'], verdict: ' must be one of md5, plain (got "sha")' },
  ];
  const messageOf = (f: () => unknown): string => {
    try {
      f();
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };

  it.each(WRONG.map((w) => [w.platform, w] as const))('%s: one wrong value, the same verdict in n8n, Node-RED and the CLI', (platform, w) => {
    const got = [
      messageOf(() => fromN8n(platform as 'opentouch', w.n8n as never)),
      messageOf(() => fromNodeRed({ id: 'c', type: 'pbxflow-connection', platform, ...w.nodeRed } as unknown as ConnectionNodeDef, w.creds)),
      messageOf(() => cli(platform, w.cli)),
    ];
    expect(got).toEqual(w.says.map((label) => `${label}${w.verdict}`));
  });
});

