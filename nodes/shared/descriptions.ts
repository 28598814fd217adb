/**
 * n8n parameter descriptions built from data: the platform list and the core's operation catalogue
 * (the same catalogue the Node-RED nodes render), so the two hosts never drift.
 */
import type { INodeCredentialDescription, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { OPERATIONS, RESOURCES, type FieldSpec, type OperationSpec, type Resource } from '../../shared/operations/catalogue';
import type { Platform } from '../../shared/model/events';
import { DEFAULT_PLATFORM, PBX_PLATFORMS } from './platforms';

/** Credential test method name registered by both nodes. */
export const CREDENTIAL_TEST = 'pbxConnectionTest';

export const platformProperty: INodeProperties = {
  displayName: 'Platform',
  name: 'platform',
  type: 'options',
  noDataExpression: true,
  default: DEFAULT_PLATFORM,
  options: PBX_PLATFORMS.map((p) => ({ name: p.displayName, value: p.platform, description: p.description })),
  description: 'The phone system to connect to; each platform has its own credential type',
};

/** One credential per platform, shown only for that platform (one credential at a time). */
export const platformCredentials: INodeCredentialDescription[] = PBX_PLATFORMS.map((p) => ({
  name: p.credentialType,
  required: true,
  testedBy: CREDENTIAL_TEST,
  displayOptions: { show: { platform: [p.platform] } },
}));

const catalogue = OPERATIONS as unknown as readonly OperationSpec[];

/** Operations the node adds on top of the catalogue (composites of catalogue operations). */
export interface ExtraOperation {
  resource: Resource;
  name: string;
  displayName: string;
  action: string;
  description: string;
  /** Available where all these catalogue operations are. */
  requires: string[];
  properties: INodeProperties[];
}

function supportedBy(platform: Platform, extra: ExtraOperation): boolean {
  return extra.requires.every((name) => catalogue.some((o) => o.name === name && o.platforms.includes(platform)));
}

function operationOptions(platform: Platform, resource: Resource, extras: ExtraOperation[]): INodePropertyOptions[] {
  const ops: INodePropertyOptions[] = catalogue
    .filter((o) => o.resource === resource && o.platforms.includes(platform))
    .map((o) => ({ name: o.displayName, value: o.name, action: o.action, description: o.description }));
  for (const e of extras) {
    if (e.resource === resource && supportedBy(platform, e)) {
      ops.push({ name: e.displayName, value: e.name, action: e.action, description: e.description });
    }
  }
  return ops.sort((a, b) => a.name.localeCompare(b.name));
}

/** Resource and operation dropdowns: per platform, only what the platform offers. */
export function resourceAndOperationProperties(extras: ExtraOperation[]): INodeProperties[] {
  const props: INodeProperties[] = [];
  for (const { platform } of PBX_PLATFORMS) {
    const resources = RESOURCES.filter((r) => operationOptions(platform, r.value, extras).length > 0);
    props.push({
      displayName: 'Resource',
      name: 'resource',
      type: 'options',
      noDataExpression: true,
      default: 'call',
      options: resources.map((r) => ({ name: r.name, value: r.value })),
      displayOptions: { show: { platform: [platform] } },
    });
    for (const r of resources) {
      const options = operationOptions(platform, r.value, extras);
      props.push({
        displayName: 'Operation',
        name: 'operation',
        type: 'options',
        noDataExpression: true,
        default: options.some((o) => o.value === 'makeCall') ? 'makeCall' : options[0]!.value,
        options,
        displayOptions: { show: { platform: [platform], resource: [r.value] } },
      });
    }
  }
  return props;
}

function fieldProperty(spec: OperationSpec, f: FieldSpec): INodeProperties {
  const type = f.type === 'json' ? 'json' : f.type;
  const fallback = f.type === 'number' ? 0 : f.type === 'boolean' ? false : f.type === 'json' ? '{}' : (f.options?.[0]?.value ?? '');
  const prop: INodeProperties = {
    displayName: f.displayName,
    name: f.name,
    type,
    default: f.default ?? fallback,
    required: f.required ?? false,
    description: f.type === 'boolean' && !/^whether/i.test(f.description) ? `Whether to ${lowerFirst(f.description)}` : f.description,
    displayOptions: { show: { resource: [spec.resource], operation: [spec.name] } },
  };
  if (f.placeholder) prop.placeholder = f.placeholder;
  if (f.options) prop.options = f.options.map((o) => ({ ...o }));
  if (f.type === 'number' && f.name === 'limit') prop.typeOptions = { minValue: 1 };
  return prop;
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** The input fields of every catalogue operation, shown for that operation. */
export function catalogueFieldProperties(): INodeProperties[] {
  return catalogue.flatMap((spec) => spec.fields.map((f) => fieldProperty(spec, f)));
}
