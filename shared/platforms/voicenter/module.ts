/**
 * What the Voicenter platform is: its name, its settings schema, its driver on the one supervisor, and its
 * operations (none: the Real Time API carries events only). `shared/platforms/index.ts` registers `create`.
 */
import { retryOptions } from '../../connection/settings';
import { SupervisedConnection, type SupervisorOptions } from '../../connection/supervisor';
import type { ConnectionConfig, PbxConnection } from '../../connection/types';
import { PbxError } from '../../errors';
import type { OperationName } from '../../operations/catalogue';
import type { ServerClock } from './clock';
import { VoicenterDriver, type VoicenterLink, type VoicenterStats } from './driver';
import type { VoicenterPipeline } from './pipeline';
import { rawOf, VOICENTER_SETTINGS, voicenterSettings } from './settings';

export const platform = 'voicenter' as const;
export const displayName = 'Voicenter (Real Time API)';
export const settings = VOICENTER_SETTINGS;
export const operations: readonly OperationName[] = [];

/** What tests (and only tests) may inject. */
export interface VoicenterDeps {
  /** This host's clock: receive times, token expiry. Default Date.now. */
  now?: () => number;
}

export class VoicenterConnection extends SupervisedConnection<VoicenterLink> {
  readonly voicenter: VoicenterDriver;

  /** Settings are checked before anything opens: a bad configuration throws PbxError INVALID_INPUT and leaves nothing behind. */
  constructor(config: ConnectionConfig, deps: VoicenterDeps = {}) {
    const ref: { conn?: VoicenterConnection } = {};
    const { driver, options } = assemble(config, deps, ref);
    super(driver, options);
    ref.conn = this;
    this.voicenter = driver;
  }

  get stats(): VoicenterStats {
    return this.voicenter.stats;
  }

  get pipeline(): VoicenterPipeline {
    return this.voicenter.pipeline;
  }

  /** How the server's epochs are read (local, UTC or measured). */
  get clock(): ServerClock {
    return this.voicenter.clock;
  }


}

/** The driver and the supervisor's options a configuration stands for (no `this`: it runs before the connection exists). */
function assemble(config: ConnectionConfig, deps: VoicenterDeps, ref: { conn?: VoicenterConnection }): { driver: VoicenterDriver; options: SupervisorOptions } {
  if (config.platform !== platform) throw new PbxError('INVALID_INPUT', `Not a Voicenter configuration: ${config.platform}`);
  const s = voicenterSettings(rawOf(config), 'config');
  const now = deps.now ?? Date.now;
  // The driver's warnings reach the connection once it exists (none are raised while constructing).
  const driver = new VoicenterDriver(s, {
    warn: (kind, message) => ref.conn?.driverWarning(kind, message),
    scrub: (text) => ref.conn?.scrubText(text) ?? text,
    now,
  });
  const options: SupervisorOptions = {
    platform, user: s.login || s.loginType,
    ...retryOptions(s),
    events: 'always',
    // The token refresh: the per-minute ceiling, not the floor, bounds a burst.
    renewal: { floorMs: s.refreshFloorMs, windowMs: s.refreshWindowMs, perWindow: s.refreshesPerWindow, maxMs: s.backoffMaxMs },
    now,
  };
  return { driver, options };
}

export function create(config: ConnectionConfig): VoicenterConnection {
  return new VoicenterConnection(config);
}

export function createVoicenterConnection(config: ConnectionConfig): PbxConnection {
  return create(config);
}
