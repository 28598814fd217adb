/**
 * The TelServices services of the simulator: each request of the spec on the virtual PBX and its feature modules
 * (agents, messaging, call log, directory). Session rules: services marked "requires an opened session" answer
 * `noOpenSession` without one; every request of a session's device resets its timeout; the PBX link down makes
 * PBX services fail with `pbxlinkOutOfService`.
 */
import { SimError, type VirtualPbx } from '../../pbx/virtual-pbx';
import type { SimRouteState, SimUser } from '../../pbx/types';
import { simFeatures } from '../ale/operation-routes';
import type { AgentStateName, ForwardTypeName } from '../../../shared/platforms/telservices/schema';
import type { TsAgent, TsCall, TsForward, TsParty, TsRequest, TsReturn, TsSnapshot } from '../../../shared/platforms/telservices/types';
import { renderCall, type RenderedCall } from './render';
import type { TelServicesFrontEnd } from './server';

type P = Record<string, unknown>;
type Forward = NonNullable<SimRouteState['forward']>;

const NEEDS_SESSION = new Set(['addPartyToCall', 'agentState', 'alternateCall', 'answerCall', 'conferenceCall', 'consultationCall', 'divertCall', 'dropCall', 'holdCall', 'qualifyCall', 'queryAgentState', 'reconnectCall', 'retrieveCall', 'snapshot', 'transferCall']);
const NO_PBX = new Set(['closeSession', 'searchName', 'searchNumber', 'updateUserDirectory', 'updateDirectory', 'queryHistory', 'queryRoutingPointState', 'queryRoutingPointStatistics', 'startRoutingPoint', 'stopRoutingPoint', 'suspendRoutingPoint', 'resumeRoutingPoint', 'updateRoutingPoint']);

const ok: TsReturn = { ok: true, name: 'standard', value: true };
const err = (error: string): TsReturn => ({ ok: false, error });
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** TelServices forward types as the virtual PBX's single forward (condition). */
const baseType = (t: string): 'immediate' | 'busy' | 'noAnswer' => (t.startsWith('imm') ? 'immediate' : t.startsWith('busy') ? 'busy' : 'noAnswer');

function typesOf(f: SimRouteState['forward']): Array<{ type: ForwardTypeName; number: string }> {
  if (!f) return [];
  const number = f.destination === 'voicemail' ? '8000' : f.destination;
  switch (f.condition) {
    case 'immediate': return [{ type: 'immediate', number }];
    case 'busy': return [{ type: 'busy', number }];
    case 'no_answer': return [{ type: 'noAnswer', number }];
    case 'busy_no_answer': return [{ type: 'busy', number }, { type: 'noAnswer', number }];
  }
}

export class TelServicesServices {
  private readonly features;
  private readonly lastRouting = new Map<string, SimRouteState>();
  private readonly wrapup = new Set<string>();
  private readonly userDirectories = new Map<string, Map<string, TsParty[]>>();
  private readonly routingPoints = new Map<string, string>();

  constructor(private readonly pbx: VirtualPbx, private readonly fe: TelServicesFrontEnd) {
    this.features = simFeatures(pbx);
    for (const u of pbx.users) if (!u.admin) this.lastRouting.set(u.login, pbx.routing(u.login));
  }

  async handle(req: TsRequest, client: { address: string }): Promise<TsReturn> {
    const p = req.params;
    const device = str(p.deviceNumber);
    const session = device ? this.fe.sessions.get(device) : undefined;
    if (session && [...session.clients.values()].some((c) => c.address === client.address)) this.fe.touch(session);
    if (NEEDS_SESSION.has(req.service) && !session) return err('noOpenSession');
    if (!this.fe.linkUp && !NO_PBX.has(req.service)) return err('pbxlinkOutOfService');
    const user = device ? this.pbx.user(device) : undefined;
    try {
      return await this.run(req.service, p, device, user, client);
    } catch (e) {
      if (e instanceof SimError) return err(e.kind === 'bad_state' ? 'noCall' : e.kind === 'not_found' ? 'reject' : 'pbxReject');
      return err('resourceError');
    }
  }

  private async run(service: string, p: P, device: string, user: SimUser | undefined, client: { address: string }): Promise<TsReturn> {
    const needUser = (): SimUser => {
      if (!user || user.admin) throw new SimError('not_found', `unknown device ${device}`);
      return user;
    };
    switch (service) {
      case 'openSession': {
        const u = needUser();
        const id = str(p.userID);
        const pw = str(p.userPassword);
        // The device's own user, or an administrator (TelServer's administrator authentication), may open it.
        const admin = this.pbx.users.find((x) => x.admin && x.login === id);
        if ((id || pw) && !(((id === u.login || id === u.number || id === device) && pw === u.password) || (admin && admin.password === pw))) {
          this.fe.stats.rejectedCredentials++;
          return err('invalidCredentials');
        }
        if (!this.fe.sessions.has(device) && this.fe.sessions.size >= this.fe.sessionLimit) return err('sessionLimitExceeded');
        const port = typeof p.eventUDPPort === 'number' ? p.eventUDPPort : undefined;
        this.fe.openSession(device, u, { address: client.address, port }, p.eventUpdate === 'restricted' ? 'restricted' : 'full', typeof p.sessionTimeout === 'number' && p.sessionTimeout > 0 ? p.sessionTimeout : undefined);
        return ok;
      }
      case 'closeSession':
        this.fe.closeSession(device, client, p.clientOnly !== false);
        return ok;
      case 'makeCall':
        this.pbx.makeCall(needUser().login, str(p.calledDeviceNumber), { device: needUser().devices.includes(device) ? device : undefined });
        return ok;
      case 'answerCall': {
        const c = this.pick(device, ['ringing_incoming'], str(p.callingNumber));
        this.pbx.answer(c.view.ref, needUser().login, needUser().devices.includes(device) ? device : undefined);
        return ok;
      }
      case 'dropCall': {
        const c = this.pick(device, ['active', 'held', 'ringing_outgoing', 'dialing', 'ringing_incoming'], str(p.otherNumber));
        this.pbx.hangUp(c.view.ref, needUser().login);
        return ok;
      }
      case 'holdCall':
        this.pbx.hold(this.pick(device, ['active'], str(p.otherNumber)).view.ref, needUser().login);
        return ok;
      case 'retrieveCall':
        this.pbx.retrieve(this.pick(device, ['held'], str(p.otherNumber)).view.ref, needUser().login);
        return ok;
      case 'alternateCall': {
        const a = this.pick(device, ['active']);
        const h = this.pick(device, ['held']);
        this.pbx.hold(a.view.ref, needUser().login);
        this.pbx.retrieve(h.view.ref, needUser().login);
        return ok;
      }
      case 'reconnectCall': {
        const a = this.pick(device, ['active', 'ringing_outgoing', 'dialing']);
        const h = this.pick(device, ['held']);
        this.pbx.hangUp(a.view.ref, needUser().login);
        this.pbx.retrieve(h.view.ref, needUser().login);
        return ok;
      }
      case 'consultationCall': {
        const a = this.pick(device, ['active'], str(p.otherNumber));
        this.pbx.hold(a.view.ref, needUser().login);
        this.pbx.makeCall(needUser().login, str(p.consultedDeviceNumber));
        return ok;
      }
      case 'transferCall': {
        const a = this.pick(device, ['active', 'ringing_outgoing']);
        const h = this.pick(device, ['held']);
        this.pbx.transfer(a.view.ref, h.view.ref, needUser().login);
        return ok;
      }
      case 'conferenceCall': {
        const a = this.pick(device, ['active']);
        const h = this.pick(device, ['held']);
        this.pbx.conference(a.view.ref, h.view.ref, needUser().login);
        return ok;
      }
      case 'divertCall': {
        const c = this.pick(device, ['ringing_incoming', 'active'], str(p.otherNumber));
        if (c.view.state === 'ringing_incoming') this.pbx.redirect(c.view.ref, needUser().login, str(p.divertedDeviceNumber));
        else this.pbx.blindTransfer(c.view.ref, needUser().login, str(p.divertedDeviceNumber));
        return ok;
      }
      case 'addPartyToCall': {
        // A single-step conference: consult the added party, merge when it answers.
        const u = needUser();
        const a = this.pick(device, ['active', 'held'], str(p.otherNumber));
        if (a.view.state === 'active') this.pbx.hold(a.view.ref, u.login);
        const ref = this.pbx.makeCall(u.login, str(p.addedDeviceNumber));
        const onChange = (c: { kind: string; user?: string; view?: { ref: string; state: string }; action?: string }) => {
          if (c.kind !== 'call' || c.user !== u.login || c.view?.ref !== ref) return;
          if (c.action === 'removed') this.pbx.off('change', onChange);
          else if (c.view.state === 'active') {
            this.pbx.off('change', onChange);
            setImmediate(() => {
              try {
                this.pbx.conference(ref, a.view.ref, u.login);
              } catch {
                // the call changed meanwhile: nothing to merge
              }
            });
          }
        };
        this.pbx.on('change', onChange);
        return ok;
      }
      case 'qualifyCall': {
        const c = this.pick(device, ['ringing_incoming']);
        const other = c.view.participants[0];
        if (p.answerCall !== false) this.pbx.answer(c.view.ref, needUser().login);
        const value: { number: string; name?: string } = { number: other?.number || `*****-${c.view.ref}` };
        if (p.needName !== false && other?.name) value.name = other.name;
        return { ok: true, name: 'qualifyCall', value };
      }
      case 'doNotDisturb':
        this.pbx.setDnd(needUser().login, p.state === 'on');
        return ok;
      case 'queryDoNotDisturb':
        return { ok: true, name: 'doNotDisturb', value: this.pbx.routing(needUser().login).dnd ? 'on' : 'off' };
      case 'forward':
        this.forward(needUser().login, p.info as TsForward);
        return ok;
      case 'queryForward':
        return { ok: true, name: 'forwards', value: this.forwards(needUser().login) };
      case 'queryMsgWaiting':
        return { ok: true, name: 'msgWaiting', value: this.features.messaging.unread(needUser().login) > 0 ? 'on' : 'off' };
      case 'agentState':
        this.setAgent(needUser(), device, String(p.state) as AgentStateName);
        return ok;
      case 'queryAgentState':
        return { ok: true, name: 'agent', value: this.agentInfo(needUser().login) };
      case 'snapshot':
        return this.snapshot(device, needUser(), p.resultOnEvent as { timeout?: number; snapshotSeq?: number } | undefined);
      case 'queryHistory': {
        const u = user ?? this.pbx.users.find((x) => x.login === str(p.userID));
        if (!u) return err('reject');
        const after = typeof p.startDate === 'string' ? Date.parse(`${p.startDate}T00:00:00Z`) : undefined;
        const records = this.features.comlog.list(u.login, { after }).slice(0, typeof p.limit === 'number' ? p.limit : 100).map((r) => {
          const d = new Date(r.beginDate).toISOString();
          const other = r.parties[0];
          return {
            deviceNumber: u.number, creationDate: d.slice(0, 10), creationTime: d.slice(11, 19), ...(other ? { otherParty: { number: other.number, ...(other.name ? { name: other.name } : {}) } } : {}),
            alertingDuration: 0, duration: Math.max(0, Math.round((r.endDate - r.beginDate) / 1000)), isOutgoing: r.direction === 'outgoing', isConnected: r.answered, cause: 'normal',
          };
        });
        return { ok: true, name: 'history', value: records };
      }
      case 'queryUserStatistics': {
        const u = needUser();
        const a = this.agentInfo(u.login);
        if (p.type === 'snapshot') return { ok: true, name: 'userStatistics', value: { name: 'snapshot', value: { agentState: a.state, ...(a.inboundServices ? { inboundServices: a.inboundServices } : {}) } } };
        const log = this.features.comlog.list(u.login);
        const incoming = log.filter((r) => r.direction === 'incoming');
        return { ok: true, name: 'userStatistics', value: { name: 'total', value: {
          start: new Date(Date.now() - 3600_000).toISOString().slice(0, 19), incomingCallsAlertingCount: String(incoming.length),
          incomingCallsConnectedCount: String(incoming.filter((r) => r.answered).length), outgoingCallsOriginatedCount: String(log.length - incoming.length),
        } } };
      }
      case 'searchName':
        return { ok: true, name: 'searchDirectory', value: this.searchName(str(p.name), str(p.userID) || device, typeof p.limit === 'number' ? p.limit : 100) };
      case 'searchNumber':
        return { ok: true, name: 'searchDirectory', value: this.directory(str(p.userID) || device).filter((x) => x.number === str(p.number)) };
      case 'updateUserDirectory': {
        const owner = str(p.userID) || device;
        if (!owner) return err('reject');
        let dirs = this.userDirectories.get(owner);
        if (!dirs) this.userDirectories.set(owner, (dirs = new Map()));
        dirs.set(str(p.directoryName), (p.parties as TsParty[]) ?? []);
        return ok;
      }
      case 'updateDirectory':
        return str(p.directoryName) === 'ldap' ? ok : err('reject');
      case 'queryRoutingPointState':
        return { ok: true, name: 'routingPointState', value: this.routingPoints.get(str(p.service)) ?? 'stopped' };
      case 'queryRoutingPointStatistics': {
        const agents = this.pbx.users.filter((u) => !u.admin).map((u) => ({ deviceNumber: u.number, userID: u.login, agentState: this.agentInfo(u.login).state }));
        const ready = agents.filter((a) => a.agentState === 'ready').length;
        const value = p.type === 'total'
          ? { start: new Date(Date.now() - 3600_000).toISOString().slice(0, 19), incomingCallsCount: '0', agents: agents.map((a) => ({ deviceNumber: a.deviceNumber, userID: a.userID })) }
          : { queuedCallsCount: '0', readyAvailableAgentsCount: String(ready), loggedOffOrClosedAgentsCount: String(agents.filter((a) => a.agentState === 'loggedOff').length), agents };
        return { ok: true, name: 'routingPointStatistics', value: { name: p.type === 'total' ? 'total' : 'snapshot', value } };
      }
      case 'startRoutingPoint':
        this.routingPoints.set(str(p.service), 'started-running');
        return ok;
      case 'stopRoutingPoint':
        if (!this.routingPoints.has(str(p.service))) return err('reject');
        this.routingPoints.set(str(p.service), 'stopped');
        return ok;
      case 'suspendRoutingPoint':
      case 'resumeRoutingPoint':
      case 'updateRoutingPoint': {
        const st = this.routingPoints.get(str(p.service));
        if (!st || st === 'stopped') return err('reject');
        if (service === 'suspendRoutingPoint') this.routingPoints.set(str(p.service), 'started-suspended');
        if (service === 'resumeRoutingPoint') this.routingPoints.set(str(p.service), 'started-running');
        return ok;
      }
      default:
        return err('reject');
    }
  }

  /** The device's call in one of `states` (with `other` as the other party when given). */
  private pick(device: string, states: string[], other?: string): RenderedCall {
    const calls = this.fe.callsOf(device);
    for (const s of states) {
      const c = calls.find((x) => x.view.state === s && (!other || x.view.participants.some((q) => q.number === other)));
      if (c) return c;
    }
    throw new SimError('bad_state', `no call in state ${states.join('/')} on ${device}`);
  }

  private async snapshot(device: string, u: SimUser, poll?: { timeout?: number; snapshotSeq?: number }): Promise<TsReturn> {
    const s = this.fe.sessions.get(device)!;
    if (poll && poll.timeout && poll.timeout > 0 && poll.snapshotSeq !== undefined && poll.snapshotSeq === s.seq) {
      await this.fe.waitChange(s, poll.timeout * 1000);
    }
    if (!this.fe.sessions.has(device)) return err('noOpenSession');
    const calls = this.fe.callsOf(device);
    const r = this.pbx.routing(u.login);
    const snap: TsSnapshot = {};
    if (poll) snap.snapshotSeq = s.seq;
    snap.calls = calls.length ? [renderCall(this.fe.callIdOf(device), calls, Date.now(), true) as TsCall] : [];
    snap.forwards = this.forwards(u.login);
    snap.msgWaiting = this.features.messaging.unread(u.login) > 0 ? 'on' : 'off';
    snap.doNotDisturb = r.dnd ? 'on' : 'off';
    const agent = this.agentInfo(u.login);
    if (agent.state !== 'loggedOff') snap.agent = agent;
    return { ok: true, name: 'snapshot', value: snap };
  }

  private forwards(login: string): TsForward[] {
    return typesOf(this.pbx.routing(login).forward).map((f) => ({ number: f.number, type: f.type, state: 'on' as const }));
  }

  /** One TelServices forward record on or off, applied to the PBX's single forward. */
  private forward(login: string, f: TsForward): void {
    const cur = new Map(typesOf(this.pbx.routing(login).forward).map((x) => [x.type as string, x.number]));
    const t = baseType(f.type);
    if (f.state === 'on') {
      if (!f.number) throw new SimError('bad_parameter', 'a forward needs a number');
      if (t === 'immediate') cur.clear();
      else cur.delete('immediate');
      cur.set(t, f.number);
    } else cur.delete(t);
    let next: Forward | null = null;
    if (cur.has('immediate')) next = { destination: cur.get('immediate')!, condition: 'immediate' };
    else if (cur.has('busy') && cur.has('noAnswer') && cur.get('busy') === cur.get('noAnswer')) next = { destination: cur.get('busy')!, condition: 'busy_no_answer' };
    else if (cur.has('busy')) next = { destination: cur.get('busy')!, condition: 'busy' };
    else if (cur.has('noAnswer')) next = { destination: cur.get('noAnswer')!, condition: 'no_answer' };
    this.pbx.setForward(login, next);
  }

  /** The PBX routing changed (from any front-end): forward and DND events, one per record that changed. */
  routingChanged(login: string, r: SimRouteState): void {
    const prev = this.lastRouting.get(login) ?? { forward: null, dnd: false };
    this.lastRouting.set(login, r);
    const before = new Map(typesOf(prev.forward).map((x) => [x.type as string, x.number]));
    const after = new Map(typesOf(r.forward).map((x) => [x.type as string, x.number]));
    for (const [type, number] of before) if (after.get(type) !== number) this.fe.toUser(login, { event: { name: 'forward', value: { number, type: type as ForwardTypeName, state: 'off' } } });
    for (const [type, number] of after) if (before.get(type) !== number) this.fe.toUser(login, { event: { name: 'forward', value: { number, type: type as ForwardTypeName, state: 'on' } } });
    if (prev.dnd !== r.dnd) this.fe.toUser(login, { event: { name: 'doNotDisturb', value: r.dnd ? 'on' : 'off' } });
  }

  agentInfo(login: string): TsAgent {
    const a = this.features.agents.state(login);
    const state: AgentStateName = a.activity === 'logged_off' ? 'loggedOff' : this.wrapup.has(login) ? 'workingAfterCall' : a.activity === 'ready' ? 'ready' : a.activity === 'paused' ? 'notReady' : 'loggedOn';
    const info: TsAgent = { userID: login, state };
    if (a.group) info.inboundServices = [this.features.agents.groups[a.group] ?? a.group];
    if (state !== 'loggedOff') info.permittedStates = ['loggedOff', 'ready', 'notReady', 'workingAfterCall'];
    return info;
  }

  private setAgent(u: SimUser, device: string, state: AgentStateName): void {
    const agents = this.features.agents;
    const dev = u.devices.includes(device) ? device : u.devices[0];
    const cur = agents.state(u.login);
    const hadWrapup = this.wrapup.delete(u.login);
    switch (state) {
      case 'loggedOff': agents.logoff(u.login); break;
      case 'loggedOn': agents.logon(u.login, dev); break;
      case 'ready':
        if (cur.activity === 'logged_off' || cur.group === undefined) agents.logon(u.login, dev, Object.keys(agents.groups)[0]);
        else if (cur.activity !== 'ready' || hadWrapup) agents.setActivity(u.login, 'ready');
        if (hadWrapup && cur.activity === 'ready') this.fe.toUser(u.login, { event: { name: 'agent', value: this.agentInfo(u.login) } });
        break;
      case 'notReady':
        if (cur.activity === 'logged_off' || cur.group === undefined) agents.logon(u.login, dev, Object.keys(agents.groups)[0]);
        agents.setActivity(u.login, 'paused');
        break;
      case 'workingAfterCall':
        if (cur.activity === 'logged_off') throw new SimError('bad_state', 'not logged on');
        this.wrapup.add(u.login);
        this.fe.toUser(u.login, { event: { name: 'agent', value: this.agentInfo(u.login) } });
        break;
      default:
        throw new SimError('bad_parameter', `agent state ${state} cannot be requested`);
    }
  }

  private directory(owner: string): TsParty[] {
    const base: TsParty[] = this.features.directory.contacts().map((c) => ({ number: c.number, name: [c.firstName, c.lastName].filter(Boolean).join(' '), numberType: 'work', company: c.login ? 'Simulated PBX' : 'Outside' }));
    const own = this.userDirectories.get(owner) ?? this.userDirectories.get(this.pbx.user(owner)?.login ?? '') ?? new Map();
    return [...base, ...[...own.values()].flat()];
  }

  /** The spec's "smart" search: names starting with it, else containing " it", else its company; sorted. */
  private searchName(name: string, owner: string, limit: number): TsParty[] {
    const all = this.directory(owner);
    const n = name.toLowerCase();
    let hits = all.filter((x) => (x.name ?? '').toLowerCase().startsWith(n));
    if (!hits.length) hits = all.filter((x) => (x.name ?? '').toLowerCase().includes(` ${n}`));
    if (!hits.length) hits = all.filter((x) => (x.company ?? '').toLowerCase() === n);
    return hits.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')).slice(0, Math.max(1, limit));
  }
}
