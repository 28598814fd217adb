/**
 * The pause switch of the generated calls on one virtual PBX (`pbxflow simulate --traffic`, the demo's traffic):
 * shared, per PBX, by the generator, which starts no new call while it is paused, and the phones page, which shows
 * it and flips it. Keyed by the PBX object, like the simulator's feature modules, so neither side needs the other.
 */
import { EventEmitter } from 'node:events';
import type { VirtualPbx } from '../pbx/virtual-pbx';

export interface TrafficState {
  /** A generator runs on this PBX (the page offers the switch only then). */
  generated: boolean;
  paused: boolean;
}

export class TrafficSwitch extends EventEmitter {
  private generators = 0;
  private pausedNow = false;

  get state(): TrafficState {
    return { generated: this.generators > 0, paused: this.pausedNow };
  }

  get paused(): boolean {
    return this.pausedNow;
  }

  /** A generator starts (paused from the start when `paused`); the returned function says it stopped. */
  attach(paused = false): () => void {
    this.generators++;
    if (paused) this.pausedNow = true;
    this.emit('change', this.state);
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.generators--;
      this.emit('change', this.state);
    };
  }

  set(paused: boolean): void {
    if (paused === this.pausedNow) return;
    this.pausedNow = paused;
    this.emit('change', this.state);
  }

  /** Resolves at once when running, else when resumed or when `signal` aborts. */
  whileRunning(signal: AbortSignal): Promise<void> {
    if (!this.pausedNow || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.off('change', onChange);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const onChange = (s: TrafficState) => {
        if (!s.paused) done();
      };
      this.on('change', onChange);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

const byPbx = new WeakMap<VirtualPbx, TrafficSwitch>();

/** The one switch of this PBX's generated calls. */
export function trafficSwitch(pbx: VirtualPbx): TrafficSwitch {
  let s = byPbx.get(pbx);
  if (!s) {
    s = new TrafficSwitch();
    byPbx.set(pbx, s);
  }
  return s;
}
