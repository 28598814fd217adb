/**
 * pbxflow-event: sends one msg per normalized PBX event that passes the node's filter (the same filter as the n8n
 * trigger): `msg.topic` = event type, `msg.payload` = the PbxEvent. Status shows the connection, then the last event.
 */
import type { PbxEvent } from '../shared/model/events';
import { EVENT_TYPES, type EventType } from '../shared/model/events';
import { compileFilter, type EventFilter } from '../shared/model/filter';
import { EventOutput } from '../shared/model/output';
import { followUpOf, isFollowUpType } from '../shared/followup/hub';
import type { PbxConnectionNode } from './lib/config';
import { asNode, type NodeDef, type NodeStatus, type RedApi } from './lib/red';
import { eventStatus } from './lib/status';

interface EventNodeDef extends NodeDef {
  connection: string;
  eventTypes?: string[] | string;
  /** Only events of these logins/extensions ("201, bob"). Not `users`: the editor reserves that name. */
  userFilter?: string;
  /** The same, as flows saved before 0.2 stored it (read only). */
  users?: unknown;
  direction?: EventFilter['direction'];
  callers?: EventFilter['callers'];
  numberPattern?: string;
  minRingSeconds?: number | string;
  includeRaw?: boolean;
  /** `call.unreturned` after this many minutes without a call back (0: never). Default 30. */
  followUpMinutes?: number | string;
  /** Outside-line prefix ignored when matching a call back (the first node on a connection sets it). */
  outsideLinePrefix?: string;
}

function userFilter(def: EventNodeDef): string[] {
  const raw = typeof def.userFilter === 'string' && def.userFilter.trim() ? def.userFilter : typeof def.users === 'string' ? def.users : '';
  return raw.split(',').map((u) => u.trim()).filter(Boolean);
}

export = function register(RED: RedApi): void {
  function EventNode(this: object, def: EventNodeDef) {
    RED.nodes.createNode(this, def);
    const node = asNode(this);
    const config = RED.nodes.getNode(def.connection) as PbxConnectionNode | null;
    if (!config) {
      node.status({ fill: 'red', shape: 'ring', text: 'status.noConnection' });
      return;
    }
    const types = (Array.isArray(def.eventTypes) ? def.eventTypes : String(def.eventTypes ?? '').split(','))
      .map((t) => t.trim())
      .filter((t): t is EventType => (EVENT_TYPES as readonly string[]).includes(t));
    const filter = compileFilter({
      types,
      users: userFilter(def),
      direction: def.direction ?? 'any',
      callers: def.callers ?? 'any',
      numberPattern: def.numberPattern ?? '',
      minRingSecondsForMissed: Number(def.minRingSeconds) || 0,
    });

    let lastEvent: NodeStatus | undefined;
    const me = {
      // Connection state wins while not connected; once connected, the last event (if any) stays on show.
      status: (s: NodeStatus) => node.status(s.fill === 'green' && lastEvent ? lastEvent : s),
    };
    const connection = config.register(me);
    // The event as every host emits it (the same JSON as n8n's trigger and the CLI's listen).
    const output = new EventOutput({ includeRaw: def.includeRaw === true });
    const onPbxEvent = (incoming: PbxEvent): void => {
      if (!filter(incoming)) return;
      const event = output.take(incoming);
      if (!event) return;
      if (event.type !== 'connection.state') {
        lastEvent = eventStatus(event);
        node.status(lastEvent);
      }
      node.send({ topic: event.type, payload: event });
    };
    const unsubscribeEvents = connection?.onEvent(onPbxEvent, { includeRaw: def.includeRaw === true });
    // Follow-up events come from the connection's one shared follow-up state (every node and trigger on it).
    const minutes = def.followUpMinutes === undefined || def.followUpMinutes === '' ? 30 : Number(def.followUpMinutes) || 0;
    const prefix = typeof def.outsideLinePrefix === 'string' ? def.outsideLinePrefix.trim() : '';
    const unsubscribeFollowUp = connection && (!types.length || types.some(isFollowUpType))
      ? followUpOf(connection, { numbers: prefix ? { outsideLinePrefix: prefix } : {} }).subscribe(onPbxEvent, { followUpMs: minutes * 60_000 })
      : undefined;
    const unsubscribe = (): void => {
      unsubscribeEvents?.();
      unsubscribeFollowUp?.();
    };
    // A line the PBX sent that could not be read is skipped (the stream goes on); this node's output may lack an
    // event because of it, so say so where the flow's author looks. Connection-level warnings are the config node's.
    const unwarn = connection?.onWarning((w) => {
      if (w.kind === 'decode') node.warn(RED._('errors.skippedLine', { message: w.message }));
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      unsubscribe?.();
      unwarn?.();
      config.deregister(me).then(done, done);
    });
  }

  RED.nodes.registerType('pbxflow-event', EventNode as unknown as new (def: never) => object);
};
