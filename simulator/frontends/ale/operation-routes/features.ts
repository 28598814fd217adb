/**
 * The simulator's feature state beside the virtual PBX (mailboxes, call log, directory, CCD agents and pilots, overflow routes),
 * one set per PBX so the OpenTouch and O2G front-ends of one simulator see the same data.
 */
import { SimAgents } from '../../../pbx/agents';
import { SimComlog } from '../../../pbx/comlog';
import { SimDirectory } from '../../../pbx/directory';
import { SimMessaging } from '../../../pbx/messaging';
import { SimPilots } from '../../../pbx/pilots';
import { SimError, type VirtualPbx } from '../../../pbx/virtual-pbx';
import { restError, type SimResponse } from '../routes';

export interface SimOverflow {
  destination: string | 'voicemail';
  condition: 'busy' | 'no_answer' | 'busy_no_answer';
}

export interface SimFeatures {
  messaging: SimMessaging;
  comlog: SimComlog;
  directory: SimDirectory;
  agents: SimAgents;
  /** CCD pilots (number 5000 "Support"), distributing to the agents of their processing group. */
  pilots: SimPilots;
  /** Overflow routes are state only: the virtual PBX does not route on them. */
  overflow: Map<string, SimOverflow>;
  /** DTMF digits sent, per call reference (tests read them). */
  dtmf: Array<{ user: string; callRef: string; digits: string }>;
  /** Fault: routing changes are accepted (204) but never applied nor confirmed. */
  silentRouting: boolean;
  /** Fault: the next routing change is accepted (204), then refused asynchronously. */
  refuseNextRouting?: string;
}

const byPbx = new WeakMap<VirtualPbx, SimFeatures>();

export function simFeatures(pbx: VirtualPbx): SimFeatures {
  let f = byPbx.get(pbx);
  if (!f) {
    const agents = new SimAgents(pbx);
    f = { messaging: new SimMessaging(pbx), comlog: new SimComlog(pbx), directory: new SimDirectory(pbx), agents, pilots: new SimPilots(pbx, agents), overflow: new Map(), dtmf: [], silentRouting: false };
    byPbx.set(pbx, f);
  }
  return f;
}

/** Runs a PBX primitive and answers 204, or the `RestErrorInfo` a real server would send. */
export function act(fn: () => unknown): SimResponse {
  try {
    fn();
    return { status: 204 };
  } catch (err) {
    return simErrorResponse(err);
  }
}

export function simErrorResponse(err: unknown): SimResponse {
  if (err instanceof SimError) {
    if (err.kind === 'not_found') return restError(404, 'NOT_FOUND', err.message);
    if (err.kind === 'bad_state') return restError(400, 'NOT_EXPECTED', err.message);
    return restError(400, 'BAD_PARAMETER', err.message);
  }
  return restError(500, 'SERVER_PROBLEM', (err as Error).message);
}

export const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
export const isNumber = (v: string): boolean => /^\+?\d{2,20}$/.test(v);
