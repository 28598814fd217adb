/**
 * The ALE connection's old address: it is the supervisor's now (module.ts: the connection; driver.ts: the protocol
 * steps). Kept so that importers of `ale/connection` (tests, bench) need not change.
 */
export { AleConnection, createAleConnection, DEFAULT_CHANNEL_IDLE_MS, type AleDiagnostic, type AlePlatformName, type AleStats } from './module';
