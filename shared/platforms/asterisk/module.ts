/**
 * What the Asterisk platform is: its name, its settings schema, its driver on the one supervisor, and the
 * operations it supports (from operations.ts, the one source). `shared/platforms/index.ts` registers `create`.
 */
import { retryOptions } from '../../connection/settings';
import { SupervisedConnection } from '../../connection/supervisor';
import type { ConnectionConfig, PbxConnection } from '../../connection/types';
import { PbxError } from '../../errors';
import type { OperationName } from '../../operations/catalogue';
import { AsteriskDriver } from './driver';
import { ASTERISK_CANNOT, ASTERISK_OPERATIONS } from './operations';
import { ASTERISK_SETTINGS, asteriskSettings, rawOf } from './settings';
import type { AmiSession } from './session';

export const platform = 'asterisk' as const;
export const displayName = 'Asterisk / FreePBX (AMI)';
export const settings = ASTERISK_SETTINGS;
export const operations = Object.keys(ASTERISK_OPERATIONS) as OperationName[];
export const cannot = ASTERISK_CANNOT;

export class AsteriskConnection extends SupervisedConnection<AmiSession> {
  constructor(readonly asterisk: AsteriskDriver, o: ConstructorParameters<typeof SupervisedConnection<AmiSession>>[1]) {
    super(asterisk, o);
  }

}

/** Settings are checked before anything opens: a bad configuration throws PbxError INVALID_INPUT and leaves nothing behind. */
export function create(config: ConnectionConfig): AsteriskConnection {
  if (config.platform !== platform) throw new PbxError('INVALID_INPUT', `Not an Asterisk configuration: ${config.platform}`);
  const s = asteriskSettings(rawOf(config));
  // The driver's warnings reach the connection once it exists (none are raised while constructing).
  const ref: { conn?: AsteriskConnection } = {};
  const driver = new AsteriskDriver(s, (kind, message) => ref.conn?.driverWarning(kind, message));
  const conn = (ref.conn = new AsteriskConnection(driver, {
    platform, user: s.login, users: s.users,
    ...retryOptions(s),
    events: 'always',
  }));
  return conn;
}

export function createAsteriskConnection(config: ConnectionConfig): PbxConnection {
  return create(config);
}
