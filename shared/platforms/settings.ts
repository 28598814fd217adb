/**
 * Every platform's settings schema by platform name: what the hosts (n8n credentials, the Node-RED connection, the
 * CLI flags) read their fields, labels and checks from. Schemas only: nothing here loads a driver or a socket library.
 */
import type { SettingHost } from '../connection/settings';
import type { Platform } from '../model/events';
import { PLATFORM_CATALOG } from './catalog';
import type { PlatformSettings } from './descriptor';

export type { PlatformSettings };

/** Platforms sharing one settings module (OpenTouch and O2G) share one entry object. */
const byModule = new Map<PlatformSettings['read'], PlatformSettings>();
export const PLATFORM_SETTINGS: Partial<Record<Platform, PlatformSettings>> = Object.fromEntries(
  PLATFORM_CATALOG.map((d) => {
    const s = d.settings();
    const shared = byModule.get(s.read) ?? s;
    byModule.set(s.read, shared);
    return [d.name, shared];
  }),
);

/** The label of setting `key` as `host` shows it (the key itself when the platform has no such setting). */
export function settingLabel(platform: Platform, key: string, host: SettingHost): string {
  return PLATFORM_SETTINGS[platform]?.specs.find((s) => s.key === key)?.label[host] ?? key;
}
