/**
 * One entry from the first byte (issue 20): the live channel and `pbxflow replay` both hand the raw chunks of the
 * event stream to `AlePipeline.input`, so the same bytes, cut anywhere (inside a line, inside a UTF-8 character),
 * give the same events and the same bad-line reports. Live: a small ALE server on loopback writing chosen pieces.
 */
import { Readable } from 'node:stream';
import { run as replay } from '../../cli/commands/replay';
import type { PbxEvent } from '../../shared/model/events';
import { AleConnection, type AleDiagnostic } from '../../shared/platforms/ale/module';
import { AleInput, AlePipeline } from '../../shared/platforms/ale/pipeline';
import { captureIo } from '../helpers/cli';
import { PASSWORD, startFakeAle, type FakeAle } from '../reliability/fake-ale';
import { waitFor } from './helpers';

/** A ringing call from a caller whose name needs 2-, 3- and 4-byte UTF-8 characters, then its end. */
const created = (ref: string, name: string) => JSON.stringify({
  eventName: 'OnCallCreated', loginName: 'bob', callRef: ref, cause: 'UNKNOWN',
  callData: { state: 'RINGING_INCOMING', callUUID: `u-${ref}` },
  legs: [{ deviceId: '202', state: 'RINGING_INCOMING', ringingRemote: false }],
  participants: [{ participantId: '201', identity: { id: { phoneNumber: '201', loginName: 'alice' }, displayName: name } }],
});
const removed = (ref: string, cause: string) => JSON.stringify({ eventName: 'OnCallRemoved', loginName: 'bob', callRef: ref, cause });

const LINES = [
  created('c1', 'Zoé Ångström 😀'),
  removed('c1', 'ABANDONED'),
  '',
  '{"eventName": "OnCallCreated", "callRef": oops',
  created('c2', '日本語の名前 🎉'),
  removed('c2', 'ABANDONED'),
];
/** CRLF line ends and a blank line, as some servers and captures have them. */
const CAPTURE = Buffer.from(`${LINES.join('\r\n')}\r\n`, 'utf8');

/** A small seeded generator: the same cuts every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
}

/** Offsets inside a multi-byte character (after its first byte) and inside a line. */
const insideChar = (bytes: Buffer, at: number) => at > 0 && at < bytes.length && (bytes[at] & 0xc0) === 0x80;
const insideLine = (bytes: Buffer, at: number) => at > 0 && at < bytes.length && bytes[at - 1] !== 0x0a;

/** `bytes` cut at every forced offset, and at random ones between. */
function cut(bytes: Buffer, seed: number): Buffer[] {
  const r = prng(seed);
  const at = new Set<number>();
  // One cut inside each of the first 2-, 3- and 4-byte characters, whatever else happens.
  for (const ch of ['é', '日', '😀']) at.add(bytes.indexOf(Buffer.from(ch)) + 1 + Math.floor(r() * (Buffer.byteLength(ch) - 1)));
  for (let i = 1; i < bytes.length; i += 1 + Math.floor(r() * 60)) at.add(i);
  const cuts = [...at].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of cuts) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  out.push(bytes.subarray(from));
  return out;
}

const boundaries = (chunks: Buffer[]): number[] => {
  const out: number[] = [];
  let n = 0;
  for (const c of chunks.slice(0, -1)) out.push((n += c.length));
  return out;
};

/** What an event says, without the clock (receive times differ between a live run and its replay). */
const said = (e: PbxEvent | Record<string, unknown>): string => JSON.stringify(e, (k, v: unknown) => (/^(time|startedAt|answeredAt|endedAt|ringSeconds|talkSeconds)$/.test(k) ? undefined : v));

describe('ALE: one entry from the first byte', () => {
  let fake: FakeAle;
  /** Every chunk given to the entry, by whom (live channel or replay) in order. */
  let pushes: Buffer[];
  let spy: jest.SpyInstance;
  beforeEach(async () => {
    fake = await startFakeAle();
    pushes = [];
    const push = AleInput.prototype.push;
    spy = jest.spyOn(AleInput.prototype, 'push').mockImplementation(function (this: AleInput, chunk: Buffer | string) {
      pushes.push(Buffer.from(chunk));
      return push.call(this, chunk);
    });
  });
  afterEach(async () => {
    spy.mockRestore();
    await fake.close();
  });

  it('the live channel and replay take the same bytes, cut anywhere, through the same entry: the same events and reports', async () => {
    const conn = new AleConnection({ platform: 'opentouch', url: fake.url, login: 'bob', password: PASSWORD, requestTimeoutMs: 2000, extra: { backoffInitialMs: 50, backoffMaxMs: 400 } });
    const live: PbxEvent[] = [];
    const diags: AleDiagnostic[] = [];
    conn.onEvent((e) => live.push(e));
    conn.onDiagnostic((d) => diags.push(d));
    try {
      await conn.ready(5000);
      // The greeting line went in through the entry already: the live channel's bytes start there.
      const greeting = Buffer.concat(pushes);
      expect(greeting.toString()).toMatch(/^\{"eventName":"OnChannelInformation".*\n$/);
      // Each piece written once the client has taken the one before: the client reads these very cuts.
      let written = greeting.length;
      const taken = () => pushes.reduce((n, b) => n + b.length, 0);
      for (const piece of cut(CAPTURE, 20)) {
        for (const ch of fake.channels) ch.write(piece);
        written += piece.length;
        await waitFor(() => taken() === written, 2000, 'the piece read');
      }
      await waitFor(() => live.filter((e) => e.type === 'call.missed').length === 2, 2000, 'both calls missed');
      const stream = Buffer.concat(pushes);
      expect(stream.equals(Buffer.concat([greeting, CAPTURE]))).toBe(true);
      const liveCuts = boundaries(pushes).map((b) => b - greeting.length).filter((b) => b > 0);
      expect(liveCuts.some((b) => insideChar(CAPTURE, b))).toBe(true);
      expect(liveCuts.some((b) => insideLine(CAPTURE, b))).toBe(true);

      // The same bytes, greeting included, as a capture file read in other cuts.
      const before = pushes.length;
      const replayChunks = cut(stream, 7);
      const t = captureIo();
      t.io.stdin = Readable.from(replayChunks);
      expect(await replay(['--platform', 'opentouch'], t.io)).toBe(0);
      expect(pushes.slice(before).map((b) => b.length)).toEqual(replayChunks.map((b) => b.length));
      const replayed = t.out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

      const calls = live.filter((e) => e.type.startsWith('call.'));
      expect(calls.map((e) => e.type)).toEqual(['call.incoming', 'call.ended', 'call.missed', 'call.incoming', 'call.ended', 'call.missed']);
      expect(calls.filter((e) => e.type === 'call.incoming').map((e) => e.call?.from.name)).toEqual(['Zoé Ångström 😀', '日本語の名前 🎉']);
      expect(replayed.map(said)).toEqual(calls.map(said));
      // The bad line: one report each, naming it (live: a warning; replay: its line number in the capture).
      expect(diags.filter((d) => d.kind === 'decode').map((d) => d.message)).toEqual([expect.stringContaining('"callRef": oops')]);
      expect(conn.stats.decodeErrors).toBe(1);
      expect(t.err()).toMatch(/^line 5: malformed JSON.*\nreplay: 1 of 7 line\(s\) skipped\n$/);
    } finally {
      await conn.close();
    }
  });

  it('every cut of a capture in two, and any cut in many, gives the events of the whole', () => {
    const now = () => 1_700_000_000_000;
    const events = (chunks: Array<Buffer | string>) => {
      const out: PbxEvent[] = [];
      const bad: number[] = [];
      const input = new AlePipeline({ platform: 'opentouch', now }).input((e) => out.push(...e), { bad: (_e, n) => bad.push(n) });
      for (const c of chunks) input.push(c);
      input.end();
      return JSON.stringify({ out, bad, seen: input.seen });
    };
    const whole = events([CAPTURE]);
    expect(JSON.parse(whole)).toMatchObject({ bad: [4], seen: 6 });
    expect(whole).toContain('Zoé Ångström 😀');
    for (let k = 1; k < CAPTURE.length; k++) expect(events([CAPTURE.subarray(0, k), CAPTURE.subarray(k)])).toBe(whole);
    for (let seed = 1; seed <= 20; seed++) expect(events(cut(CAPTURE, seed))).toBe(whole);
    // One byte at a time, and a last line without its newline.
    expect(events([...CAPTURE].map((b) => Buffer.from([b])))).toBe(whole);
    const open = CAPTURE.subarray(0, CAPTURE.length - 2);
    expect(events([open.subarray(0, 100), open.subarray(100)])).toBe(events([open]));
    expect(JSON.parse(events([open])).out.length).toBe(JSON.parse(whole).out.length);
  });
});
