/**
 * Every platform's settings schema by platform name: what the hosts (n8n credentials, the Node-RED connection, the
 * CLI flags) read their fields, labels and checks from. Schemas only: nothing here loads a driver or a socket library.
 */
import type { SettingHost, SettingSpec } from '../connection/settings';
import type { Platform } from '../model/events';
import * as ale from './ale/settings';
import * as asterisk from './asterisk/settings';
import * as telservices from './telservices/settings';
import * as voicenter from './voicenter/settings';

export interface PlatformSettings {
  specs: readonly SettingSpec[];
  /** The platform's checked reading (schema plus its rules across fields); throws PbxError naming the field. */
  read(raw: Record<string, unknown>, host: SettingHost): Record<string, unknown>;
}

export const PLATFORM_SETTINGS: Partial<Record<Platform, PlatformSettings>> = {
  opentouch: { specs: ale.ALE_SETTINGS, read: ale.aleSettings },
  o2g: { specs: ale.ALE_SETTINGS, read: ale.aleSettings },
  telservices: { specs: telservices.TELSERVICES_SETTINGS, read: telservices.telServicesSettings },
  voicenter: { specs: voicenter.VOICENTER_SETTINGS, read: voicenter.voicenterSettings },
  asterisk: { specs: asterisk.ASTERISK_SETTINGS, read: asterisk.asteriskSettings },
};

/** The label of setting `key` as `host` shows it (the key itself when the platform has no such setting). */
export function settingLabel(platform: Platform, key: string, host: SettingHost): string {
  return PLATFORM_SETTINGS[platform]?.specs.find((s) => s.key === key)?.label[host] ?? key;
}
