import {
  NodeConnectionTypes,
  NodeOperationError,
  type IDataObject,
  type INodeType,
  type INodeTypeDescription,
  type ITriggerFunctions,
  type ITriggerResponse,
} from 'n8n-workflow';
import { compileFilter, type EventFilter } from '../../shared/model/filter';
import type { EventType, PbxEvent, Platform } from '../../shared/model/events';
import { EventOutput } from '../../shared/model/output';
import { followUpOf, isFollowUpType } from '../../shared/followup/hub';
import { leaseForNode, testPbxCredential } from '../shared/connection';
import { CREDENTIAL_TEST, platformCredentials, platformProperty } from '../shared/descriptions';
import { toNodeError } from '../shared/errors';
import { EVENT_NAMES, EVENT_OPTIONS } from '../shared/events';
import { platformEntry } from '../shared/platforms';
import { PANEL_DESCRIPTION, subtitleExpression } from '../shared/wording';
import { SEARCH_USERS, pickedList, searchUsers, userLocator } from '../shared/pickers';

export class PbxTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'PBX Trigger',
    name: 'pbxTrigger',
    icon: { light: 'file:pbx.svg', dark: 'file:pbx.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: subtitleExpression('events', EVENT_NAMES, true),
    // n8n's panel shows the trigger's description for the merged PBX entry: one text for both nodes.
    description: PANEL_DESCRIPTION,
    defaults: { name: 'PBX Trigger' },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: platformCredentials,
    properties: [
      platformProperty,
      {
        displayName: 'Events',
        name: 'events',
        type: 'multiOptions',
        required: true,
        default: ['call.missed'],
        options: EVENT_OPTIONS.map((o) => ({ ...o })),
        description: 'The events that start the workflow (one item per event)',
      },
      {
        displayName: 'Filters',
        name: 'filters',
        type: 'collection',
        placeholder: 'Add Filter',
        default: {},
        options: [
          {
            displayName: 'Callers',
            name: 'callers',
            type: 'options',
            default: 'any',
            options: [
              { name: 'Any', value: 'any' },
              { name: 'External Only', value: 'external', description: 'The other party is outside the PBX' },
              { name: 'Internal Only', value: 'internal', description: 'The other party is a PBX user or extension' },
            ],
          },
          {
            displayName: 'Direction',
            name: 'direction',
            type: 'options',
            default: 'any',
            options: [
              { name: 'Any', value: 'any' },
              { name: 'Incoming', value: 'incoming' },
              { name: 'Outgoing', value: 'outgoing' },
            ],
          },
          {
            displayName: 'Minimum Ring Time for Missed Calls (Seconds)',
            name: 'minRingSecondsForMissed',
            type: 'number',
            default: 0,
            typeOptions: { minValue: 0 },
            description: 'Missed calls that rang for less than this are ignored (instant hang-ups, spam)',
          },
          {
            displayName: 'Number Pattern',
            name: 'numberPattern',
            type: 'string',
            default: '',
            placeholder: '+33*, 06*',
            description: 'Only calls whose other party matches: * any digits, ? one digit, several patterns separated by commas',
          },
          userLocator({
            displayName: 'Users or Extensions',
            name: 'users',
            several: true,
            description: 'Only events of this user, picked from the PBX, or of the logins or extensions typed (comma-separated); empty for all monitored users',
          }),
        ],
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          {
            displayName: 'Include Raw Platform Events',
            name: 'includeRaw',
            type: 'boolean',
            default: false,
            description: 'Whether to add the PBX events each item was built from, under `raw`',
          },
          {
            displayName: 'Follow-Up Time (Minutes)',
            name: 'followUpMinutes',
            type: 'number',
            default: 30,
            typeOptions: { minValue: 0 },
            description: 'For "Unanswered Call Not Returned": how long after an unanswered call nobody has called back; 0 for never',
          },
          {
            displayName: 'Outside Line Prefix',
            name: 'outsideLinePrefix',
            type: 'string',
            default: '',
            placeholder: '0',
            description: 'Digit(s) dialled for an outside line, ignored when matching a callback to an unanswered call (the first trigger on a credential sets it for all)',
          },
          {
            displayName: 'Internal Numbers Up To (Digits)',
            name: 'internalMaxDigits',
            type: 'number',
            default: 6,
            typeOptions: { minValue: 1 },
            description: 'Numbers this short count as internal extensions (for the Callers filter)',
          },
        ],
      },
    ],
  };

  methods = {
    credentialTest: { [CREDENTIAL_TEST]: testPbxCredential },
    listSearch: { [SEARCH_USERS]: searchUsers },
  };

  async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
    const node = this.getNode();
    const platform = this.getNodeParameter('platform') as Platform;
    const entry = platformEntry(platform);
    if (!entry) throw new NodeOperationError(node, `Unknown platform "${platform}"`, { description: 'Pick a platform in the node' });
    const types = this.getNodeParameter('events', []) as EventType[];
    if (!types.length) throw new NodeOperationError(node, 'No event selected', { description: 'Pick at least one event in "Events"' });
    const filters = this.getNodeParameter('filters', {}) as IDataObject;
    const options = this.getNodeParameter('options', {}) as IDataObject;
    const spec: EventFilter = {
      types,
      users: pickedList(filters.users),
      direction: (filters.direction as EventFilter['direction']) ?? 'any',
      callers: (filters.callers as EventFilter['callers']) ?? 'any',
      numberPattern: typeof filters.numberPattern === 'string' ? filters.numberPattern : '',
      minRingSecondsForMissed: Number(filters.minRingSecondsForMissed) || 0,
      internalMaxDigits: Number(options.internalMaxDigits) || undefined,
    };
    const matches = compileFilter(spec);
    const credential = await this.getCredentials(entry.credentialType);

    // Triggers on the same credential share one connection; the core reconnects with back-off, re-subscribes
    // and resynchronises on its own, so transient drops never reach n8n.
    // Exactly one outlet per failure (n8n reactivates on both, so using both doubles its retry chains):
    // - before activation completes, a refused login only rejects trigger(): n8n shows the PBX's message and
    //   retries the activation with its own doubling delay;
    // - once active, a `failed` state (the password was changed) goes once to emitError, which makes n8n
    //   remove this trigger and reactivate it later.
    const url = typeof credential.url === 'string' ? credential.url : undefined;
    const lease = leaseForNode(node, platform, credential);
    const manual = this.getMode() === 'manual';
    // The event as every host emits it (shared/model/output.ts): no capabilities on a call that is over, each id
    // once, raw only when asked for.
    const output = new EventOutput({ includeRaw: options.includeRaw === true });
    let closed = false;
    let active = false;
    let reported = false;
    let fired = false;

    const onPbxEvent = (event: PbxEvent): void => {
      if (closed || (manual && fired) || !matches(event)) return;
      const item = output.take(event);
      if (!item) return;
      fired = true;
      // `this.emit` is looked up at call time: in manual mode n8n swaps it after trigger() returns.
      this.emit([this.helpers.returnJsonArray([item as unknown as IDataObject])]);
    };
    const unsubscribeEvents = lease.connection.onEvent(onPbxEvent, { includeRaw: options.includeRaw === true });
    // Follow-up events come from the connection's one shared follow-up state (every trigger on this credential).
    const followUpMinutes = options.followUpMinutes === undefined ? 30 : Number(options.followUpMinutes) || 0;
    const prefix = typeof options.outsideLinePrefix === 'string' ? options.outsideLinePrefix.trim() : '';
    const unsubscribeFollowUp = types.some(isFollowUpType)
      ? followUpOf(lease.connection, { numbers: prefix ? { outsideLinePrefix: prefix } : {} }).subscribe(onPbxEvent, { followUpMs: followUpMinutes * 60_000 })
      : undefined;
    const unsubscribe = (): void => {
      unsubscribeEvents();
      unsubscribeFollowUp?.();
    };
    const reportFailure = (reason: string | undefined): void => {
      if (closed || !active || reported) return;
      reported = true;
      this.emitError(
        new NodeOperationError(node, `The connection to the PBX failed: ${reason ?? 'no reason given'}`, {
          description: 'Check the PBX credential (login, password, server URL); n8n will retry the trigger',
        }),
      );
    };
    const unsubscribeState = lease.connection.onState((s) => {
      if (s.state === 'failed') reportFailure(s.reason);
    });

    // Skipped lines, failed resyncs, reconnect causes: not errors (the connection carries on), but an operator
    // wants them in the n8n log. Their messages never carry credentials.
    const unsubscribeWarning = lease.connection.onWarning((w) => {
      if (!closed) this.logger.warn(`PBX Trigger "${node.name}": ${w.message}`, { kind: w.kind, platform });
    });

    const closeFunction = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      unsubscribe();
      unsubscribeState();
      unsubscribeWarning();
      await lease.release();
    };

    try {
      // Bad credentials or a refused subscription surface here, as the activation error (and only here).
      await lease.connection.ready();
    } catch (error) {
      await closeFunction();
      throw toNodeError(node, error, undefined, url);
    }
    active = true;
    // A failure between `ready()` resolving and now had no outlet yet.
    if (lease.connection.state === 'failed') reportFailure('the PBX refused the session');

    return { closeFunction };
  }
}
