/** Login-answer reading (server priorities, socket.io version) and the platform's place in the registry. */
import '../../shared/platforms';
import { acquireConnection } from '../../shared/connection/registry';
import { refreshUrlOf, serverList, versionOf } from '../../shared/platforms/voicenter/login';

describe('Voicenter login answer', () => {
  it('servers: lowest Priority first, domains as https URLs, junk skipped, no duplicates', () => {
    expect(serverList([{ Domain: 'monitor3.voicenter.co.il', Priority: 2 }, { Domain: 'monitor5.voicenter.co.il', Priority: 0 }, { Domain: 'monitor1.voicenter.co.il', Priority: 1 }]))
      .toEqual(['https://monitor5.voicenter.co.il', 'https://monitor1.voicenter.co.il', 'https://monitor3.voicenter.co.il']);
    expect(serverList(['http://127.0.0.1:1234', 'http://127.0.0.1:1234/', 'ftp://x', 7, { Priority: 1 }, 'monitor4.voicenter.co.il']))
      .toEqual(['http://127.0.0.1:1234', 'https://monitor4.voicenter.co.il']);
    expect(serverList('monitor5')).toEqual([]);
  });

  it('socket.io version from Client (v=1.3.7: the 2.x client), else Version', () => {
    expect(versionOf('https://loginapi.voicenter.co.il/monitorAPI/GetSocketClient?v=1.3.7', undefined)).toBe('2');
    expect(versionOf('https://x/GetSocketClient?v=2.4.0', undefined)).toBe('2');
    expect(versionOf('https://x/GetSocketClient?v=4.8.1', undefined)).toBe('4');
    expect(versionOf(undefined, 'v4')).toBe('4');
    expect(versionOf(undefined, undefined)).toBe('2');
    expect(versionOf('garbage', 'also garbage')).toBe('2');
  });

  it('the refresh URL sits beside the login URL', () => {
    expect(refreshUrlOf('https://loginapi.voicenter.co.il/monitorAPI/Login')).toBe('https://loginapi.voicenter.co.il/monitorAPI/RefreshIdentityToken');
    expect(refreshUrlOf('http://127.0.0.1:9/api/')).toBe('http://127.0.0.1:9/api/RefreshIdentityToken');
  });
});

describe('Voicenter in the registry', () => {
  it('is registered; events only: every operation is unsupported, plainly', async () => {
    // An unreachable login API: the connection just retries; no operation reaches the network.
    const lease = acquireConnection({ platform: 'voicenter', url: 'http://127.0.0.1:1/monitorAPI/Login', login: 'a@example.com', password: 'pw-secret', extra: { loginType: 'user' } });
    try {
      expect(lease.connection.supports('makeCall')).toBe(false);
      expect(lease.connection.supports('answer')).toBe(false);
      await expect(lease.connection.execute('makeCall', { destination: '123' })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/Voicenter supports events only/) });
    } finally {
      await lease.release();
    }
  });
});
