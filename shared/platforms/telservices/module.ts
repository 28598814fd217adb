/**
 * What the TelServices platform is: its name, its settings schema, its driver on the one supervisor, and the
 * operations it supports (operations.ts, the one source). `shared/platforms/index.ts` registers `create`.
 */
import { retryOptions } from '../../connection/settings';
import { SupervisedConnection, type SupervisorOptions } from '../../connection/supervisor';
import type { ConnectionConfig, PbxConnection } from '../../connection/types';
import { PbxError } from '../../errors';
import type { PbxEvent } from '../../model/events';
import { TelServicesDriver, type TelServicesStats, type TsOpening } from './driver';
import { TELSERVICES_OPERATIONS } from './operations';
import type { TelServicesPipeline } from './pipeline';
import { keepAliveOf, rawOf, TELSERVICES_SETTINGS, telServicesSettings } from './settings';
import type { TelServicesTransport } from './transport';

export const platform = 'telservices' as const;
export const displayName = 'TelServices (TelServer)';
export const settings = TELSERVICES_SETTINGS;
export const operations = TELSERVICES_OPERATIONS;

export class TelServicesConnection extends SupervisedConnection<TsOpening> {
  readonly telservices: TelServicesDriver;

  /** Settings are checked before anything opens: a bad configuration throws PbxError INVALID_INPUT and leaves nothing behind. */
  constructor(config: ConnectionConfig) {
    const ref: { conn?: TelServicesConnection } = {};
    const { driver, options } = assemble(config, ref);
    super(driver, options);
    ref.conn = this;
    this.telservices = driver;
  }

  get stats(): TelServicesStats {
    return this.telservices.stats;
  }

  get pipeline(): TelServicesPipeline {
    return this.telservices.pipeline;
  }

  get transport(): TelServicesTransport {
    return this.telservices.transport;
  }

  get devices(): string[] {
    return this.telservices.devices;
  }

  /** Where the event ports listen (tests, diagnostics): one local address and port per device. */
  eventPorts(): Array<{ device: string; address?: string; port?: number }> {
    return this.telservices.eventPorts();
  }


  /** Datagrams come whether or not a stream is open: their events go out as they come. */
  driverEvents(events: PbxEvent[]): void {
    if (!this.closed) this.deliver(events);
  }

}

/** The driver and the supervisor's options a configuration stands for (no `this`: it runs before the connection exists). */
function assemble(config: ConnectionConfig, ref: { conn?: TelServicesConnection }): { driver: TelServicesDriver; options: SupervisorOptions } {
  if (config.platform !== platform) throw new PbxError('INVALID_INPUT', `Not a TelServices configuration: ${config.platform}`);
  const s = telServicesSettings(rawOf(config), 'config');
  // The driver's warnings and events reach the connection once it exists (none come while constructing).
  const driver = new TelServicesDriver(s, {
    warn: (kind, message) => ref.conn?.driverWarning(kind, message),
    deliver: (events) => ref.conn?.driverEvents(events),
    scrub: (text) => ref.conn?.scrubText(text) ?? text,
  });
  const options: SupervisorOptions = {
    platform, user: s.login || s.users[0], users: s.users,
    ...retryOptions(s),
    events: 'always',
    // While TelServer's PBX link is down, the long poll's probe: as often as a keep-alive, at least every 5 s.
    holdProbe: { maxMs: Math.min(5000, keepAliveOf(s)) },
  };
  return { driver, options };
}

export function create(config: ConnectionConfig): TelServicesConnection {
  return new TelServicesConnection(config);
}

export function createTelServicesConnection(config: ConnectionConfig): PbxConnection {
  return create(config);
}
