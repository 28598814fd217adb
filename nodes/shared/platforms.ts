/**
 * The platforms the n8n nodes offer, one entry each. Adding a platform (TelServer, Voicenter) is additive:
 * a credential type under `credentials/`, its mapping in `connection-config.ts`, and one entry here.
 */
import '../../shared/platforms'; // registers the platform connection factories this build has
import { registeredPlatforms } from '../../shared/connection/registry';
import type { Platform } from '../../shared/model/events';

export interface PlatformEntry {
  platform: Platform;
  /** Shown in the Platform dropdown. */
  displayName: string;
  description: string;
  /** The n8n credential type holding this platform's settings. */
  credentialType: string;
}

const ALL_PLATFORMS: readonly PlatformEntry[] = [
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
  {
    platform: 'telservices',
    displayName: 'TelServer (TelServices)',
    description: 'uniGone TelServer through its TelServices XML interface (TCP or HTTP, events over UDP)',
    credentialType: 'pbxTelServicesApi',
  },
  {
    platform: 'voicenter',
    displayName: 'Voicenter',
    description: 'Voicenter cloud PBX: real-time call, agent and queue events (its Real Time API has no call control)',
    credentialType: 'pbxVoicenterApi',
  },
  {
    platform: 'asterisk',
    displayName: 'Asterisk / FreePBX (AMI)',
    description: 'Asterisk or FreePBX through the Asterisk Manager Interface (TCP 5038 or TLS 5039)',
    credentialType: 'pbxAsteriskApi',
  },
];

/** Only what the running build can connect to (the core's registry), so nothing offered fails as "not available". */
export const PBX_PLATFORMS: readonly PlatformEntry[] = ALL_PLATFORMS.filter((p) => registeredPlatforms().includes(p.platform));

export const DEFAULT_PLATFORM: Platform = 'opentouch';

export function platformEntry(platform: string): PlatformEntry | undefined {
  return PBX_PLATFORMS.find((p) => p.platform === platform);
}

export function platformOfCredentialType(type: string): PlatformEntry | undefined {
  return PBX_PLATFORMS.find((p) => p.credentialType === type);
}
