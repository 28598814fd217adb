/**
 * Credential field labels as the n8n credential form shows them, read from the platforms' settings schemas (the
 * forms are built from them: credentials/shared/common.ts), so an error names "Monitored Users" exactly when the
 * form says "Monitored Users". Every platform of the catalogue alike.
 */
import { fieldName } from '../../shared/connection/settings';
import { PLATFORM_SETTINGS } from '../../shared/platforms/settings';
import type { Platform } from '../../shared/model/events';
import { platformOfCredentialType } from './platforms';

/** The label of `field` (the name the credential stores it under) on `platform`'s credential form. */
export function settingFieldLabel(platform: Platform, field: string): string | undefined {
  return PLATFORM_SETTINGS[platform]?.specs.find((s) => fieldName(s, 'n8n') === field)?.label.n8n;
}

/** The label of `field` in credential type `type` (its schema's n8n label; the first wording when the form has several). */
export function credentialFieldLabel(type: string, field: string): string | undefined {
  const platform = platformOfCredentialType(type)?.platform;
  return platform ? settingFieldLabel(platform, field) : undefined;
}
