/**
 * The phones page's buttons: one named action per POST, its JSON body checked field by field, then one VirtualPbx
 * call. Every front-end (OpenTouch, O2G...) renders the outcome, since they all follow the same PBX.
 */
import { bool, isRecord, nonEmpty } from '../../shared/model/fields';
import type { SimRouteState } from '../pbx/types';
import { SimError, type VirtualPbx } from '../pbx/virtual-pbx';
import type { SimFeatures } from '../frontends/ale/operation-routes/features';
import { trafficSwitch } from './traffic-switch';

/** A checked request: what the log says it does, then doing it (returns the reference of a call just placed). */
export interface PlannedAction {
  said: string;
  run(): string | void;
}

type Body = Record<string, unknown>;
type Action = (b: Body) => PlannedAction;

const CONDITIONS: ReadonlyArray<NonNullable<SimRouteState['forward']>['condition']> = ['immediate', 'busy', 'no_answer', 'busy_no_answer'];

/** A required short text field (numbers, logins, call references). */
function field(b: Body, name: string): string {
  const v = nonEmpty(b[name], 64);
  if (v === undefined) throw new SimError('bad_parameter', `"${name}" is required`);
  return v.trim();
}

function optional(b: Body, name: string): string | undefined {
  const v = nonEmpty(b[name], 64)?.trim();
  return v ? v : undefined;
}

export function pageActions(pbx: VirtualPbx, features: SimFeatures, note: (line: string) => void): Record<string, Action> {
  return {
    /** `from` a user (login or extension) or an outside number, to any number. */
    call(b) {
      const from = field(b, 'from');
      const to = field(b, 'to');
      const anonymous = bool(b.anonymous) === true;
      const device = optional(b, 'device');
      return {
        said: `${from} calls ${to}${anonymous ? ' (number withheld)' : ''}`,
        run: () => {
          if (pbx.user(from)) return pbx.makeCall(from, to, { anonymous, device });
          const ref = pbx.callFromOutside(from, to, { anonymous });
          // A refused call (do not disturb) ends at once without a line from the PBX: no user's phone saw it.
          if (!pbx.calls().some((c) => c.id === ref)) note(`${to} refused the call from ${from} (busy: do not disturb)`);
          return ref;
        },
      };
    },
    /** A user answers (on `device`, or the first ringing one); without `user`, the outside party called answers. */
    answer(b) {
      const ref = field(b, 'ref');
      const user = optional(b, 'user');
      const device = optional(b, 'device');
      return { said: `${user ?? 'the outside party'} answers${device ? ` on ${device}` : ''}`, run: () => pbx.answer(ref, user, device) };
    },
    /** `user` is a login or an outside party's number. */
    hangup(b) {
      const [user, ref] = [field(b, 'user'), field(b, 'ref')];
      return { said: `${user} hangs up`, run: () => pbx.hangUp(ref, user) };
    },
    hold(b) {
      const [user, ref] = [field(b, 'user'), field(b, 'ref')];
      return { said: `${user} puts the call on hold`, run: () => pbx.hold(ref, user) };
    },
    retrieve(b) {
      const [user, ref] = [field(b, 'user'), field(b, 'ref')];
      return { said: `${user} takes the call back`, run: () => pbx.retrieve(ref, user) };
    },
    /** With `to`: blind transfer of `ref`; without: attended transfer joining `ref` (active) and `heldRef`. */
    transfer(b) {
      const [user, ref] = [field(b, 'user'), field(b, 'ref')];
      const to = optional(b, 'to');
      if (to) return { said: `${user} transfers the call to ${to}`, run: () => pbx.blindTransfer(ref, user, to) };
      const heldRef = field(b, 'heldRef');
      return { said: `${user} joins their two calls and leaves (transfer)`, run: () => pbx.transfer(ref, heldRef, user) };
    },
    conference(b) {
      const [user, ref, heldRef] = [field(b, 'user'), field(b, 'ref'), field(b, 'heldRef')];
      return { said: `${user} starts a conference`, run: () => pbx.conference(ref, heldRef, user) };
    },
    /** A ringing user turns the call down (the phone's Reject): the caller's call ends busy, theirs rejected. */
    reject(b) {
      const [user, ref] = [field(b, 'user'), field(b, 'ref')];
      return { said: `${user} rejects the call`, run: () => pbx.reject(ref, user) };
    },
    /** A ringing user sends the call on (`voicemail` for their mailbox). */
    redirect(b) {
      const [user, ref, to] = [field(b, 'user'), field(b, 'ref'), field(b, 'to')];
      return { said: `${user} sends the call to ${to}`, run: () => pbx.redirect(ref, user, to) };
    },
    /** `destination` empty: forward off. */
    forward(b) {
      const user = field(b, 'user');
      const destination = optional(b, 'destination');
      const condition = optional(b, 'condition') ?? 'immediate';
      const c = CONDITIONS.find((x) => x === condition);
      if (!c) throw new SimError('bad_parameter', `"condition" must be one of ${CONDITIONS.join(', ')}`);
      return {
        said: destination ? `${user} forwards to ${destination} (${c.replace(/_/g, ' ')})` : `${user} turns the forward off`,
        run: () => pbx.setForward(user, destination ? { destination, condition: c } : null),
      };
    },
    dnd(b) {
      const user = field(b, 'user');
      const on = bool(b.on);
      if (on === undefined) throw new SimError('bad_parameter', '"on" must be true or false');
      return { said: `${user} turns do not disturb ${on ? 'on' : 'off'}`, run: () => pbx.setDnd(user, on) };
    },
    /** A logged-on agent becomes ready or takes a pause. */
    agent(b) {
      const user = field(b, 'user');
      const activity = field(b, 'activity');
      if (activity !== 'ready' && activity !== 'paused') throw new SimError('bad_parameter', '"activity" must be ready or paused');
      return { said: `${user} ${activity === 'ready' ? 'is ready for calls' : 'takes a pause'}`, run: () => void features.agents.setActivity(user, activity) };
    },
    /** The generated calls (`--traffic`, the demo): `paused` true stops new ones, false lets them go on. */
    traffic(b) {
      const paused = bool(b.paused);
      if (paused === undefined) throw new SimError('bad_parameter', '"paused" must be true or false');
      const traffic = trafficSwitch(pbx);
      if (!traffic.state.generated) throw new SimError('bad_state', 'no calls are generated here (start the simulator with --traffic)');
      return { said: paused ? 'generated calls paused: only calls made by hand now' : 'generated calls resumed', run: () => traffic.set(paused) };
    },
  };
}

export function isBody(v: unknown): v is Body {
  return isRecord(v);
}
