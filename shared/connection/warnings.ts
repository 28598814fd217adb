/**
 * Warnings from one cause are rate-limited: a resync loop or a stream of bad lines must not flood a host's log
 * (Node-RED once showed 548 warnings a second). Per kind, at most `perMinute` pass in a minute; the next one
 * that passes says how many were held back.
 */
import type { ConnectionWarning } from './types';

export class WarningLimiter {
  private readonly windows = new Map<string, { start: number; passed: number; held: number }>();

  constructor(private readonly perMinute = 10, private readonly now: () => number = Date.now) {}

  /** The warning to show, or undefined when its kind is over the limit this minute. */
  admit(w: ConnectionWarning): ConnectionWarning | undefined {
    const t = this.now();
    let win = this.windows.get(w.kind);
    if (!win || t - win.start >= 60_000) {
      const held = win?.held ?? 0;
      win = { start: t, passed: 0, held: 0 };
      this.windows.set(w.kind, win);
      if (held > 0) w = { ...w, message: `${w.message} (${held} similar warning${held === 1 ? '' : 's'} held back in the last minute)` };
    }
    if (win.passed >= this.perMinute) {
      win.held++;
      return undefined;
    }
    win.passed++;
    return w;
  }
}
