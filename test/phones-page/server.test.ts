/**
 * The phones page's server over real HTTP (no browser): what it refuses (foreign Host, non-JSON posts, bad
 * fields), what its snapshot and event stream carry, and that its actions reach every front-end of the one PBX.
 */
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import { run as simulate } from '../../cli/commands/simulate';
import { runTraffic } from '../../cli/traffic';
import '../../shared/platforms';
import { acquireConnection, type Lease } from '../../shared/connection/registry';
import type { PbxEvent } from '../../shared/model/events';
import { startSimulator, type Simulator } from '../../simulator';
import { simFeatures } from '../../simulator/frontends/ale/operation-routes/features';
import type { PageState } from '../../simulator/web/model';
import { waitFor } from '../ale/helpers';

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

function call(sim: Simulator, method: string, path: string, o: { body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const url = new URL(path, sim.webUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: o.headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text }, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const post = (sim: Simulator, action: string, body: unknown) =>
  call(sim, 'POST', `/api/${action}`, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

/** The page's event stream: every `event:` frame, parsed. */
function stream(sim: Simulator): { frames: Array<{ event: string; data: unknown }>; close(): void } {
  const frames: Array<{ event: string; data: unknown }> = [];
  let buf = '';
  const req = request(new URL('/events', sim.webUrl), (res) => {
    res.on('data', (c: Buffer) => {
      buf += c.toString();
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event && data) frames.push({ event, data: JSON.parse(data) });
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  return { frames, close: () => req.destroy() };
}

/** What a page gets first: the state and the recent log. */
async function hello(sim: Simulator): Promise<{ state: PageState; log: Array<{ text: string }> }> {
  const es = stream(sim);
  try {
    await waitFor(() => es.frames.some((f) => f.event === 'hello'), 5000, 'hello');
    return es.frames.find((f) => f.event === 'hello')!.data as { state: PageState; log: Array<{ text: string }> };
  } finally {
    es.close();
  }
}

describe('phones page server', () => {
  let sim: Simulator;
  let o2g: Lease;
  const events: PbxEvent[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ web: { port: 0 }, ringTimeoutMs: 20_000 });
    o2g = acquireConnection({ platform: 'o2g', url: sim.url('o2g'), login: 'bob', password: 'bob-pw', requestTimeoutMs: 5000 });
    o2g.connection.onEvent((e) => events.push(e));
    await o2g.connection.ready();
  });
  afterAll(async () => {
    await o2g?.release();
    await sim?.close();
  });
  afterEach(() => sim.pbx.reset());

  it('serves the page and its assets from 127.0.0.1, with a strict content policy', async () => {
    const page = await call(sim, 'GET', '/');
    expect(page.status).toBe(200);
    expect(String(page.body.text)).toContain('<script src="phones.js" defer></script>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    for (const asset of ['/phones.js', '/phones.css']) expect((await call(sim, 'GET', asset)).status).toBe(200);
    expect((await call(sim, 'GET', '/nope')).status).toBe(404);
  });

  it('refuses a foreign Host (DNS rebinding), non-JSON posts, unknown actions and bad fields', async () => {
    expect((await call(sim, 'GET', '/state', { headers: { Host: 'attacker.example:80' } })).status).toBe(421);
    // A form post from another site (no JSON content type) does nothing.
    const form = await call(sim, 'POST', '/api/call', { body: 'from=0611223344&to=202', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect((await post(sim, 'explode', {})).status).toBe(404);
    expect((await post(sim, 'toString', {})).status).toBe(404);
    expect((await call(sim, 'POST', '/api/call', { body: '[1]', headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
    expect((await call(sim, 'POST', '/api/call', { body: '{nope', headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
    expect(await post(sim, 'call', { from: '0611223344' })).toMatchObject({ status: 400, body: { error: '"to" is required' } });
    expect(await post(sim, 'call', { from: '0611223344', to: '0699887766' })).toMatchObject({ status: 400, body: { error: expect.stringContaining('not a phone of this PBX') } });
    expect(await post(sim, 'forward', { user: 'bob', destination: '203', condition: 'sometimes' })).toMatchObject({ status: 400 });
    expect(await post(sim, 'hangup', { user: 'bob', ref: 'nope' })).toMatchObject({ status: 404 });
    expect(sim.pbx.calls()).toEqual([]);
    expect(sim.pbx.routing('bob').forward).toBeNull();
  });

  it('its snapshot has the phones, queues and numbers, and no password', async () => {
    const r = await call(sim, 'GET', '/state');
    const s = r.body as unknown as PageState;
    expect(s.phones.map((p) => p.login)).toEqual(['alice', 'bob', 'carol']);
    expect(s.phones[1]).toMatchObject({ number: '202', state: 'idle', devices: [{ device: '202', state: 'idle' }, { device: '2021', state: 'idle' }] });
    expect(s.queues).toEqual([expect.objectContaining({ number: '5000', name: 'Support', waiting: [], readyAgents: 0 })]);
    expect(JSON.stringify(s)).not.toMatch(/-pw/);
  });

  it('a click reaches every front-end: an outside call placed by POST rings at Bob on O2G, and the stream shows it', async () => {
    const es = stream(sim);
    try {
      await waitFor(() => es.frames.some((f) => f.event === 'hello'), 5000, 'hello');
      const placed = await post(sim, 'call', { from: '0611223344', to: '202' });
      expect(placed).toMatchObject({ status: 200, body: { ok: true, ref: expect.any(String) } });
      await waitFor(() => events.some((e) => e.type === 'call.incoming' && e.call?.from.number === '0611223344'), 5000, 'call.incoming on O2G');
      await waitFor(() => es.frames.some((f) => f.event === 'state' && (f.data as PageState).phones[1].state === 'ringing'), 5000, 'ringing state');
      const texts = () => es.frames.filter((f) => f.event === 'log').map((f) => (f.data as { text: string }).text);
      await waitFor(() => texts().some((t) => t.startsWith('bob: call from 0611223344 ringing')), 5000, 'log line');
      expect(texts().indexOf('page: 0611223344 calls 202')).toBeLessThan(texts().findIndex((t) => t.startsWith('bob: call from')));

      // Bob answers on his second device; the outside party hangs up.
      const ref = String(placed.body.ref);
      expect((await post(sim, 'answer', { ref, user: 'bob', device: '2021' })).status).toBe(200);
      await waitFor(() => events.some((e) => e.type === 'call.answered' && e.call?.device === '2021'), 5000, 'call.answered on 2021');
      expect((await post(sim, 'hangup', { ref, user: '0611223344' })).status).toBe(200);
      await waitFor(() => events.some((e) => e.type === 'call.ended' && e.call?.answered === true), 5000, 'call.ended');
      await waitFor(() => texts().includes('bob: call with 0611223344 ended (hung up)'), 5000, 'ended line');
    } finally {
      es.close();
    }
  });

  it('acts as the outside party a user calls, shows queues and overflow, and says when do-not-disturb refuses a call', async () => {
    const out = await post(sim, 'call', { from: 'alice', to: '0699887766' });
    let s = (await call(sim, 'GET', '/state')).body as unknown as PageState;
    expect(s.outside).toEqual([expect.objectContaining({ number: '0699887766', state: 'ringing', with: 'alice' })]);
    expect((await post(sim, 'answer', { ref: out.body.ref })).status).toBe(200);
    s = (await call(sim, 'GET', '/state')).body as unknown as PageState;
    expect(s.phones[0]).toMatchObject({ state: 'talking', calls: [expect.objectContaining({ other: '0699887766', state: 'talking' })] });
    expect((await post(sim, 'hangup', { ref: out.body.ref, user: '0699887766' })).status).toBe(200);

    const f = simFeatures(sim.pbx);
    f.agents.logon('carol', '203', '5000');
    expect((await post(sim, 'agent', { user: 'carol', activity: 'paused' })).status).toBe(200);
    await post(sim, 'call', { from: '0655443322', to: '5000' });
    const es = stream(sim);
    try {
      await waitFor(() => es.frames.some((x) => x.event === 'hello'), 5000, 'hello');
      // The overflow is not on the PBX's change stream (the REST route sets it): the page still learns of it.
      f.overflow.set('bob', { destination: 'voicemail', condition: 'no_answer' });
      await waitFor(() => es.frames.some((x) => x.event === 'state' && (x.data as PageState).phones[1].overflow?.destination === 'voicemail'), 5000, 'overflow shown');
      s = (await call(sim, 'GET', '/state')).body as unknown as PageState;
      expect(s.queues[0]).toMatchObject({ waiting: [expect.objectContaining({ caller: '0655443322' })], readyAgents: 0, agents: [expect.objectContaining({ login: 'carol', activity: 'paused' })] });
    } finally {
      es.close();
      f.agents.logoff('carol');
      f.overflow.delete('bob');
    }

    expect((await post(sim, 'dnd', { user: 'carol', on: true })).status).toBe(200);
    expect((await post(sim, 'call', { from: '0611223344', to: '203' })).status).toBe(200);
    const log = (await hello(sim)).log.map((l) => l.text);
    expect(log).toContain('203 refused the call from 0611223344 (busy: do not disturb)');
    await post(sim, 'dnd', { user: 'carol', on: false });
  });

  it('pauses and resumes the generated calls: a switch offered only while they run, behind the same JSON-only rules', async () => {
    // No generator: nothing to pause, and the page does not offer the switch.
    expect(((await call(sim, 'GET', '/state')).body as unknown as PageState).traffic).toEqual({ generated: false, paused: false });
    expect(await post(sim, 'traffic', { paused: true })).toMatchObject({ status: 400, body: { error: expect.stringContaining('--traffic') } });
    const lines: string[] = [];
    const stop = new AbortController();
    const run = runTraffic({ pbx: sim.pbx, signal: stop.signal, pace: 0.05, say: (l) => lines.push(l) });
    const calls = () => lines.filter((l) => !/^(paused|resumed)/.test(l)).length;
    try {
      await waitFor(() => calls() >= 2, 10_000, 'generated calls');
      expect(((await call(sim, 'GET', '/state')).body as unknown as PageState).traffic).toEqual({ generated: true, paused: false });
      // A form post from another site (no JSON) cannot pause them; a bad value is refused.
      expect((await call(sim, 'POST', '/api/traffic', { body: 'paused=true', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
      expect(await post(sim, 'traffic', { paused: 'maybe' })).toMatchObject({ status: 400 });
      const es = stream(sim);
      try {
        expect(await post(sim, 'traffic', { paused: true })).toMatchObject({ status: 200, body: { ok: true } });
        await waitFor(() => es.frames.some((f) => f.event === 'state' && (f.data as PageState).traffic.paused), 5000, 'the page shows paused');
        // The call under way plays to its end; then no new one starts (a round at this pace is well under a second).
        await waitFor(() => sim.pbx.calls().length === 0, 5000, 'the current call to end');
        const before = calls();
        await new Promise((r) => setTimeout(r, 1200));
        expect(calls()).toBe(before);
        expect(sim.pbx.calls()).toEqual([]);
        expect(lines).toContain("paused: no new calls until the traffic is resumed (the phones page's switch)");

        expect(await post(sim, 'traffic', { paused: false })).toMatchObject({ status: 200 });
        await waitFor(() => calls() > before, 5000, 'generated calls again');
        await waitFor(() => es.frames.some((f) => f.event === 'log' && (f.data as { text: string }).text === 'page: generated calls resumed'), 5000, 'the log line');
      } finally {
        es.close();
      }
    } finally {
      stop.abort();
      await run;
    }
    expect(((await call(sim, 'GET', '/state')).body as unknown as PageState).traffic.generated).toBe(false);
  });

  it('`pbxflow simulate` prints the page address, and the page is there while it runs', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    const io = { stdin: new PassThrough(), stdout, stderr: new PassThrough() };
    const done = simulate(['--duration', '1500'], io);
    await waitFor(() => /phones: +http:\/\/127\.0\.0\.1:\d+\//.test(out), 5000, 'the phones line');
    const url = /phones: +(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)![1];
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('virtual phones');
    expect(await done).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });
});
