/**
 * Call control over the simulator, end to end: the operation goes over real HTTP to the ALE front-end, the virtual
 * PBX applies it, and its effect comes back over the real event channel as normalized events.
 */
import { PbxError } from '../../shared/errors';
import type { PbxEvent } from '../../shared/model/events';
import { AleConnection } from '../../shared/platforms/ale/connection';
import { startSimulator, type Simulator } from '../../simulator';
import { connect, waitFor, type Probe } from '../ale/helpers';

const of = (p: Probe, type: string, callId?: string): PbxEvent | undefined =>
  p.events.find((e) => e.type === type && (!callId || e.call?.id === callId));

describe.each(['opentouch', 'o2g'] as const)('%s call control', (platform) => {
  let sim: Simulator;
  let alice: Probe;
  let bob: Probe;
  let carol: Probe;
  beforeEach(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000 });
    alice = connect(sim, platform, { login: 'alice', password: 'alice-pw' });
    bob = connect(sim, platform);
    carol = connect(sim, platform, { login: 'carol', password: 'carol-pw' });
    await Promise.all([alice.conn.ready(), bob.conn.ready(), carol.conn.ready()]);
  });
  afterEach(async () => {
    await Promise.all([alice.conn.close(), bob.conn.close(), carol.conn.close()]);
    await sim.close();
  });

  /** alice calls bob; returns the call id each of them knows. */
  async function ring(): Promise<{ mine: string; bobs: string }> {
    const res = (await alice.conn.execute('makeCall', { destination: '202' })) as { callId?: string; deviceId: string };
    expect(res.deviceId).toBe('201');
    await waitFor(() => !!of(alice, 'call.outgoing') && !!of(bob, 'call.incoming'), 3000, 'outgoing/incoming');
    return { mine: of(alice, 'call.outgoing')!.call!.id, bobs: of(bob, 'call.incoming')!.call!.id };
  }

  it('make call: the caller gets call.outgoing and the callee call.incoming', async () => {
    const { mine, bobs } = await ring();
    expect(of(alice, 'call.outgoing')!.call!.to.number).toBe('202');
    expect(of(bob, 'call.incoming')!.call!.from.number).toBe('201');
    expect(bobs).toBe(mine);
    // List Calls answers in the normalized model, the same call the events described.
    const listed = (await bob.conn.execute('listCalls', {})) as { calls: Array<{ id: string; direction: string; from: { number: string }; to: { number: string }; answered: boolean; startedAt: string }> };
    expect(listed.calls).toEqual([expect.objectContaining({ id: bobs, direction: 'incoming', from: expect.objectContaining({ number: '201' }), to: expect.objectContaining({ number: '202' }), answered: false })]);
    expect(listed.calls[0]!.startedAt).toBe(of(bob, 'call.incoming')!.call!.startedAt);
    // The PBX's own shape on request (troubleshooting).
    const raw = (await bob.conn.execute('listCalls', {}, { raw: true })) as { calls: Array<{ callRef: string }> };
    expect(raw.calls.map((c) => c.callRef)).toEqual([bobs]);
  });

  it('list calls on a session-only connection (an n8n action): the normalized call, the user named by number', async () => {
    const { bobs } = await ring();
    const actions = new AleConnection({ platform, url: sim.url(platform), login: 'bob', password: 'bob-pw', requestTimeoutMs: 2000 });
    try {
      const listed = (await actions.execute('listCalls', {})) as { calls: Array<Record<string, unknown>> };
      expect(listed.calls).toEqual([expect.objectContaining({
        id: bobs, direction: 'incoming', from: expect.objectContaining({ number: '201' }), to: expect.objectContaining({ number: '202' }),
        answered: false, inProgressAtConnect: true,
      })]);
      expect(listed.calls[0]).not.toHaveProperty('legs');
    } finally {
      await actions.close();
    }
  });

  it('answer: both parties get call.answered', async () => {
    const { mine, bobs } = await ring();
    await bob.conn.execute('answer', { callId: bobs });
    await waitFor(() => !!of(alice, 'call.answered', mine) && !!of(bob, 'call.answered', bobs), 3000, 'answered on both');
    // The device came from the ringing leg the tracker saw, not a guess.
    expect(of(bob, 'call.answered')!.call!.device).toBe('202');
  });

  it('hold, retrieve, then hang up end the call for both', async () => {
    const { mine, bobs } = await ring();
    await bob.conn.execute('answer', { callId: bobs });
    await waitFor(() => !!of(alice, 'call.answered'), 3000, 'answered');
    await alice.conn.execute('hold', { callId: mine });
    await waitFor(() => !!of(alice, 'call.held'), 3000, 'held');
    await alice.conn.execute('retrieve', { callId: mine });
    await waitFor(() => !!of(alice, 'call.retrieved'), 3000, 'retrieved');
    await alice.conn.execute('hangUp', { callId: mine });
    await waitFor(() => !!of(alice, 'call.ended') && !!of(bob, 'call.ended'), 3000, 'ended on both');
    expect(sim.pbx.calls()).toEqual([]);
  });

  it('blind transfer: the transferring user gets call.transferred and the target rings', async () => {
    const { bobs } = await ring();
    await bob.conn.execute('answer', { callId: bobs });
    await waitFor(() => !!of(bob, 'call.answered'), 3000, 'answered');
    await bob.conn.execute('blindTransfer', { callId: bobs, destination: '203' });
    await waitFor(() => !!of(bob, 'call.transferred') && !!of(carol, 'call.incoming'), 3000, 'transferred, carol rings');
    expect(of(carol, 'call.incoming')!.call!.from.number).toBe('201');
  });

  it('redirect a ringing call to another user', async () => {
    const { bobs } = await ring();
    await bob.conn.execute('redirect', { callId: bobs, destination: '203' });
    await waitFor(() => !!of(carol, 'call.incoming') && !!of(bob, 'call.ended'), 3000, 'carol rings');
    expect(sim.pbx.viewsOf('bob')).toEqual([]);
  });

  it('refuses a transfer the call does not allow, before sending anything', async () => {
    const { bobs } = await ring();
    // The call still rings at bob: ALE offers answer/redirect, not transfer.
    const err = await bob.conn.execute('blindTransfer', { callId: bobs, destination: '203' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PbxError);
    expect((err as PbxError).code).toBe('NOT_ALLOWED');
    expect((err as PbxError).message).toMatch(/Blind Transfer is not possible/);
    expect(sim.pbx.viewsOf('bob')[0].state).toBe('ringing_incoming');
    expect(of(carol, 'call.incoming')).toBeUndefined();
  });

  it('send DTMF reaches the PBX; bad digits are refused locally', async () => {
    const { mine, bobs } = await ring();
    await bob.conn.execute('answer', { callId: bobs });
    await waitFor(() => !!of(alice, 'call.answered'), 3000, 'answered');
    await alice.conn.execute('sendDtmf', { callId: mine, digits: '12#' });
    const { simFeatures } = await import('../../simulator/frontends/ale/operation-routes');
    expect(simFeatures(sim.pbx).dtmf).toEqual([{ user: 'alice', callRef: mine, digits: '12#' }]);
    await expect(alice.conn.execute('sendDtmf', { callId: mine, digits: '12x' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('says which operations the platform lacks', async () => {
    expect(alice.conn.supports('makeCall')).toBe(true);
    expect(alice.conn.supports('addParticipant')).toBe(platform === 'opentouch');
    expect(alice.conn.supports('setDnd')).toBe(platform === 'o2g');
    if (platform === 'o2g') {
      await expect(alice.conn.execute('addParticipant', { callId: 'x', destination: '203' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    } else {
      await expect(alice.conn.execute('setDnd', { enabled: true })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    }
  });
});
