/**
 * Runs workflows on the real n8n engine (n8n-core's WorkflowExecute, TriggersAndPollers, TriggerContext),
 * with our node classes registered as node types and credentials served by a minimal credentials helper.
 */
import './env';
import { Container } from '@n8n/di';
import { ExecutionLifecycleHooks, TriggerContext, TriggersAndPollers, WorkflowExecute } from 'n8n-core';
import {
  ICredentialsHelper,
  Workflow,
  type ICredentialDataDecryptedObject,
  type IConnections,
  type IDataObject,
  type IExecuteFunctions,
  type INode,
  type INodeExecutionData,
  type INodeType,
  type INodeTypes,
  type IRun,
  type ITriggerFunctions,
  type ITriggerResponse,
  type IWorkflowBase,
  type IWorkflowExecuteAdditionalData,
  type WorkflowExecuteMode,
} from 'n8n-workflow';
import { Pbx } from '../../../nodes/Pbx/Pbx.node';
import { PbxTrigger } from '../../../nodes/PbxTrigger/PbxTrigger.node';

export const PKG = '@pbxflow/n8n-nodes-pbx';

/** n8n-nodes-base's Manual Trigger, verbatim in behaviour (n8n-nodes-base is not a dependency). */
class ManualTrigger implements INodeType {
  description = {
    displayName: 'Manual Trigger',
    name: 'manualTrigger',
    group: ['trigger'],
    version: 1,
    description: 'Runs the flow on clicking a button in n8n',
    defaults: { name: "When clicking 'Execute workflow'" },
    inputs: [],
    outputs: ['main'],
    properties: [],
  } as unknown as INodeType['description'];

  async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
    const manualTriggerFunction = async () => {
      this.emit([this.helpers.returnJsonArray([{}])]);
    };
    return { manualTriggerFunction };
  }
}

/**
 * Stands in for n8n's Google Calendar / Outlook node in tests: outputs the items in its `items` parameter
 * (what those nodes output: one item per event), like a node with pinned data.
 */
class CalendarFixture implements INodeType {
  description = {
    displayName: 'Calendar Fixture',
    name: 'calendarFixture',
    group: ['input'],
    version: 1,
    description: 'Outputs fixed calendar items',
    defaults: { name: 'Calendar' },
    inputs: ['main'],
    outputs: ['main'],
    properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
  } as unknown as INodeType['description'];

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
    const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
    return [items.map((json) => ({ json, pairedItem: { item: 0 } }))];
  }
}

const TYPES: Record<string, INodeType> = {
  'n8n-nodes-base.manualTrigger': new ManualTrigger(),
  'test.calendarFixture': new CalendarFixture(),
  [`${PKG}.pbx`]: new Pbx(),
  [`${PKG}.pbxTrigger`]: new PbxTrigger(),
};

/** Adds a node type for the tests of one file (e.g. stand-ins for n8n-nodes-base nodes). */
export function registerNodeType(type: string, node: INodeType): void {
  TYPES[type] = node;
}

export const nodeTypes: INodeTypes = {
  getByName: (type) => must(type),
  getByNameAndVersion: (type) => must(type),
  getKnownTypes: () => ({}),
};

function must(type: string): INodeType {
  const t = TYPES[type];
  if (!t) throw new Error(`Unknown node type ${type}`);
  return t;
}

/** Serves credentials by type from a map (what n8n's CredentialsHelper does after decryption). */
class TestCredentialsHelper extends ICredentialsHelper {
  constructor(private readonly byType: Record<string, ICredentialDataDecryptedObject>) {
    super();
  }
  getParentTypes(): string[] { return []; }
  isCredentialUsableByNode(): boolean { return true; }
  async authenticate(_c: unknown, _t: string, requestOptions: never): Promise<never> { return requestOptions; }
  async preAuthentication(): Promise<undefined> { return undefined; }
  async runPreAuthentication(): Promise<undefined> { return undefined; }
  async getCredentials(): Promise<never> { throw new Error('not used'); }
  async getDecrypted(_a: unknown, _n: unknown, type: string): Promise<ICredentialDataDecryptedObject> {
    const data = this.byType[type];
    if (!data) throw new Error(`No test credential of type ${type}`);
    return { ...data };
  }
  async updateCredentials(): Promise<void> {}
  async updateCredentialsOauthTokenData(): Promise<void> {}
  getCredentialsProperties(): [] { return []; }
}

const URLS = {
  restApiUrl: 'http://localhost:5678/rest',
  instanceBaseUrl: 'http://localhost:5678/',
  formBaseUrl: 'http://localhost:5678/form',
  formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
  formTestBaseUrl: 'http://localhost:5678/form-test',
  webhookBaseUrl: 'http://localhost:5678/webhook',
  webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
  webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
  mcpBaseUrl: 'http://localhost:5678/mcp',
  mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
};

let executions = 0;

export function additionalData(
  credentials: Record<string, ICredentialDataDecryptedObject>,
  workflowData: IWorkflowBase,
  mode: WorkflowExecuteMode,
): IWorkflowExecuteAdditionalData {
  const executionId = String(++executions);
  return {
    ...URLS,
    credentialsHelper: new TestCredentialsHelper(credentials),
    hooks: new ExecutionLifecycleHooks(mode, executionId, workflowData),
    executionId,
    currentNodeExecutionIndex: 0,
    variables: {},
    executeWorkflow: async () => { throw new Error('not used'); },
    getRunExecutionData: async () => undefined,
    getRuntimeCredential: async () => undefined,
    logAiEvent: async () => {},
    startRunnerTask: async () => { throw new Error('not used'); },
  } as unknown as IWorkflowExecuteAdditionalData;
}

export interface TestWorkflow {
  workflow: Workflow;
  data: IWorkflowBase;
}

export function makeWorkflow(nodes: INode[], connections: IConnections, staticData: IDataObject = {}): TestWorkflow {
  const data: IWorkflowBase = {
    id: 'wf-pbx-test',
    name: 'PBX test',
    active: false,
    activeVersionId: null,
    isArchived: false,
    nodes,
    connections,
    settings: { executionOrder: 'v1' },
    createdAt: new Date(),
    updatedAt: new Date(),
  } as unknown as IWorkflowBase;
  const workflow = new Workflow({
    id: data.id, name: data.name, nodes, connections, active: false, nodeTypes, staticData, settings: data.settings,
  });
  return { workflow, data };
}

/** `a -> b -> c` main connections. */
export function chain(...names: string[]): IConnections {
  const out: IConnections = {};
  for (let i = 0; i < names.length - 1; i++) out[names[i]!] = { main: [[{ node: names[i + 1]!, type: 'main', index: 0 }]] };
  return out;
}

export async function runManual(tw: TestWorkflow, startNode: string, credentials: Record<string, ICredentialDataDecryptedObject>): Promise<IRun> {
  const ad = additionalData(credentials, tw.data, 'manual');
  const start = tw.workflow.getNode(startNode)!;
  return await new WorkflowExecute(ad, 'manual').run({ workflow: tw.workflow, startNode: start });
}

/** Output items of a node in a finished run (first run, first output). */
export function output(run: IRun, node: string): INodeExecutionData[] {
  return run.data.resultData.runData[node]?.[0]?.data?.main?.[0] ?? [];
}

/** Activates a trigger node through n8n-core's TriggersAndPollers, capturing what it emits. */
export async function activateTrigger(
  tw: TestWorkflow,
  nodeName: string,
  credentials: Record<string, ICredentialDataDecryptedObject>,
  mode: 'trigger' | 'manual' = 'trigger',
): Promise<{
  response: ITriggerResponse | undefined;
  emitted: INodeExecutionData[][][];
  errors: Error[];
  failures: Error[];
}> {
  const emitted: INodeExecutionData[][][] = [];
  const errors: Error[] = [];
  const failures: Error[] = [];
  const ad = additionalData(credentials, tw.data, mode);
  const node = tw.workflow.getNode(nodeName)!;
  const response = await Container.get(TriggersAndPollers).runTriggerFunction(
    tw.workflow,
    node,
    (workflow, n, additional, m, activation) =>
      new TriggerContext(workflow, n, additional, m, activation, (data) => void emitted.push(data), (e) => void errors.push(e), (e) => void failures.push(e)),
    ad,
    mode,
    'activate',
  );
  return { response, emitted, errors, failures };
}
