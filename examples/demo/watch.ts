/**
 * What the --once run checks, observed from outside the flows: tickets appended to the tickets file (read from the
 * size it had at start, so earlier runs do not count) and the calendar user's forward as the PBX itself reports it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { PbxChange, SimRouteState, VirtualPbx } from '../../simulator';

/** One line of the tickets file: a ticket opened, or a later line about it (closed on a call back, escalated). */
export interface Ticket {
  ticket: string;
  /** `open` (the ticket), `closed` (a call back: call.returned), `escalated` (call.unreturned). */
  status: 'open' | 'closed' | 'escalated';
  /** Open lines only. */
  subject?: string;
  /** Open lines: the users it rang (logins or device numbers), a ring group's name, or a queue's name. */
  for?: string;
  /** The platform whose event made the ticket (opentouch, telservices, voicenter...). */
  platform?: string;
  reason?: string;
  [k: string]: unknown;
}

export class TicketFile {
  private readonly offset: number;
  constructor(readonly path: string) {
    this.offset = existsSync(path) ? statSync(path).size : 0;
  }
  /** Tickets written since this watcher was made. */
  tickets(): Ticket[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path).subarray(this.offset).toString('utf8').split('\n').filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Ticket];
        } catch {
          return []; // a line being written right now
        }
      });
  }
}

/** Follows one user's forward: set (to the expected number), then restored to what it was before. */
export class ForwardWatch {
  set = false;
  restored = false;
  private readonly before: SimRouteState['forward'];
  private readonly listener = (c: PbxChange) => {
    if (c.kind !== 'routing' || c.user !== this.user) return;
    if (c.routing.forward?.destination === this.number) this.set = true;
    else if (this.set && JSON.stringify(c.routing.forward) === JSON.stringify(this.before)) this.restored = true;
  };
  constructor(private readonly pbx: VirtualPbx, private readonly user: string, private readonly number: string) {
    this.before = pbx.routing(user).forward;
    pbx.on('change', this.listener);
  }
  close(): void {
    this.pbx.off('change', this.listener);
  }
}

/** Polls `check` until true; false after `timeoutMs` or when the signal aborts. */
export async function waitFor(check: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until || signal?.aborted) return false;
    await delay(100, undefined, { signal }).catch(() => undefined);
  }
  return true;
}

/**
 * The lines the demo has printed, so the --once script can wait until the flows have *shown* what they did: a
 * debug node's line reaches the log a moment after the PBX change it reports, later still on a busy machine. Only
 * kept when asked (the interactive demo runs for hours).
 */
export class PrintedLines {
  private readonly lines: string[] = [];
  constructor(private readonly keep: boolean) {}
  add(line: string): void {
    if (this.keep) this.lines.push(line);
  }
  has(pattern: RegExp): boolean {
    return this.lines.some((l) => pattern.test(l));
  }
}
