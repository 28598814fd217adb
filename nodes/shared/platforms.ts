/**
 * The platforms the n8n nodes offer, one entry each, read from the platform table (shared/platforms/catalog.ts):
 * adding a platform adds its descriptor there and its credential type under `credentials/`.
 */
import '../../shared/platforms'; // registers the platform connection factories this build has
import { registeredPlatforms } from '../../shared/connection/registry';
import type { Platform } from '../../shared/model/events';
import { PLATFORM_CATALOG } from '../../shared/platforms/catalog';

export interface PlatformEntry {
  platform: Platform;
  /** Shown in the Platform dropdown. */
  displayName: string;
  description: string;
  /** The n8n credential type holding this platform's settings. */
  credentialType: string;
}

const ALL_PLATFORMS: readonly PlatformEntry[] = PLATFORM_CATALOG.map(({ name, displayName, description, credentialType }) => ({
  platform: name,
  displayName,
  description,
  credentialType,
}));

/** Only what the running build can connect to (the core's registry), so nothing offered fails as "not available". */
export const PBX_PLATFORMS: readonly PlatformEntry[] = ALL_PLATFORMS.filter((p) => registeredPlatforms().includes(p.platform));

export const DEFAULT_PLATFORM: Platform = 'opentouch';

export function platformEntry(platform: string): PlatformEntry | undefined {
  return PBX_PLATFORMS.find((p) => p.platform === platform);
}

export function platformOfCredentialType(type: string): PlatformEntry | undefined {
  return PBX_PLATFORMS.find((p) => p.credentialType === type);
}
