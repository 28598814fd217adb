/**
 * The platforms the n8n nodes offer, one entry each. Adding a platform (TelServer, Voicenter) is additive:
 * a credential type under `credentials/`, its mapping in `connection-config.ts`, and one entry here.
 */
import type { Platform } from '../../shared/model/events';

export interface PlatformEntry {
  platform: Platform;
  /** Shown in the Platform dropdown. */
  displayName: string;
  description: string;
  /** The n8n credential type holding this platform's settings. */
  credentialType: string;
}

export const PBX_PLATFORMS: readonly PlatformEntry[] = [
  {
    platform: 'opentouch',
    displayName: 'Alcatel-Lucent OpenTouch (OTBE / OTMS)',
    description: 'OpenTouch Business or Multimedia Services, through its REST API',
    credentialType: 'pbxOpenTouchApi',
  },
  {
    platform: 'o2g',
    displayName: 'Alcatel-Lucent OXE via O2G',
    description: 'OmniPCX Enterprise through the OpenTouch Gateway (O2G) REST API',
    credentialType: 'pbxO2gApi',
  },
];

export const DEFAULT_PLATFORM: Platform = 'opentouch';

export function platformEntry(platform: string): PlatformEntry | undefined {
  return PBX_PLATFORMS.find((p) => p.platform === platform);
}

export function platformOfCredentialType(type: string): PlatformEntry | undefined {
  return PBX_PLATFORMS.find((p) => p.credentialType === type);
}
