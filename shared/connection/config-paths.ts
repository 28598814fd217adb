/**
 * Moved into settings.ts (the schema and where each setting sits in a ConnectionConfig are one subject); this file
 * stays only while shared/platforms/ale/settings.ts, owned by the ALE port, still imports it from here.
 */
export { configPath, labelledByConfigPath } from './settings';
