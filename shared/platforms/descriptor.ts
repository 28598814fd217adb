/**
 * What a platform tells the hosts (n8n, Node-RED, the CLI) and the core's lists about itself, without loading its
 * driver or its libraries: n8n loads every community node at start, so a descriptor is data plus lazy loaders.
 * Each platform folder exports one from its `descriptor.ts`; `catalog.ts` lists them.
 */
import type { SettingHost, SettingSpec } from '../connection/settings';
import type { ConnectionConfig, PbxConnection } from '../connection/types';
import type { PbxEvent } from '../model/events';

export interface PlatformSettings {
  specs: readonly SettingSpec[];
  /** The platform's checked reading (schema plus its rules across fields); throws PbxError naming the field. */
  read(raw: Record<string, unknown>, host: SettingHost): Record<string, unknown>;
}

export interface ReplayPipeline {
  push(line: string): PbxEvent[];
  end?(): PbxEvent[];
}

export interface PlatformDescriptor<N extends string = string> {
  /** The platform name (`--platform`, the n8n/Node-RED option value, `PbxEvent.platform`). */
  name: N;
  /** Shown in the n8n Platform dropdown. */
  displayName: string;
  /** The n8n dropdown's description. */
  description: string;
  /** The section title in generated help (platforms sharing one schema share one title). */
  helpTitle: string;
  /** Node-RED: the Platform option's label, and the name in the connection help's first line. */
  nodeRed: { label: string; helpName: string };
  /** The n8n credential type holding this platform's settings. */
  credentialType: string;
  /** URL schemes the server URL takes, in the order hints offer them. */
  urlSchemes: readonly string[];
  /** The per-user call id is the call-wide one (follow-up correlation). */
  idIsCallWide: boolean;
  /** Node-RED: the users to monitor are device numbers (the "devices" field), not user logins. */
  usersAreDevices: boolean;
  /**
   * `pbxflow replay --platform <name>`: the ALE reader built into the CLI (OpenTouch, O2G: the CLI knows their
   * flags and operations itself), or the platform's own line pipeline: `replayPipeline` when the descriptor has it,
   * else `cli/platforms/<name>.ts`.
   */
  replay: 'ale' | 'module';
  /** One line of a capture in, events out; `end()` flushes what a last, unterminated record holds. Loaded on use. */
  replayPipeline?(): ReplayPipeline;
  /** `pbxflow replay --help`: what a capture of this platform looks like, when lines alone do not say it. */
  replayFormat?: string;
  /** CLI `--platform <name> --help`: a synopsis above the schema's settings (flags the schema does not spell). */
  cliSynopsis?: readonly string[];
  /** The settings schema (a light module: no driver, no socket library). */
  settings(): PlatformSettings;
  /** The connection, loaded on first use. */
  create(config: ConnectionConfig): PbxConnection;
}
