import {
  NodeConnectionTypes,
  NodeOperationError,
  type IDataObject,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodePropertyOptions,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import type { PbxConnection } from '../../shared/connection/types';
import type { Platform } from '../../shared/model/events';
import { operationSpec, type OperationName, type OperationSpec } from '../../shared/operations/catalogue';
import { leaseForNode, testPbxCredential } from '../shared/connection';
import {
  CREDENTIAL_TEST,
  RETURN_ALL,
  catalogueFieldProperties,
  platformCredentials,
  platformProperty,
  resourceAndOperationProperties,
} from '../shared/descriptions';
import { errorCode, toNodeError } from '../shared/errors';
import { platformEntry, type PlatformEntry } from '../shared/platforms';
import { PANEL_DESCRIPTION, subtitleExpression } from '../shared/wording';
import { SEARCH_DEVICES, SEARCH_USERS, pickedValue, searchDevices, searchUsers, userLocator } from '../shared/pickers';
import { CALENDAR_SYNC, calendarSyncOperation, runCalendarSync } from './calendarSync';

const EXTRAS = [calendarSyncOperation];
const OPERATION_PROPERTIES = resourceAndOperationProperties(EXTRAS);
/** Operation value -> its action name, for the canvas subtitle ("Make a call", not "makeCall: call"). */
const ACTION_NAMES: Record<string, string> = Object.fromEntries(
  OPERATION_PROPERTIES.filter((p) => p.name === 'operation')
    .flatMap((p) => (p.options ?? []) as INodePropertyOptions[])
    .map((o) => [String(o.value), o.action ?? o.name]),
);

export class Pbx implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'PBX',
    name: 'pbx',
    icon: { light: 'file:pbx.svg', dark: 'file:pbx.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: subtitleExpression('operation', ACTION_NAMES),
    description: PANEL_DESCRIPTION,
    defaults: { name: 'PBX' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: platformCredentials,
    properties: [
      platformProperty,
      ...OPERATION_PROPERTIES,
      ...catalogueFieldProperties(),
      ...EXTRAS.flatMap((e) => e.properties),
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          userLocator({
            displayName: 'Act for User',
            name: 'user',
            description:
              "Required with an administrator credential: the monitored user whose phone, forwards or call log the action uses. With a user credential, leave it empty to act as the credential's own login.",
          }),
        ],
      },
    ],
  };

  methods = {
    credentialTest: { [CREDENTIAL_TEST]: testPbxCredential },
    listSearch: { [SEARCH_USERS]: searchUsers, [SEARCH_DEVICES]: searchDevices },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    const node = this.getNode();
    const platform = this.getNodeParameter('platform', 0) as Platform;
    const resource = this.getNodeParameter('resource', 0) as string;
    const operation = this.getNodeParameter('operation', 0) as string;
    const entry = platformEntry(platform);
    if (!entry) throw new NodeOperationError(node, `Unknown platform "${platform}"`, { description: 'Pick a platform in the node' });
    // Refuse what the platform lacks before logging in (the UI only offers supported operations, but
    // expressions, copied workflows and AI agents can still ask for anything).
    const spec = checkOperation(this, entry, resource, operation);

    const credential = await this.getCredentials(entry.credentialType);
    const url = typeof credential.url === 'string' ? credential.url : undefined;
    const lease = leaseForNode(node, platform, credential);
    const out: INodeExecutionData[] = [];
    try {
      try {
        await lease.connection.ready();
      } catch (error) {
        if (!this.continueOnFail()) throw toNodeError(node, error, undefined, url);
        return [items.map((_, i) => errorItem(error, i))];
      }

      if (operation === CALENDAR_SYNC) {
        const user = userOption(this, 0);
        const key = `calendarSync:${platform}:${String(credential.url ?? '')}:${user ?? String(credential.login ?? '')}`;
        try {
          out.push(...(await runCalendarSync.call(this, lease.connection, key, user)));
        } catch (error) {
          if (!this.continueOnFail()) throw toNodeError(node, error, 0);
          out.push({ ...errorItem(error, 0), pairedItem: items.map((_, item) => ({ item })) });
        }
        return [out];
      }

      for (let i = 0; i < items.length; i++) {
        try {
          out.push(...(await runOperation(this, lease.connection, spec!, i)));
        } catch (error) {
          if (!this.continueOnFail()) throw toNodeError(node, error, i, url);
          out.push(errorItem(error, i));
        }
      }
      return [out];
    } finally {
      await lease.release();
    }
  }
}

function checkOperation(ctx: IExecuteFunctions, entry: PlatformEntry, resource: string, operation: string): OperationSpec | undefined {
  const node = ctx.getNode();
  const fix = { description: `Pick one of the operations offered for ${entry.displayName} in the node` };
  if (operation === CALENDAR_SYNC) {
    const missing = calendarSyncOperation.requires.filter((o) => !operationSpec(o)?.platforms.includes(entry.platform));
    if (missing.length) throw new NodeOperationError(node, `${entry.displayName} cannot sync forwards with a calendar`, fix);
    return undefined;
  }
  const spec = operationSpec(operation);
  if (!spec || spec.resource !== resource) {
    throw new NodeOperationError(node, `The operation "${operation}" does not exist for resource "${resource}"`, fix);
  }
  if (!spec.platforms.includes(entry.platform)) {
    throw new NodeOperationError(node, `${entry.displayName} does not support "${spec.displayName}"`, fix);
  }
  return spec;
}

function userOption(ctx: IExecuteFunctions, i: number): string | undefined {
  const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
  return pickedValue(options.user) || undefined;
}

async function runOperation(ctx: IExecuteFunctions, connection: PbxConnection, spec: OperationSpec, i: number): Promise<INodeExecutionData[]> {
  if (!connection.supports(spec.name)) {
    throw new NodeOperationError(ctx.getNode(), `This PBX does not support "${spec.displayName}"`, {
      itemIndex: i,
      description: 'Pick another operation; the server did not announce this service',
    });
  }
  const input: Record<string, unknown> = {};
  // Pickers hold { mode, value }: n8n extracts the value (a plain string from older workflows passes unchanged).
  for (const f of spec.fields) input[f.name] = ctx.getNodeParameter(f.name, i, f.default, { extractValue: true });
  // Return All: no limit where the PBX allows it (0 = none), else the most it gives in one search.
  if (spec.fields.some((f) => f.name === 'limit') && ctx.getNodeParameter(RETURN_ALL, i, false) === true) {
    input.limit = spec.name === 'searchDirectory' ? 100 : 0;
  }
  if (Array.isArray(input.recordIds)) input.recordIds = input.recordIds.map(String).join(',');
  const user = userOption(ctx, i);
  // Make Call answers with the new call in the normalized model (the core looks it up), like List Calls.
  const result = await connection.execute(spec.name as OperationName, input, user ? { user } : {});
  return ctx.helpers.constructExecutionMetaData(ctx.helpers.returnJsonArray(toJson(result)), { itemData: { item: i } });
}

function toJson(result: unknown): IDataObject | IDataObject[] {
  if (result === undefined || result === null) return { success: true };
  if (Array.isArray(result)) return result.map((r) => (r && typeof r === 'object' ? (r as IDataObject) : { value: r as string }));
  if (typeof result === 'object') return result as IDataObject;
  return { value: result as string };
}

function errorItem(error: unknown, item: number): INodeExecutionData {
  const message = error instanceof Error ? error.message : String(error);
  // Only `error`, `message` and `details` keys: n8n routes an item to the node's error output only when it has no others.
  const json: IDataObject = { error: message };
  const code = errorCode(error);
  if (code) json.details = { code };
  return { json, pairedItem: { item } };
}
