/**
 * The operations AMI can do, each a few actions, and what it cannot (one table: `supports()` and the docs read it).
 * DND and call forward are set the FreePBX way: the AstDB key the dialplan reads AND the custom device state the
 * phones' lamps follow.
 */
import { PbxApiError, PbxError } from '../../errors';
import type { CallInfo, RoutingInfo } from '../../model/events';
import type { OperationName } from '../../operations/catalogue';
import type { AsteriskPipeline } from './pipeline';
import type { AmiSession } from './session';
import type { AsteriskSettings } from './settings';

/** What each operation is on AMI, or why it is not there. */
export const ASTERISK_OPERATIONS: Partial<Record<OperationName, string>> = {
  makeCall: 'Originate (async): rings the user\'s phone, then dials the destination; OriginateResponse awaited',
  hangUp: 'Hangup of the user\'s channel',
  blindTransfer: 'BlindTransfer of the user\'s channel',
  consultationCall: 'Atxfer of the user\'s channel: the other party waits on hold, the user\'s side dials the destination',
  transfer: 'Completes a consultation started with Consultation Call (Atxfer): the user\'s leg hangs up, Asterisk joins the two (AttendedTransfer)',
  redirect: 'Redirect of the caller\'s channel (a ringing call)',
  listCalls: 'The tracker\'s calls (rebuilt from CoreShowChannels on every connect)',
  getRouting: 'DBGet DND, CF, CFB, CFU',
  setForward: 'DBPut CF/CFB/CFU + Setvar DEVICE_STATE(Custom:CF<ext>)',
  cancelForward: 'DBDel CF/CFB/CFU + Setvar DEVICE_STATE(Custom:CF<ext>)',
  setDnd: 'DBPut/DBDel DND + Setvar DEVICE_STATE(Custom:DND<ext>)',
  getDnd: 'DBGet DND',
  setAgentState: 'QueuePause (ready / not ready), QueueAdd (log on), QueueRemove (log off)',
  getAgentState: 'QueueStatus of the member',
  searchDirectory: 'PJSIPShowEndpoints',
};

/** Not on AMI, and why (said in errors and docs). */
export const ASTERISK_CANNOT: Partial<Record<OperationName, string>> = {
  answer: 'AMI cannot make a SIP phone go off-hook',
  hold: 'AMI has no hold action (the phone holds)',
  retrieve: 'AMI has no retrieve action (the phone retrieves)',
};

export interface OpContext {
  session: AmiSession;
  pipeline: AsteriskPipeline;
  settings: AsteriskSettings;
  user: string;
}

let originates = 0;

export async function runOperation(op: OperationName, input: Record<string, unknown>, c: OpContext): Promise<unknown> {
  const s = c.settings;
  const ext = c.user;
  switch (op) {
    case 'makeCall': {
      const dest = need(input, 'destination');
      const channelId = `pbxflow-${Date.now()}.${++originates}`;
      c.pipeline.normalizer.expectOriginate(channelId, dest);
      const a = await c.session.action('Originate', {
        Channel: `${s.channelTech}/${str(input.deviceId) || ext}`, Context: s.originateContext, Exten: dest, Priority: 1,
        CallerID: `"${dest}" <${dest}>`, Timeout: 30_000, Async: 'true', ChannelId: channelId,
      }, { until: 'OriginateResponse', timeoutMs: 30_000 + s.requestTimeoutMs });
      const r = a.events[0]?.fields ?? {};
      if (r.Response !== 'Success') throw new PbxApiError(`the call could not be made: ${originateReason(r.Reason)}`, { type: 'OriginateResponse', code: r.Reason });
      return { callId: channelId, user: ext, destination: dest };
    }
    case 'hangUp': {
      await c.session.action('Hangup', { Channel: channelOf(c, input), Cause: 16 });
      return { callId: str(input.callId), done: true };
    }
    case 'blindTransfer': {
      const dest = need(input, 'destination');
      await c.session.action('BlindTransfer', { Channel: channelOf(c, input), Context: s.originateContext, Exten: dest });
      return { callId: str(input.callId), transferredTo: dest };
    }
    case 'consultationCall': {
      const dest = need(input, 'destination');
      const callId = str(input.callId) || onlyAnsweredCall(c);
      const channel = channelOf(c, { callId });
      await c.session.action('Atxfer', { Channel: channel, Context: s.originateContext, Exten: dest });
      consultations(c).set(ext, callId);
      return { heldCallId: callId, destination: dest };
    }
    case 'transfer': {
      // Asterisk completes an Atxfer when the transferer hangs up; a consultation the phone placed itself is the
      // phone's to complete (AMI cannot join two independent calls).
      const heldCallId = need(input, 'heldCallId');
      if (consultations(c).get(ext) !== heldCallId) throw new PbxError('UNSUPPORTED', `Asterisk can only complete a consultation started with Consultation Call (Atxfer); ${heldCallId} was not`);
      const channel = channelOf(c, input);
      consultations(c).delete(ext);
      await c.session.action('Hangup', { Channel: channel, Cause: 16 });
      return { callId: str(input.callId), heldCallId, done: true };
    }
    case 'redirect': {
      const dest = need(input, 'destination');
      const callId = need(input, 'callId');
      const caller = c.pipeline.normalizer.callerChannelOf(ext, callId);
      if (!caller) throw new PbxError('INVALID_INPUT', `no ringing call ${callId} for ${ext}`);
      c.pipeline.normalizer.markRedirect(ext, callId, dest);
      await c.session.action('Redirect', { Channel: caller, Context: s.originateContext, Exten: dest, Priority: 1 });
      return { callId, redirectedTo: dest };
    }
    case 'listCalls': {
      const calls: CallInfo[] = c.pipeline.tracker.callsOf(ext);
      return calls;
    }
    case 'getDnd':
      return { dnd: (await dbGet(c, 'DND', ext)) !== undefined };
    case 'setDnd': {
      const on = input.enabled !== false && input.enabled !== 'false';
      if (on) await c.session.action('DBPut', { Family: 'DND', Key: ext, Val: 'YES' });
      else await dbDel(c, 'DND', ext);
      await c.session.action('Setvar', { Variable: `DEVICE_STATE(Custom:DND${ext})`, Value: on ? 'BUSY' : 'NOT_INUSE' });
      return { dnd: on };
    }
    case 'getRouting':
      return routing(c);
    case 'setForward': {
      if (str(input.target) === 'voicemail') throw new PbxError('UNSUPPORTED', 'FreePBX forwards go to a number (forward to voicemail is a FreePBX follow-me setting)');
      const number = need(input, 'number');
      const cond = str(input.condition) || 'immediate';
      const families = cond === 'immediate' ? ['CF'] : cond === 'busy' ? ['CFB'] : cond === 'no_answer' ? ['CFU'] : cond === 'busy_no_answer' ? ['CFB', 'CFU'] : undefined;
      if (!families) throw new PbxError('INVALID_INPUT', 'condition must be immediate, busy, no_answer or busy_no_answer');
      for (const fam of families) await c.session.action('DBPut', { Family: fam, Key: ext, Val: number });
      // AMI never announces AstDB's CFU: the normalizer learns the forward on no answer's target from us.
      c.pipeline.normalizer.setNoAnswerForward(ext, families.includes('CFU') ? number : undefined);
      if (families.includes('CF')) {
        c.pipeline.normalizer.setForwardTarget(ext, number);
        await c.session.action('Setvar', { Variable: `DEVICE_STATE(Custom:CF${ext})`, Value: 'BUSY' });
      }
      return routing(c);
    }
    case 'cancelForward': {
      for (const fam of ['CF', 'CFB', 'CFU']) await dbDel(c, fam, ext);
      c.pipeline.normalizer.setForwardTarget(ext, undefined);
      c.pipeline.normalizer.setNoAnswerForward(ext, undefined);
      await c.session.action('Setvar', { Variable: `DEVICE_STATE(Custom:CF${ext})`, Value: 'NOT_INUSE' });
      return routing(c);
    }
    case 'setAgentState': {
      const state = str(input.state);
      const iface = `Local/${ext}@from-queue/n`;
      const queue = str(input.group) || undefined;
      if (state === 'ready' || state === 'not_ready') await c.session.action('QueuePause', { Interface: iface, Paused: state === 'not_ready' ? 'true' : 'false', Queue: queue });
      else if (state === 'logon') await c.session.action('QueueAdd', { Queue: need(input, 'group'), Interface: iface, StateInterface: `hint:${ext}@ext-local`, MemberName: ext });
      else if (state === 'logoff') await c.session.action('QueueRemove', { Queue: need(input, 'group'), Interface: iface });
      else throw new PbxError('INVALID_INPUT', 'state must be logon, logoff, ready or not_ready');
      return { state, group: queue };
    }
    case 'getAgentState': {
      const a = await c.session.action('QueueStatus', { Member: `Local/${ext}@from-queue/n` }, { list: true });
      const groups = a.events.filter((m) => m.fields.Event === 'QueueMember').map((m) => ({ group: m.fields.Queue, paused: m.fields.Paused === '1', inCall: m.fields.InCall === '1' }));
      const state = groups.length === 0 ? 'logged_off' : groups.every((g) => g.paused) ? 'not_ready' : groups.some((g) => g.inCall) ? 'busy' : 'ready';
      return { state, groups };
    }
    case 'searchDirectory': {
      const q = need(input, 'query').toLowerCase();
      const limit = Math.max(1, Math.min(500, Number(input.limit) || 20));
      const a = await c.session.action('PJSIPShowEndpoints', {}, { list: true });
      const out: Array<{ number: string; name?: string; state?: string }> = [];
      for (const m of a.events) {
        const f = m.fields;
        if (f.Event !== 'EndpointList' || !f.ObjectName) continue;
        const name = f.CallerID ? f.CallerID.replace(/\s*<[^>]*>\s*$/, '').replace(/^"|"$/g, '') : undefined;
        if (!f.ObjectName.toLowerCase().includes(q) && !(name && name.toLowerCase().includes(q))) continue;
        out.push({ number: f.ObjectName, ...(name ? { name } : {}), ...(f.DeviceState ? { state: f.DeviceState.toLowerCase() } : {}) });
        if (out.length >= limit) break;
      }
      return out;
    }
    default:
      throw new PbxError('UNSUPPORTED', `Asterisk cannot ${op}${ASTERISK_CANNOT[op] ? `: ${ASTERISK_CANNOT[op]}` : ''}`);
  }
}

async function routing(c: OpContext): Promise<RoutingInfo> {
  const [dnd, cf, cfb, cfu] = await Promise.all(['DND', 'CF', 'CFB', 'CFU'].map((f) => dbGet(c, f, c.user)));
  const forward = cf ? { type: 'number', destination: cf, condition: 'immediate' }
    : cfb && cfu ? { type: 'number', destination: cfb, condition: 'busy_no_answer' }
      : cfb ? { type: 'number', destination: cfb, condition: 'busy' }
        : cfu ? { type: 'number', destination: cfu, condition: 'no_answer' } : null;
  return { forward, overflow: null, dnd: dnd !== undefined };
}

async function dbGet(c: OpContext, family: string, key: string): Promise<string | undefined> {
  try {
    const a = await c.session.action('DBGet', { Family: family, Key: key }, { list: true });
    return a.events.find((m) => m.fields.Event === 'DBGetResponse')?.fields.Val;
  } catch (err) {
    if (err instanceof PbxApiError && /not found/i.test(err.message)) return undefined;
    throw err;
  }
}

async function dbDel(c: OpContext, family: string, key: string): Promise<void> {
  try {
    await c.session.action('DBDel', { Family: family, Key: key });
  } catch (err) {
    if (!(err instanceof PbxApiError && /not found|failed/i.test(err.message))) throw err;
  }
}

/** Per connection (its pipeline): the call each user holds while consulting after an Atxfer. */
const consulting = new WeakMap<AsteriskPipeline, Map<string, string>>();
function consultations(c: OpContext): Map<string, string> {
  let m = consulting.get(c.pipeline);
  if (!m) consulting.set(c.pipeline, (m = new Map()));
  return m;
}

function onlyAnsweredCall(c: OpContext): string {
  const calls = c.pipeline.tracker.callsOf(c.user).filter((x) => x.answered);
  if (calls.length !== 1) throw new PbxError('INVALID_INPUT', `say which call (callId): ${c.user} has ${calls.length} answered calls`);
  return calls[0].id;
}

function channelOf(c: OpContext, input: Record<string, unknown>): string {
  const callId = need(input, 'callId');
  const ch = c.pipeline.normalizer.channelOf(c.user, callId);
  if (!ch) throw new PbxError('INVALID_INPUT', `no call ${callId} for ${c.user}`);
  return ch;
}

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

function need(input: Record<string, unknown>, k: string): string {
  const v = str(input[k]);
  if (!v) throw new PbxError('INVALID_INPUT', `${k} is required`);
  if (v.length > 200 || /[\r\n]/.test(v)) throw new PbxError('INVALID_INPUT', `${k} is not valid`);
  return v;
}

/** OriginateResponse `Reason` (the last control frame) in words. */
function originateReason(r: string | undefined): string {
  switch (r) {
    case '0': return 'no such phone or it is unreachable';
    case '1': return 'hung up';
    case '3': return 'the phone rang but nobody answered';
    case '5': return 'busy';
    case '8': return 'congestion';
    default: return `reason ${r ?? 'unknown'}`;
  }
}
