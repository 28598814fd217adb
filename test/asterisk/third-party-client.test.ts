/**
 * The simulator's AMI front-end checked by a client we did not write: npm `asterisk-ami-client` (MIT; its stream
 * parser insists on CRLF framing and routes answers by ActionID). It logs in, gets action answers (Ping, a list,
 * an error) and receives the events of a call, unchanged.
 */
import { startSimulator, type Simulator } from '../../simulator';

const AmiClient = require('asterisk-ami-client') as new (o: Record<string, unknown>) => {
  connect(user: string, secret: string, o: { host: string; port: number }): Promise<unknown>;
  action(m: Record<string, string>, promisable: true): Promise<Record<string, string>>;
  on(ev: string, fn: (x: Record<string, string>) => void): void;
  disconnect(): void;
};

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ asterisk: { authFailDelayMs: 10 } });
});
afterAll(async () => {
  await sim.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('asterisk front-end vs asterisk-ami-client', () => {
  it('logs in, gets action answers and receives a call\'s events', async () => {
    const client = new AmiClient({ reconnect: false, keepAlive: false });
    const events: Array<Record<string, string>> = [];
    const responses: Array<Record<string, string>> = [];
    client.on('event', (e) => events.push(e));
    client.on('response', (r) => responses.push(r));
    await client.connect('pbxflow', 'ami-secret', { host: '127.0.0.1', port: sim.asterisk!.listeningPort });
    try {
      const pong = await client.action({ Action: 'Ping' }, true);
      expect(pong).toMatchObject({ Response: 'Success', Ping: 'Pong' });
      const unknown = await client.action({ Action: 'NoSuchThing' }, true);
      expect(unknown).toMatchObject({ Response: 'Error', Message: expect.stringContaining('Invalid/unknown command') });

      const ref = sim.pbx.makeCall('alice', '203');
      for (let i = 0; i < 200 && !events.some((e) => e.Event === 'DialBegin'); i++) await sleep(5);
      const list = await client.action({ Action: 'CoreShowChannels' }, true);
      expect(list).toMatchObject({ Response: 'Success', EventList: 'start' });
      for (let i = 0; i < 200 && !events.some((e) => e.Event === 'CoreShowChannelsComplete'); i++) await sleep(5);
      expect(events.filter((e) => e.Event === 'CoreShowChannel').map((e) => e.Channel)).toEqual([
        expect.stringMatching(/^PJSIP\/201-/),
        expect.stringMatching(/^PJSIP\/203-/),
      ]);
      sim.pbx.callerHangsUp(ref);
      for (let i = 0; i < 200 && events.filter((e) => e.Event === 'Hangup').length < 2; i++) await sleep(5);
      const names = events.map((e) => e.Event);
      for (const n of ['Newchannel', 'DialBegin', 'Newstate', 'DialState', 'DialEnd', 'Hangup']) expect(names).toContain(n);
      const ring = events.find((e) => e.Event === 'Newstate' && e.ChannelState === '5')!;
      expect(ring).toMatchObject({ Channel: expect.stringMatching(/^PJSIP\/203-/), Linkedid: events.find((e) => e.Event === 'Newchannel')!.Uniqueid });
    } finally {
      client.disconnect();
    }
  });

  it('a wrong secret is refused', async () => {
    const client = new AmiClient({ reconnect: false, keepAlive: false });
    await expect(client.connect('pbxflow', 'nope', { host: '127.0.0.1', port: sim.asterisk!.listeningPort })).rejects.toBeDefined();
  });
});
