/**
 * Issue 21 (ALE): the telephony service URL follows o2g-node-sdk's rule (src/internal/service-factory.ts
 * setServices) exactly: an entry whose relativeUrl starts with `/telephony` is the one telephony service at
 * `<base>/telephony`; any other entry, even one named telephony, is at `<base> + relativeUrl`. The simulator
 * announces its roots under a prefix (`prefixedServices`) to show it: requests then go below `/x/...`.
 */
import { announcedServices } from '../../shared/platforms/ale/services';
import { startSimulator, type Simulator } from '../../simulator';
import { prefixedServices } from '../../simulator/frontends/ale/services';
import { connect, waitFor } from '../ale/helpers';

const V1 = '/api/rest/1.0';

describe('the SDK rule, entry by entry', () => {
  it('collapses to /telephony only when relativeUrl starts with /telephony', () => {
    const table = announcedServices([
      { serviceName: 'telephony', relativeUrl: '/x/telephony' },
      { serviceName: 'telephonyDevices', relativeUrl: '/telephony/devices' },
      { serviceName: 'RoUtInG', relativeUrl: '/gw/routing' },
    ]);
    expect(table?.get('telephony')).toBe('/x/telephony');
    expect(table?.get('routing')).toBe('/gw/routing');
    // The first entry of a name wins: the /telephony/devices entry (also "telephony" by the rule) does not replace it.
    expect(table?.size).toBe(2);
    expect(announcedServices([{ serviceName: 'calls', relativeUrl: '/telephony/calls' }])?.get('telephony')).toBe('/telephony');
  });
});

describe.each(['o2g', 'opentouch'] as const)('%s: a server announcing its roots under /x', (platform) => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
    sim.frontEnds[platform].services = prefixedServices(platform, '/x');
  });
  afterEach(async () => {
    await sim.close();
  });

  it('events, resync and call control go to <base>/x/telephony (the old /telephony is not served)', async () => {
    const fe = sim.frontEnds[platform];
    const alice = connect(sim, platform, { login: 'alice', password: 'alice-pw' });
    const bob = connect(sim, platform);
    try {
      await Promise.all([alice.conn.ready(3000), bob.conn.ready(3000)]);
      const res = (await alice.conn.execute('makeCall', { destination: '202' })) as { callId?: string };
      await waitFor(() => bob.events.some((e) => e.type === 'call.incoming'), 3000, 'bob rings');
      const listed = (await bob.conn.execute('listCalls', {})) as { calls: Array<{ id: string }> };
      expect(listed.calls.map((c) => c.id)).toEqual([res.callId]);
      const paths = fe.requests.map((r) => r.path);
      expect(paths.filter((p) => p.startsWith(`${V1}/telephony`))).toEqual([]);
      expect(paths).toContain(`${V1}/x/telephony/calls`);
      expect(paths.some((p) => p.startsWith(`${V1}/x/subscriptions`))).toBe(true);
      expect(bob.diags.filter((d) => /404|NOT_FOUND/.test(d.message))).toEqual([]);
    } finally {
      await Promise.all([alice.conn.close(), bob.conn.close()]);
    }
  });
});
