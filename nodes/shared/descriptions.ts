/**
 * n8n parameter descriptions built from data: the platform list and the core's operation catalogue
 * (the same catalogue the Node-RED nodes render), so the two hosts never drift.
 */
import type { INodeCredentialDescription, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { OPERATIONS, RESOURCES, type FieldSpec, type OperationSpec, type Resource } from '../../shared/operations/catalogue';
import type { Platform } from '../../shared/model/events';
import { DEFAULT_PLATFORM, PBX_PLATFORMS } from './platforms';
import { N8N_ACTIONS, shortPlatformName } from './wording';
import { deviceLocator } from './pickers';

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

interface OperationChoice extends INodePropertyOptions {
  platforms: Platform[];
}

/** Every operation of a resource, each with the platforms that have it (the union over platforms, listed once). */
function operationChoices(resource: Resource, extras: ExtraOperation[]): OperationChoice[] {
  const offered = PBX_PLATFORMS.map((p) => p.platform);
  const ops: OperationChoice[] = catalogue
    .filter((o) => o.resource === resource)
    .map((o) => ({ name: o.displayName, value: o.name, action: N8N_ACTIONS[o.name] ?? o.action, description: o.description, platforms: o.platforms.filter((p) => offered.includes(p)) }));
  for (const e of extras) {
    if (e.resource !== resource) continue;
    ops.push({ name: e.displayName, value: e.name, action: e.action, description: e.description, platforms: offered.filter((p) => supportedBy(p, e)) });
  }
  return ops
    .filter((o) => o.platforms.length > 0)
    .map((o) => ({ ...o, description: withAvailability(o.description ?? '', o.platforms) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Platforms that have at least one action (Voicenter has events only). */
const actionPlatforms = (): Platform[] => PBX_PLATFORMS.map((p) => p.platform).filter((p) => catalogue.some((o) => o.platforms.includes(p)));

/**
 * n8n's panel lists every action before a platform is chosen: an action some platforms lack says where it works,
 * so the panel does not promise it everywhere (in the node, `displayOptions` show each platform its own).
 */
function withAvailability(description: string, platforms: Platform[]): string {
  const all = actionPlatforms();
  if (all.every((p) => platforms.includes(p))) return description;
  const names = PBX_PLATFORMS.filter((p) => platforms.includes(p.platform)).map((p) => shortPlatformName(p.platform, p.displayName));
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}` : names[0]!;
  return `${description.replace(/\.$/, '')}. ${list} only`;
}

/** Shown only for the platforms listed; no condition when every offered platform has it. */
function forPlatforms(platforms: Platform[]): Pick<INodePropertyOptions, 'displayOptions'> {
  return platforms.length === PBX_PLATFORMS.length ? {} : { displayOptions: { show: { platform: platforms } } };
}

/**
 * Resource and operation dropdowns. One `resource` and one `operation` property per resource, each operation listed
 * once (n8n builds its node-picker actions from these: a set per platform listed every action twice and hid the
 * others' actions); which platform offers what is said on each option through `displayOptions` on `platform`.
 */
export function resourceAndOperationProperties(extras: ExtraOperation[]): INodeProperties[] {
  const resources = RESOURCES.map((r) => ({ r, ops: operationChoices(r.value, extras) })).filter((x) => x.ops.length > 0);
  // Platforms whose API has no actions at all (Voicenter's Real Time API is events only): say so plainly instead
  // of showing empty dropdowns.
  const withActions = new Set(resources.flatMap(({ ops }) => ops.flatMap((o) => o.platforms)));
  const eventsOnly = PBX_PLATFORMS.filter((p) => !withActions.has(p.platform));
  const hideEventsOnly = eventsOnly.length ? { hide: { platform: eventsOnly.map((p) => p.platform) } } : undefined;
  const props: INodeProperties[] = eventsOnly.map((p) => ({
    displayName: `${p.displayName} has no actions: its API gives events only. Use the PBX Trigger to start workflows from its calls and queues.`,
    name: `noActions_${p.platform}`,
    type: 'notice',
    default: '',
    displayOptions: { show: { platform: [p.platform] } },
  }));
  props.push({
    displayName: 'Resource',
    name: 'resource',
    type: 'options',
    noDataExpression: true,
    default: 'call',
    options: resources.map(({ r, ops }) => ({ name: r.name, value: r.value, ...forPlatforms([...new Set(ops.flatMap((o) => o.platforms))]) })),
    ...(hideEventsOnly ? { displayOptions: hideEventsOnly } : {}),
  });
  for (const { r, ops } of resources) {
    // The default must exist on every platform that shows this resource.
    const widest = [...ops].sort((a, b) => b.platforms.length - a.platforms.length)[0]!;
    const preferred = ops.find((o) => o.value === 'makeCall' && o.platforms.length === widest.platforms.length);
    props.push({
      displayName: 'Operation',
      name: 'operation',
      type: 'options',
      noDataExpression: true,
      default: (preferred ?? widest).value,
      options: ops.map(({ platforms, ...o }) => ({ ...o, ...forPlatforms(platforms) })),
      displayOptions: { show: { resource: [r.value] }, ...hideEventsOnly },
    });
  }
  return props;
}

/** n8n's list convention: "Return All", and "Limit" only when not returning all. */
export const RETURN_ALL = 'returnAll';

function fieldProperty(spec: OperationSpec, f: FieldSpec): INodeProperties {
  const show = { resource: [spec.resource], operation: [spec.name] };
  const listed = f.name === 'recordIds';
  const type = f.name === 'since' ? 'dateTime' : f.type;
  const fallback = f.type === 'number' ? 0 : f.type === 'boolean' ? false : f.type === 'json' ? '{}' : (f.options?.[0]?.value ?? '');
  const prop: INodeProperties = {
    displayName: f.displayName,
    name: f.name,
    type,
    default: listed ? [] : (f.default ?? fallback),
    required: f.required ?? false,
    // Written by hand in the catalogue (booleans start with "Whether"): generated prefixes read badly.
    description: listed ? 'The records to acknowledge, one ID per entry (IDs from Get Many Call Log Records)' : f.description,
    displayOptions: { show: { ...show, ...SHOW_WHEN[`${spec.name}.${f.name}`] } },
  };
  if (listed) prop.typeOptions = { multipleValues: true, multipleValueButtonText: 'Add Record ID' };
  // The user's phones, from the PBX (or typed).
  if (f.name === 'deviceId') return deviceLocator({ ...prop, description: f.description ?? "The user's device; empty for the default one" });
  // An expression as a placeholder looks like a value already filled in: say it in a hint instead.
  if (f.placeholder && /^=|\{\{/.test(f.placeholder)) prop.hint = `After a PBX Trigger, use the expression ${f.placeholder.replace(/^=/, '')}`;
  else if (f.placeholder) prop.placeholder = f.placeholder;
  if (f.options) prop.options = f.options.map((o) => ({ ...o }));
  if (f.type === 'number' && f.name === 'limit') {
    prop.typeOptions = { minValue: 1 };
    prop.description = 'Max number of results to return';
    prop.displayOptions = { show: { ...show, [RETURN_ALL]: [false] } };
  }
  return prop;
}

/** Fields that only make sense for some values of another field of the same operation. */
const SHOW_WHEN: Record<string, Record<string, string[]>> = {
  'setForward.number': { target: ['number'] },
  'setOverflow.number': { target: ['number'] },
  'setAgentState.group': { state: ['logon'] },
};

function returnAllProperty(spec: OperationSpec): INodeProperties {
  return {
    displayName: 'Return All',
    name: RETURN_ALL,
    type: 'boolean',
    default: false,
    description: 'Whether to return all results or only up to a given limit',
    displayOptions: { show: { resource: [spec.resource], operation: [spec.name] } },
  };
}

/** The input fields of every catalogue operation, shown for that operation. */
export function catalogueFieldProperties(): INodeProperties[] {
  return catalogue.flatMap((spec) => [
    ...(spec.fields.some((f) => f.name === 'limit') ? [returnAllProperty(spec)] : []),
    ...spec.fields.map((f) => fieldProperty(spec, f)),
  ]);
}
