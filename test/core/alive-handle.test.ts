/**
 * Issue 19.11 at the base: a connection holds nothing that keeps the process alive until it starts working
 * (`ready()`, `onEvent()`, an operation). A subclass constructor that refuses its settings after `super()` leaks
 * nothing; constructing then closing any connection leaves no active handle; closing leaves no server session.
 */
import { BaseConnection } from '../../shared/connection/base';
import { PbxError } from '../../shared/errors';
import type { OperationName } from '../../shared/operations/catalogue';
import { AleConnection } from '../../shared/platforms/ale/connection';
import { PASSWORD, startFakeAle } from '../reliability/fake-ale';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/** What a platform whose settings check comes after `super()` looks like (TelServices' device numbers did). */
class Refusing extends BaseConnection {
  constructor() {
    super({ platform: 'telservices', user: 'x' });
    this.watchExpiry(() => []);
    throw new PbxError('INVALID_INPUT', 'bad device numbers');
  }
  supports(_op: OperationName): boolean {
    return false;
  }
  async execute(): Promise<unknown> {
    return undefined;
  }
  protected async shutdown(): Promise<void> {}
}

describe('no handle before the work starts', () => {
  it('a constructor that throws after super() leaves no active timer', () => {
    const before = timers();
    expect(() => new Refusing()).toThrow('bad device numbers');
    expect(timers()).toBe(before);
  });

  it('ALE: constructed, nothing holds the process; closed, nothing either; used then closed, no timer and no server session', async () => {
    const fake = await startFakeAle();
    try {
      const before = timers();
      const idle = new AleConnection({ platform: 'o2g', url: fake.url, login: 'bob', password: PASSWORD });
      expect(timers()).toBe(before);
      await idle.close();
      expect(timers()).toBe(before);
      expect(fake.counts.requests).toBe(0);

      const used = new AleConnection({ platform: 'o2g', url: fake.url, login: 'bob', password: PASSWORD, requestTimeoutMs: 2000 });
      const unused = timers();
      used.onEvent(() => undefined);
      // Working: the connection keeps the process alive (a CLI `listen` must not exit during a back-off sleep).
      expect(timers()).toBe(unused + 1);
      await used.ready(3000);
      expect(fake.open.size).toBe(1);
      await used.close();
      await new Promise((r) => setTimeout(r, 50));
      expect(timers()).toBeLessThanOrEqual(unused);
      expect(fake.open.size).toBe(0);
      expect(fake.counts.sessionDeletes).toBe(1);
    } finally {
      await fake.close();
    }
  });
});
