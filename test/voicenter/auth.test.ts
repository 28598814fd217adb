/** Wrong credentials stop for good (counted), secrets never show, and closing leaves nothing open. */
import { inspect } from 'node:util';
import { AuthError, PbxError } from '../../shared/errors';
import { VoicenterConnection } from '../../shared/platforms/voicenter/module';
import { startVc, connect, waitFor, type VcSim } from './helpers';

let s: VcSim;
beforeAll(async () => {
  s = await startVc('2');
});
afterAll(async () => {
  await s.sim.close();
});

const settle = () => new Promise((r) => setTimeout(r, 400));

describe('Voicenter credentials', () => {
  it('user login with a wrong password: failed, one HTTP login, no socket', async () => {
    const before = s.vc.stats.httpLogins;
    const p = connect(s, 'user', { password: 'wrong-password-1' });
    await expect(p.conn.ready(5000)).rejects.toBeInstanceOf(AuthError);
    await settle();
    expect(p.conn.state).toBe('failed');
    expect(s.vc.stats.httpLogins - before).toBe(1);
    expect(p.conn.stats.sockets).toBe(0);
    await p.conn.close();
  });

  it('account login with a wrong password: failed after one socket login', async () => {
    const before = s.vc.stats.failedSocketLogins;
    const p = connect(s, 'account', { password: 'wrong-password-2' });
    await expect(p.conn.ready(5000)).rejects.toBeInstanceOf(AuthError);
    await settle();
    expect(p.conn.stats.socketLogins).toBe(1);
    expect(p.conn.stats.sockets).toBe(1);
    expect(s.vc.stats.failedSocketLogins - before).toBe(1);
    await p.conn.close();
  });

  it('token on the socket, wrong: refused at the handshake, once', async () => {
    const before = s.vc.stats.connections;
    const p = connect(s, 'token', { password: 'wrong-token-3', extra: { serverUrl: s.vc.socketUrls[0] } });
    await expect(p.conn.ready(5000)).rejects.toBeInstanceOf(AuthError);
    await settle();
    expect(p.conn.stats.sockets).toBe(1);
    expect(s.vc.stats.connections - before).toBe(0);
    await p.conn.close();
  });

  it('token through the login API, wrong: one HTTP login', async () => {
    const before = s.vc.stats.httpLogins;
    const p = connect(s, 'token-api', { password: 'wrong-token-4' });
    await expect(p.conn.ready(5000)).rejects.toMatchObject({ code: 'AUTH' });
    await settle();
    expect(s.vc.stats.httpLogins - before).toBe(1);
    await p.conn.close();
  });

  it('login API unreachable: retried through the back-off, not stopped', async () => {
    const p = connect(s, 'user', { url: 'http://127.0.0.1:1/monitorAPI/Login', extra: { backoffInitialMs: 50, backoffMaxMs: 100 } });
    await waitFor(() => p.conn.stats.httpLogins >= 3, 5000, 'retries');
    expect(p.conn.state).toBe('reconnecting');
    await p.conn.close();
  });

  it('bad settings are a clear error at once', () => {
    const base = { platform: 'voicenter' as const, url: '', login: 'a@b.c', password: 'x-secret' };
    expect(() => new VoicenterConnection({ ...base, extra: { loginType: 'nope' } })).toThrow(/loginType/);
    expect(() => new VoicenterConnection({ ...base, password: '' })).toThrow(/password/);
    expect(() => new VoicenterConnection({ ...base, extra: { socketVersion: '3' } })).toThrow(/socketVersion/);
    expect(() => new VoicenterConnection({ ...base, extra: { serverUrl: 'ftp://x' } })).toThrow(PbxError);
  });

  it('no password, token or refresh token in warnings, states, errors, events or inspect', async () => {
    const secretsOf = (text: string) => [/vct-[0-9a-f]+/, /vcr-[0-9a-f]+/, new RegExp(s.vc.credentials.user[0].password), new RegExp(s.vc.organizationToken), /wrong-password-5/].filter((r) => r.test(text));
    const p = connect(s, 'user', { extra: { keepaliveMs: 100 } });
    const t = connect(s, 'token');
    const bad = connect(s, 'account', { password: 'wrong-password-5' });
    await Promise.all([p.conn.ready(5000), t.conn.ready(5000), bad.conn.ready(5000).catch(() => undefined)]);
    s.vc.keepaliveError(1);
    s.vc.expireTokens();
    await waitFor(() => p.conn.stats.snapshots >= 2 && p.conn.state === 'connected', 5000, 'back');
    s.sim.pbx.makeCall('bob', '201');
    await waitFor(() => p.of('call.incoming').length === 1, 5000, 'call');
    const text = [
      JSON.stringify(p.events), JSON.stringify(p.warnings), JSON.stringify(t.warnings), JSON.stringify(bad.warnings),
      JSON.stringify(bad.events), inspect(p.conn, { depth: 10 }), inspect(t.conn, { depth: 10 }), inspect(bad.conn, { depth: 10 }),
      await bad.conn.ready().catch((e: Error) => `${e.message} ${inspect(e)}`),
    ].join('\n');
    expect(p.warnings.length).toBeGreaterThan(0);
    expect(secretsOf(text)).toEqual([]);
    await Promise.all([p.conn.close(), t.conn.close(), bad.conn.close()]);
  });

  it('close leaves no socket or timer open', async () => {
    const kinds = () => process.getActiveResourcesInfo().filter((k) => k === 'TCPSocketWrap' || k === 'Timeout').length;
    await settle();
    const base = kinds();
    const p = connect(s, 'user', { extra: { keepaliveMs: 100 } });
    await p.conn.ready(5000);
    expect(kinds()).toBeGreaterThan(base);
    await p.conn.close();
    await waitFor(() => kinds() <= base, 5000, `resources back to ${base}`);
    expect(p.conn.state).toBe('disconnected');
  });
});
