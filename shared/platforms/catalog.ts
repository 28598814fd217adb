/**
 * The one table of platforms this build ships: every host list (n8n dropdown and credentials, Node-RED options, CLI
 * flags and usage, URL schemes, the connection registry) iterates it. Adding a platform = its folder with a
 * `descriptor.ts`, and one line here. Descriptors are light: no driver, no socket library loads from here.
 */
import type { PlatformDescriptor } from './descriptor';
import { o2g, opentouch } from './ale/descriptor';
import { descriptor as telservices } from './telservices/descriptor';
import { descriptor as voicenter } from './voicenter/descriptor';
import { descriptor as asterisk } from './asterisk/descriptor';

export const PLATFORM_CATALOG = [opentouch, o2g, telservices, voicenter, asterisk] as const;

/** A platform name this build knows. */
export type PlatformName = (typeof PLATFORM_CATALOG)[number]['name'];

export const PLATFORM_NAMES: readonly PlatformName[] = PLATFORM_CATALOG.map((d) => d.name);

export function descriptorOf(name: string): PlatformDescriptor | undefined {
  return (PLATFORM_CATALOG as readonly PlatformDescriptor[]).find((d) => d.name === name);
}

/** "a, b, c or d": the platform names as usage texts list them. */
export function platformList(names: readonly string[] = PLATFORM_NAMES, last = ' or '): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')}${last}${names[names.length - 1]}`;
}
