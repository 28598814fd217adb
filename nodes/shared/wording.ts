/**
 * What n8n's node panel and canvas show of the PBX nodes, in the words users type. n8n's panel (editor-ui
 * node creator) finds a node by its display name and codex `alias` only, and within a node finds an action by
 * its `action` text; the trigger's events become "On <event>" actions; the canvas shows the `subtitle`.
 * The catalogue's `action` texts serve the CLI's help; these are the n8n ones where they differ.
 */
import type { Platform } from '../../shared/model/events';

/** n8n action names (sentence case, the resource in it), by operation; the catalogue's text otherwise. */
export const N8N_ACTIONS: Readonly<Record<string, string>> = {
  makeCall: 'Make a call',
  answer: 'Answer a call',
  hangUp: 'Hang up a call',
  hold: 'Hold a call',
  retrieve: 'Retrieve a held call',
  transfer: 'Transfer a call (attended)',
  redirect: 'Redirect a ringing call',
  sendToVoicemail: 'Send a ringing call to voicemail',
  listCalls: 'Get current calls',
  getRouting: 'Get forwarding and do not disturb state',
  setForward: 'Set call forwarding',
  cancelForward: 'Cancel call forwarding',
  setOverflow: 'Set call overflow',
  cancelOverflow: 'Cancel call overflow',
  setDnd: 'Set do not disturb',
  getDnd: 'Get do not disturb state',
  getCounters: 'Get voicemail and missed call counters',
  listCallLog: 'Get call log records (missed and other calls)',
  acknowledgeCallLog: 'Acknowledge call log records (missed calls seen)',
  setAgentState: 'Set agent state (log on, off, ready)',
};

/** Short platform names for descriptions ("O2G and TelServer only"). */
const SHORT_NAMES: Partial<Record<Platform, string>> = { opentouch: 'OpenTouch', o2g: 'O2G (OXE)', telservices: 'TelServer', voicenter: 'Voicenter' };

export const shortPlatformName = (p: Platform, fallback: string): string => SHORT_NAMES[p] ?? fallback;

/**
 * The panel's description of the PBX entry. n8n merges a trigger into the node of the same name and shows the
 * trigger's description for both (editor-ui `generateMergedNodesAndActions`), so both nodes carry this one.
 */
export const PANEL_DESCRIPTION =
  'Make and control calls, set call forwarding and do not disturb, read call logs and voicemail, and start workflows on missed, incoming or ended calls (Alcatel-Lucent OpenTouch, OXE via O2G, TelServer, Voicenter)';

/** `={{ ... }}` that shows the name of the chosen value of `parameter` (a list joined with commas for several). */
export function subtitleExpression(parameter: string, names: Record<string, string>, several = false): string {
  const table = JSON.stringify(names);
  const p = `$parameter[${JSON.stringify(parameter)}]`;
  return several
    ? `={{ (${p} || []).map((v) => (${table})[v] || v).join(", ") }}`
    : `={{ (${table})[${p}] || ${p} }}`;
}
