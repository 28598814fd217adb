/** Connection state -> status dot. Texts are message-catalogue keys (`status.*`), translated by the editor. */
import type { ConnectionStateInfo, PbxEvent } from '../../shared/model/events';
import type { NodeStatus } from './red';

export type UiState = ConnectionStateInfo['state'] | 'idle' | 'error' | 'noUsers';

export function statusFor(state: UiState): NodeStatus {
  switch (state) {
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: 'status.connecting' };
    case 'connected':
      return { fill: 'green', shape: 'dot', text: 'status.connected' };
    case 'reconnecting':
      return { fill: 'yellow', shape: 'ring', text: 'status.reconnecting' };
    case 'disconnected':
      return { fill: 'red', shape: 'ring', text: 'status.disconnected' };
    case 'noUsers':
      return { fill: 'red', shape: 'ring', text: 'status.noUsers' };
    case 'failed':
    case 'error':
      return { fill: 'red', shape: 'ring', text: 'status.error' };
    case 'idle':
    default:
      return { fill: 'grey', shape: 'ring', text: 'status.idle' };
  }
}

/** Short (< 20 chars where possible) text for the event node: `missed 201 14:02`. */
export function eventStatus(e: PbxEvent): NodeStatus {
  const time = /T(\d\d:\d\d)/.exec(e.time)?.[1] ?? '';
  const kind = e.type.replace(/^call\./, '');
  return { fill: 'green', shape: 'dot', text: `${kind} ${e.user} ${time}`.trim() };
}

/** Error status: the error code only (messages can be long; the full text goes to the debug pane). */
export function errorStatus(err: unknown): NodeStatus {
  const code = (err as { code?: unknown } | null)?.code;
  return { fill: 'red', shape: 'ring', text: typeof code === 'string' ? `error: ${code}` : 'status.error' };
}
