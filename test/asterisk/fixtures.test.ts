/**
 * Real AMI captures (test/fixtures/asterisk, see its README for sources and licences) replayed through the same
 * pipeline the live driver and `pbxflow replay` use, with each user's outcome asserted: who had which call, who
 * answered, who missed it and why; ring-group legs cancelled because another member answered are "answered
 * elsewhere", legs that never rang (DND) give their user nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmiMessage } from '../../shared/platforms/asterisk/codec';
import { AsteriskPipeline } from '../../shared/platforms/asterisk/pipeline';
import type { PbxEvent } from '../../shared/model/events';

const DIR = join(__dirname, '..', 'fixtures', 'asterisk');

/** A capture of AMI text, in chunks of odd sizes (frames split anywhere, as TCP does). */
function replayRaw(file: string, users: string[] = []): PbxEvent[] {
  const text = readFileSync(join(DIR, 'mqtt', file), 'utf8');
  const p = new AsteriskPipeline({ users });
  const out: PbxEvent[] = [];
  for (let i = 0; i < text.length; i += 777) out.push(...p.pushText(text.slice(i, i + 777)));
  out.push(...p.end());
  return out;
}

/** A cacofonisk capture: a JSON list of AMI messages (their `content` field is the library's, not Asterisk's). */
function replayJson(file: string, users: string[]): PbxEvent[] {
  const list = JSON.parse(readFileSync(join(DIR, 'cacofonisk', file), 'utf8')) as Array<Record<string, string>>;
  const p = new AsteriskPipeline({ users });
  const out: PbxEvent[] = [];
  for (const o of list) {
    const m = new AmiMessage();
    for (const [k, v] of Object.entries(o)) if (k !== 'content') m.fields[k] = String(v);
    out.push(...p.pushMessage(m));
  }
  return out;
}

/** Per user: the call event types in order, and the end reason of the last ended call. */
function outcome(events: PbxEvent[]): Record<string, { types: string[]; endReason?: string; answered?: boolean }> {
  const out: Record<string, { types: string[]; endReason?: string; answered?: boolean }> = {};
  for (const e of events) {
    if (!e.type.startsWith('call.')) continue;
    const o = (out[e.user] ??= { types: [] });
    o.types.push(e.type);
    if (e.type === 'call.ended') {
      o.endReason = e.call!.endReason;
      o.answered = e.call!.answered;
    }
  }
  return out;
}

const ANSWERED_IN = { types: ['call.incoming', 'call.answered', 'call.ended'], endReason: 'completed', answered: true };
const ANSWERED_OUT = { types: ['call.outgoing', 'call.answered', 'call.ended'], endReason: 'completed', answered: true };

describe('asterisk fixtures: FreePBX captures (sweeney/asterisk-mqtt, MIT)', () => {
  it('answered internal call: 21 calls 1986', () => {
    expect(outcome(replayRaw('answered-internal.raw'))).toEqual({ 21: ANSWERED_OUT, 1986: ANSWERED_IN });
  });

  it('answered call: 1986 calls 21', () => {
    const ev = replayRaw('answered-outbound.raw');
    expect(outcome(ev)).toEqual({ 1986: ANSWERED_OUT, 21: ANSWERED_IN });
    const inc = ev.find((e) => e.user === '21' && e.type === 'call.incoming')!;
    expect(inc.call).toMatchObject({ direction: 'incoming', from: { number: '1986' } });
  });

  it('caller gives up while it rings: a missed call for 21 (abandoned), not for the caller', () => {
    expect(outcome(replayRaw('unanswered-cancel.raw'))).toEqual({
      1986: { types: ['call.outgoing', 'call.ended'], endReason: 'abandoned', answered: false },
      21: { types: ['call.incoming', 'call.ended', 'call.missed'], endReason: 'abandoned', answered: false },
    });
  });

  it('hunt group nobody answers: each of the six members missed it (no answer), one call each', () => {
    const o = outcome(replayRaw('unanswered-huntgroup.raw'));
    for (const m of ['11', '12', '21', '41', '42', '51']) {
      expect(o[m]).toEqual({ types: ['call.incoming', 'call.ended', 'call.missed'], endReason: 'no_answer', answered: false });
    }
    expect(o[1986].types).toEqual(['call.outgoing', 'call.ended']);
  });

  it('only the monitored extensions get events', () => {
    const o = outcome(replayRaw('unanswered-huntgroup.raw', ['21', '42']));
    expect(Object.keys(o).sort()).toEqual(['21', '42']);
  });
});

describe('asterisk fixtures: Asterisk 13 chan_sip + Local captures (VoIPGRID/cacofonisk, MIT)', () => {
  const USERS = ['150010001', '150010002', '150010003'];

  it('ring group answered by one member: the other member\'s leg is answered elsewhere, not missed', () => {
    const o = outcome(replayJson('ab_callgroup.json', USERS));
    expect(o['150010001']).toEqual(ANSWERED_OUT);
    expect(o['150010002']).toEqual(ANSWERED_IN);
    expect(o['150010003']).toEqual({ types: ['call.incoming', 'call.ended'], endReason: 'answered_elsewhere', answered: false });
  });

  it('ring group where both members refuse after ringing: each rejected it (missed)', () => {
    const o = outcome(replayJson('ab_callgroup_no_answer.json', USERS));
    expect(o['150010002']).toEqual({ types: ['call.incoming', 'call.ended', 'call.missed'], endReason: 'rejected', answered: false });
    expect(o['150010003']).toEqual({ types: ['call.incoming', 'call.ended', 'call.missed'], endReason: 'rejected', answered: false });
  });

  it('a callee on DND never rang: nothing for them; the caller\'s call ended busy', () => {
    const o = outcome(replayJson('ab_dnd.json', USERS));
    expect(o['150010002']).toBeUndefined();
    expect(o['150010001']).toEqual({ types: ['call.outgoing', 'call.ended'], endReason: 'busy', answered: false });
  });

  it('a callee who rejects while ringing missed it (rejected)', () => {
    const o = outcome(replayJson('ab_reject.json', USERS));
    expect(o['150010002']).toEqual({ types: ['call.incoming', 'call.ended', 'call.missed'], endReason: 'rejected', answered: false });
  });

  it('call pick-up: the rung user did not miss it, the picker answered', () => {
    const o = outcome(replayJson('star_pickup.json', USERS));
    expect(o['150010002']).toEqual({ types: ['call.incoming', 'call.ended'], endReason: 'answered_elsewhere', answered: false });
    expect(o['150010003'].types).toContain('call.answered');
    expect(o['150010001']).toEqual(ANSWERED_OUT);
  });

  it('blind transfer: the transferer\'s call ends transferred to the target, who answers it', () => {
    const ev = replayJson('xfer_blind_abbcac.json', USERS);
    const o = outcome(ev);
    expect(o['150010002']).toEqual({ types: ['call.incoming', 'call.answered', 'call.transferred', 'call.ended'], endReason: 'transferred', answered: true });
    expect(ev.find((e) => e.user === '150010002' && e.type === 'call.transferred')!.call!.transferredTo).toEqual({ number: '203' });
    expect(o['150010003']).toEqual(ANSWERED_IN);
    expect(o['150010001']).toEqual(ANSWERED_OUT);
  });

  it('attended transfer: both of the transferer\'s calls end transferred; the other two parties talk on', () => {
    const ev = replayJson('xfer_abbcac.json', USERS);
    const o = outcome(ev);
    expect(o['150010002'].types).toEqual([
      'call.incoming', 'call.answered', 'call.outgoing', 'call.answered',
      'call.transferred', 'call.ended', 'call.transferred', 'call.ended',
    ]);
    const moved = ev.filter((e) => e.user === '150010002' && e.type === 'call.transferred').map((e) => e.call!.transferredTo?.number).sort();
    expect(moved).toEqual(['150010003', '201']);
    expect(o['150010001']).toEqual(ANSWERED_OUT);
    expect(o['150010003']).toEqual(ANSWERED_IN);
  });

  it('queue call abandoned: the queue reports it, the member who rang missed it', () => {
    const ev = replayJson('queue_a_cancel.json', USERS);
    const o = outcome(ev);
    expect(o['150010002']).toEqual({ types: ['call.incoming', 'call.ended', 'call.missed'], endReason: 'abandoned', answered: false });
    const q = ev.filter((e) => e.type === 'queue.abandoned');
    expect(q).toHaveLength(1);
    expect(q[0].queue).toMatchObject({ waitSeconds: expect.any(Number) });
  });
});

describe('asterisk replay: framing', () => {
  it('CRLF and LF, any chunking, and a last message without its empty line give the same events', () => {
    const text = readFileSync(join(DIR, 'mqtt', 'unanswered-cancel.raw'), 'utf8');
    const once = (t: string, step: number) => {
      const p = new AsteriskPipeline();
      const out: PbxEvent[] = [];
      for (let i = 0; i < t.length; i += step) out.push(...p.pushText(t.slice(i, i + step)));
      out.push(...p.end());
      return out.map((e) => `${e.user} ${e.type} ${e.id}`);
    };
    const lf = once(text, 1 << 20);
    expect(lf.length).toBeGreaterThan(0);
    expect(once(text.replace(/\n/g, '\r\n'), 3)).toEqual(lf);
    expect(once(text.replace(/\n+$/, ''), 1)).toEqual(lf);
  });
});
