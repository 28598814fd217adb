/**
 * Issue 22.7: one call-log record. List Call Log returns the record the `callLog.created` event carries (parties,
 * number, direction, answered...), not the PBX's `participants[].identity.id.phoneNumber`; the PBX's own records
 * only on request (`raw`, as for List Calls).
 */
import { startSimulator, type Simulator } from '../../simulator';
import { simFeatures } from '../../simulator/frontends/ale/operation-routes';
import { connect, waitFor } from '../ale/helpers';

describe.each(['opentouch', 'o2g'] as const)('%s call-log records', (platform) => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('the action and the event give the same normalized record; raw on request', async () => {
    const bob = connect(sim, platform);
    try {
      await bob.conn.ready();
      simFeatures(sim.pbx).comlog.add('bob', { ref: 'c78', direction: 'incoming', answered: false, acknowledged: false, parties: [{ number: '201', login: 'alice', name: 'Alice Martin' }], reason: 'no_answer', beginDate: Date.parse('2026-01-05T09:00:00Z'), endDate: Date.parse('2026-01-05T09:00:20Z') });
      await waitFor(() => bob.events.some((e) => e.type === 'callLog.created'), 3000, 'callLog.created');
      const fromEvent = bob.events.find((x) => x.type === 'callLog.created')!.callLog!;

      const listed = (await bob.conn.execute('listCallLog', {})) as { records: unknown[]; totalCount: number };
      expect(listed.records).toEqual([fromEvent]);
      expect(listed.records[0]).toMatchObject({ callId: 'c78', direction: 'incoming', answered: false, startedAt: '2026-01-05T09:00:00.000Z', endedAt: '2026-01-05T09:00:20.000Z' });
      expect(listed.totalCount).toBe(1);

      const raw = (await bob.conn.execute('listCallLog', {}, { raw: true })) as { records: Array<{ participants: Array<{ identity: { id: { phoneNumber: string } } }> }> };
      expect(raw.records[0].participants.map((p) => p.identity.id.phoneNumber)).toContain('201');
    } finally {
      await bob.conn.close();
    }
  });
});
