/**
 * Which clock Voicenter's epochs are on, measured rather than guessed.
 *
 * Voicenter's official client reads `servertime` and every epoch of a payload (callStarted, callAnswered,
 * last*Epoch, JoinTimeStamp) as the server's local clock, `servertimeoffset` minutes ahead of UTC (default 180):
 * UTC = epoch * 1000 - servertimeoffset * 60 000 (VoicenterEventsSDK src/store/extensions.js `SET_SERVER_TIME`;
 * src/classes/socket-io/events-handler.ts `configureUTCForObject`). The Real Time API doc does not say. So each
 * payload that carries `servertime` is compared with the local receive time:
 *   - ahead by about `servertimeoffset` minutes: local epochs, shifted back by the offset;
 *   - about equal: UTC epochs, taken as they are;
 *   - neither: one warning per connection, the event time is the receive time and the payload's other epochs
 *     are moved by the measured difference (so durations between them stay right).
 * A payload without `servertime` uses the last reading. The replay path (no receive time) reads epochs as sent.
 */
import { eventTime, int } from '../../model/fields';

export type EpochMode = 'local' | 'utc' | 'measured';

/** The epochs of one payload, on the local clock. */
export interface PayloadClock {
  /** When the event happened (epoch ms). */
  time: number;
  /** Another epoch field of the same payload (seconds or ms) as epoch ms, or undefined when unreadable. */
  epoch(v: unknown): number | undefined;
}

/** The SDK's default when a payload names no offset (src/store/extensions.js ISRAEL_TIMEZONE_OFFSET). */
export const DEFAULT_OFFSET_MINUTES = 180;
/** How far the two clocks may differ and still count as "the same" (latency, a host clock a little off). */
const TOLERANCE_MS = 120_000;

export class ServerClock {
  private mode?: EpochMode;
  /** ms to add to a server epoch (in ms) for the local clock. */
  private shift = 0;
  private warned = false;

  constructor(
    private readonly now: () => number,
    private readonly misfit: (message: string) => void,
  ) {}

  /** How the last payload with `servertime` was read (for tests and diagnostics). */
  get reading(): { mode?: EpochMode; shiftMs: number } {
    return { mode: this.mode, shiftMs: this.shift };
  }

  /** The clock of a payload whose `servertime` / `servertimeoffset` are given (either may be absent). */
  read(servertime: unknown, offsetMinutes: unknown): PayloadClock {
    const received = this.now();
    const server = epochMs(servertime);
    if (server === undefined) {
      return { time: received, epoch: (v) => this.onLocal(v, received) };
    }
    const offsetMs = (int(offsetMinutes, -24 * 60, 24 * 60) ?? DEFAULT_OFFSET_MINUTES) * 60_000;
    const ahead = server - received;
    if (Math.abs(ahead - offsetMs) <= TOLERANCE_MS) this.set('local', -offsetMs);
    else if (Math.abs(ahead) <= TOLERANCE_MS) this.set('utc', 0);
    else {
      this.set('measured', received - server);
      if (!this.warned) {
        this.warned = true;
        this.misfit(`Voicenter's servertime is ${Math.round(ahead / 60_000)} min from this host's clock, which fits neither UTC nor servertimeoffset (${offsetMs / 60_000} min): event times are the receive times; check this host's clock`);
      }
      return { time: received, epoch: (v) => this.onLocal(v, received) };
    }
    const time = server + this.shift;
    return { time: plausible(time, received) ? time : received, epoch: (v) => this.onLocal(v, received) };
  }

  private set(mode: EpochMode, shift: number): void {
    this.mode = mode;
    this.shift = shift;
  }

  private onLocal(v: unknown, received: number): number | undefined {
    const ms = epochMs(v);
    if (ms === undefined) return undefined;
    const t = ms + this.shift;
    return plausible(t, received) ? t : undefined;
  }
}

/** The replay path's reading: epochs as sent (there is no receive time to compare with). */
export function asSent(servertime: unknown, now: number): PayloadClock {
  return { time: eventTime(servertime, now) ?? now, epoch: (v) => eventTime(v, now) };
}

/** Epoch seconds or ms (number or digit string) as ms; undefined for anything else. */
function epochMs(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.length <= 20 && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return n < 1e11 ? n * 1000 : n;
}

/** After 2000 and not more than a day ahead of the receive time. */
function plausible(t: number, received: number): boolean {
  return t >= 946_684_800_000 && t <= received + 86_400_000;
}
