/**
 * Issue 19.10 on ALE, over real sockets: a server that echoes what it was sent in its 500 errors (the Authorization
 * header in several encodings, the base64 of the password alone, the session token bare) must not get any form of
 * a secret into an error, a warning, a diagnostic, a state or `util.inspect`.
 */
import { inspect } from 'node:util';
import type { PbxEvent } from '../../shared/model/events';
import { AleConnection, type AleDiagnostic } from '../../shared/platforms/ale/connection';
import { waitFor } from '../ale/helpers';
import { PASSWORD, startFakeAle, type FakeFaults } from './fake-ale';

const SCALED = { backoffInitialMs: 50, backoffMaxMs: 400, healthyAfterMs: 1000 };

/** Every form of the password and of the Basic value a test looks for. */
function forms(): string[] {
  const basic = Buffer.from(`bob:${PASSWORD}`).toString('base64');
  const pw = Buffer.from(PASSWORD).toString('base64');
  return [PASSWORD, basic, encodeURIComponent(basic), basic.replace(/\//g, '\\/'), pw, pw.replace(/=+$/, ''), Buffer.from(PASSWORD).toString('base64url')];
}

async function collect(faults: FakeFaults, what: (conn: AleConnection) => Promise<unknown>) {
  const fake = await startFakeAle(faults);
  const conn = new AleConnection({ platform: 'o2g', url: fake.url, login: 'bob', password: PASSWORD, requestTimeoutMs: 2000, extra: SCALED });
  const diags: AleDiagnostic[] = [];
  const warnings: string[] = [];
  const events: PbxEvent[] = [];
  conn.onDiagnostic((d) => diags.push(d));
  conn.onWarning((w) => warnings.push(w.message));
  conn.onEvent((e) => events.push(e));
  const err = await what(conn).then(() => undefined, (e: unknown) => e);
  await waitFor(() => diags.length >= 1, 3000, 'a diagnostic');
  const texts = [
    inspect(err, { depth: 10, showHidden: true }),
    JSON.stringify(err),
    ...diags.map((d) => `${d.message} ${inspect(d.error, { depth: 10 })}`),
    ...warnings,
    ...events.map((e) => JSON.stringify(e)),
    conn.stateInfo.reason ?? '',
    inspect(conn, { depth: 10, showHidden: true }),
  ];
  await conn.close();
  await fake.close();
  return { err, texts, diags };
}

describe('ALE: secrets echoed by a failing server', () => {
  it('authentication 500 echoing the Authorization header (raw, URL-encoded, JSON with \\/) and the base64 of the password', async () => {
    const r = await collect({ authEcho500: true }, (c) => c.ready(1500));
    // The echo reached us (scrubbed), so the check is not vacuous.
    expect(r.diags.some((d) => /cannot check/.test(d.message))).toBe(true);
    for (const t of r.texts) for (const f of forms()) expect(t).not.toContain(f);
  });

  it('an action meeting the same server: its error carries none of them either', async () => {
    const r = await collect({ authEcho500: true }, (c) => c.execute('listCalls', {}));
    expect(String((r.err as Error).message)).toMatch(/cannot check/);
    for (const t of r.texts) for (const f of forms()) expect(t).not.toContain(f);
  });

  it('the session open answering 500 with the bare session token: scrubbed although the session never opened', async () => {
    const fake = await startFakeAle({ sessionOpenEcho500: true });
    const conn = new AleConnection({ platform: 'o2g', url: fake.url, login: 'bob', password: PASSWORD, requestTimeoutMs: 2000, extra: SCALED });
    const err = (await conn.execute('listCalls', {}).catch((e: unknown) => e)) as Error;
    await conn.close();
    await fake.close();
    expect(err.message).toMatch(/no session for \*\*\*/);
    expect(err.message).not.toMatch(/tok\d+-/);
  });
});
