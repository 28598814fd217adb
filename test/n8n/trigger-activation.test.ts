/**
 * PBX Trigger on a wrong password, the way n8n drives it (issue 12, item 15): activation, failure, recovery on the
 * real n8n-core engine (TriggersAndPollers + TriggerContext), with n8n's reactivation rules from
 * `helpers/activation.ts`, counting logins at the simulator. A trigger that cannot log in must fail its activation
 * once with the PBX's message and never also call emitError (the two together multiplied n8n's retry chains:
 * 25 logins a second against a real PBX).
 */
import './helpers/env';
import { openConnectionCount } from '../../shared/connection/registry';
import type { PbxEvent } from '../../shared/model/events';
import { startSimulator, type Simulator } from '../../simulator';
import { ActivationManager } from './helpers/activation';
import { makeWorkflow } from './helpers/engine';
import { credentialsFor, pbxTriggerNode, waitFor } from './helpers/sim';

let sim: Simulator;
const ALICE_PW = () => sim.users.find((u) => u.login === 'alice')!.password;
let realPassword = '';

beforeAll(async () => {
  sim = await startSimulator();
  realPassword = ALICE_PW();
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  sim.users.find((u) => u.login === 'alice')!.password = realPassword;
  sim.pbx.reset();
});

const stats = () => sim.frontEnds.opentouch.stats;
const setPbxPassword = (pw: string) => {
  sim.users.find((u) => u.login === 'alice')!.password = pw;
};

function manager(password: () => string, initialMs = 40): ActivationManager {
  const tw = makeWorkflow([pbxTriggerNode('PBX Trigger', 'opentouch', { events: ['call.incoming'] })], {});
  return new ActivationManager(tw, 'PBX Trigger', {
    initialMs,
    maxMs: 60_000,
    credentials: () => credentialsFor(sim, 'opentouch', 'alice', password()),
  });
}

describe('PBX Trigger activation on the n8n-core engine, with n8n reactivation rules', () => {
  it('switched on with a wrong password: fails once with the PBX message, one login, no emitError', async () => {
    const before = { ...stats() };
    const m = manager(() => 'Not-The-Password');
    try {
      expect(await m.activate('activate')).toBe(false);
      expect(m.attempts).toHaveLength(1);
      const err = m.attempts[0]!.error as Error & { description?: string };
      expect(err.message).toMatch(/wrong login or password/);
      expect(`${err.message} ${err.description ?? ''}`).not.toContain('Not-The-Password');
      // A moment for anything queued behind the failure (it must not exist).
      await new Promise((r) => setTimeout(r, 300));
      expect(m.emitErrors).toEqual([]);
      expect(m.attempts).toHaveLength(1);
      expect(stats().failedLogins - before.failedLogins).toBe(1);
      expect(stats().logins - before.logins).toBe(0);
      expect(openConnectionCount()).toBe(0);
    } finally {
      await m.stop();
    }
  });

  it('n8n starting with the workflow active: bounded, doubling retries, then recovery once the password is right', async () => {
    const before = { ...stats() };
    let password = 'Not-The-Password';
    const m = manager(() => password);
    try {
      expect(await m.activate('init')).toBe(false);
      // Initial try + retries after 40, 80, 160 ms.
      await waitFor('four activation attempts', () => m.attempts.length >= 4, 10_000);
      const failed = m.attempts.filter((a) => !a.ok);
      expect(m.emitErrors).toEqual([]); // a single retry chain
      expect(stats().failedLogins - before.failedLogins).toBe(failed.length); // one login per attempt, no retry storm
      expect(stats().logins - before.logins).toBe(0);
      // The wait between one attempt's end and the next one's start: the retry delay alone.
      const gaps = m.attempts.slice(1).map((a, i) => a.start - m.attempts[i]!.at);
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]! * 1.5);
      expect(openConnectionCount()).toBe(0);

      // The operator fixes the credential: the next queued activation succeeds and events flow.
      password = realPassword;
      await waitFor('the trigger to be active', () => m.active, 10_000);
      expect(stats().logins - before.logins).toBe(1);
      sim.pbx.makeCall('bob', '201');
      await waitFor('an incoming call item', () => m.emitted.length > 0);
      expect((m.emitted[0]![0]![0]!.json as unknown as PbxEvent).type).toBe('call.incoming');
      expect(m.emitErrors).toEqual([]);
    } finally {
      await m.stop();
    }
    expect(openConnectionCount()).toBe(0);
  });

  it('password changed while active: one emitError, then one retry chain with doubling delays', async () => {
    const m = manager(() => realPassword, 60); // the n8n credential keeps the old password
    try {
      expect(await m.activate('activate')).toBe(true);
      const before = { ...stats() };
      // The PBX administrator changes the password and the session ends: the core logs in again, is refused,
      // and stops for good; the trigger tells n8n once, n8n removes it and reactivates with the old credential.
      setPbxPassword('Changed-On-The-PBX');
      sim.faults.expireSessions('opentouch');
      await waitFor('the emitError', () => m.emitErrors.length === 1, 10_000);
      expect(m.emitErrors[0]!.message).toMatch(/wrong login or password/);
      const activationsBefore = m.attempts.length;
      await waitFor('three failed reactivations', () => m.attempts.length >= activationsBefore + 3, 10_000);
      expect(m.emitErrors).toHaveLength(1);
      const reactivations = m.attempts.length - activationsBefore;
      // The core's own refused login, then one per reactivation: nothing else.
      expect(stats().failedLogins - before.failedLogins).toBe(1 + reactivations);
      expect(m.attempts.slice(activationsBefore).every((a) => !a.ok && /wrong login or password/.test(a.error!.message))).toBe(true);
      expect(m.active).toBe(false);
    } finally {
      await m.stop();
    }
    expect(openConnectionCount()).toBe(0);
  });
});
