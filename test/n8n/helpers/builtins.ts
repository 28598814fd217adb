/**
 * Stand-ins for the n8n-nodes-base nodes the example workflows use (n8n-nodes-base is not a dependency). Each
 * reads the same parameters as the real node, through the real engine (so expressions are resolved by n8n), and
 * does the same thing in the narrow way the examples need:
 * - HTTP Request (v4): method, url, body parameters (key/value, JSON) or a JSON body, sent with n8n's own
 *   `helpers.httpRequest`; outputs the response body.
 * - Respond to Webhook: records what it would answer (`respondWith`, `responseBody`), passes its input on.
 * - Code (v2, run once for all items): runs `jsCode` with `$input` and `items` in a fresh VM context.
 */
import { runInNewContext } from 'node:vm';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

type Property = INodeType['description']['properties'][number];
const prop = (name: string, type: string, dflt: unknown, extra: IDataObject = {}): Property =>
  ({ displayName: name, name, type, default: dflt, ...extra }) as unknown as Property;

/** The parameters the examples use, declared so that the engine keeps them (it drops undeclared ones). */
const PROPERTIES: Record<string, Property[]> = {
  httpRequest: [
    prop('method', 'string', 'GET'),
    prop('url', 'string', ''),
    prop('sendBody', 'boolean', false),
    prop('specifyBody', 'string', 'keypair'),
    prop('bodyParameters', 'fixedCollection', {}, {
      typeOptions: { multipleValues: true },
      options: [{ name: 'parameters', displayName: 'Parameter', values: [prop('name', 'string', ''), prop('value', 'string', '')] }],
    }),
    prop('jsonBody', 'string', ''),
    prop('options', 'json', {}),
  ],
  respondToWebhook: [prop('respondWith', 'string', 'firstIncomingItem'), prop('responseBody', 'string', ''), prop('options', 'json', {})],
  code: [prop('mode', 'string', 'runOnceForAllItems'), prop('jsCode', 'string', '')],
};

const describe = (name: string, displayName: string): INodeType['description'] =>
  ({
    displayName,
    name,
    group: ['transform'],
    version: [1, 1.1, 2, 3, 4, 4.1, 4.2],
    description: `Test stand-in for n8n's ${displayName} node`,
    defaults: { name: displayName },
    inputs: ['main'],
    outputs: ['main'],
    properties: PROPERTIES[name],
  }) as unknown as INodeType['description'];

export class HttpRequestStandIn implements INodeType {
  description = describe('httpRequest', 'HTTP Request');

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const out: INodeExecutionData[] = [];
    const items = this.getInputData();
    for (let i = 0; i < items.length; i++) {
      const method = this.getNodeParameter('method', i, 'GET') as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      const url = this.getNodeParameter('url', i) as string;
      let body: IDataObject | undefined;
      if (this.getNodeParameter('sendBody', i, false) === true) {
        if (this.getNodeParameter('specifyBody', i, 'keypair') === 'json') {
          const raw = this.getNodeParameter('jsonBody', i, '{}') as string | IDataObject;
          body = typeof raw === 'string' ? (JSON.parse(raw) as IDataObject) : raw;
        } else {
          const params = this.getNodeParameter('bodyParameters.parameters', i, []) as Array<{ name: string; value: IDataObject[string] }>;
          body = Object.fromEntries(params.map((p) => [p.name, p.value]));
        }
      }
      const response = (await this.helpers.httpRequest({ method, url, body, json: true })) as IDataObject;
      out.push({ json: response ?? {}, pairedItem: { item: i } });
    }
    return [out];
  }
}

export interface WebhookResponse {
  respondWith: string;
  body: unknown;
}

export class RespondToWebhookStandIn implements INodeType {
  description = describe('respondToWebhook', 'Respond to Webhook');

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    const respondWith = this.getNodeParameter('respondWith', 0, 'firstIncomingItem') as string;
    let body: unknown;
    if (respondWith === 'json') {
      const raw = this.getNodeParameter('responseBody', 0) as unknown;
      body = typeof raw === 'string' ? JSON.parse(raw) : raw;
    } else if (respondWith === 'allIncomingItems') {
      body = items.map((it) => it.json);
    } else {
      body = items[0]?.json;
    }
    // n8n's node responds once (first item's parameters) and passes its input on.
    respondToWebhookResponses.push({ respondWith, body });
    return [items];
  }
}

/** What the Respond to Webhook stand-ins answered, in order. */
export const respondToWebhookResponses: WebhookResponse[] = [];

export class CodeStandIn implements INodeType {
  description = describe('code', 'Code');

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    const code = this.getNodeParameter('jsCode', 0) as string;
    const $input = { all: () => items, first: () => items[0], last: () => items[items.length - 1] };
    const result = (await runInNewContext(`(async () => {\n${code}\n})()`, { $input, items })) as INodeExecutionData[];
    // The VM's objects come from another realm: copy them into plain objects of this one.
    const plain = JSON.parse(JSON.stringify(result)) as INodeExecutionData[];
    return [plain.map((r) => ({ json: r.json, pairedItem: items.map((_, item) => ({ item })) }))];
  }
}
