/**
 * The one "event as a host emits it": n8n's trigger items, Node-RED's `msg.payload` and the CLI's JSON lines are
 * all built here, so one PBX event gives byte-identical JSON in every host. The rules, once:
 * - a call that is over has no `capabilities` (what the PBX allowed last would mislead: nothing can be done now);
 * - an event id already emitted by this output is not emitted again (a second line of defence after the core's
 *   tracker, e.g. across a resync);
 * - `raw` (the PBX's own events) only when the consumer asked for it.
 * The connection hands the same event object to every listener: the output is a copy, never the shared object.
 */
import { RecentIds } from '../tracker/recent-ids';
import type { PbxEvent } from './events';

export interface EventOutputOptions {
  /** Keep the platform's raw events under `raw`. Default false. */
  includeRaw?: boolean;
  /** How many recent ids de-duplication remembers. Default 5 000. */
  recentIds?: number;
}

/** The call of this event is over for the user: nothing can be done on it any more. */
const callIsOver = (e: PbxEvent): boolean => e.type === 'call.ended' || e.type === 'call.missed' || e.call?.endedAt !== undefined;

/** One event as every host emits it (a copy; the rules above, without de-duplication). */
export function outputEvent(event: PbxEvent, options: Pick<EventOutputOptions, 'includeRaw'> = {}): PbxEvent {
  const { raw, ...rest } = event;
  const copy = structuredClone(rest) as PbxEvent;
  if (options.includeRaw === true && raw !== undefined) copy.raw = structuredClone(raw);
  if (copy.call && callIsOver(copy)) delete copy.call.capabilities;
  return copy;
}

/** The JSON text of an emitted event, as the CLI prints it and as n8n and Node-RED serialise it. */
export const eventJson = (event: PbxEvent): string => JSON.stringify(event);

/** One consumer's output (one trigger, one event node, one `listen`): its de-duplication memory and raw choice. */
export class EventOutput {
  private readonly seen: RecentIds;

  constructor(private readonly options: EventOutputOptions = {}) {
    this.seen = new RecentIds(options.recentIds ?? 5_000);
  }

  /** The event to emit, or undefined when this output already emitted that id. */
  take(event: PbxEvent): PbxEvent | undefined {
    if (!this.seen.add(event.id)) return undefined;
    return outputEvent(event, this.options);
  }
}
