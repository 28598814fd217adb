/**
 * Asterisk's operations in the shared catalogue (issue 23, actions): what its driver does is offered, and only that.
 * The n8n PBX node shows those operations for the Asterisk platform (its credential), and `pbxflow call --platform
 * asterisk makeCall` places a click-to-call through the simulator's AMI front-end (Originate: the user's phone
 * rings first, then the destination).
 */
import { NodeHelpers, type INode, type INodeProperties, type INodePropertyOptions } from 'n8n-workflow';
import { OPERATIONS, operationsFor, type OperationSpec } from '../../shared/operations/catalogue';
import { ASTERISK_CANNOT, ASTERISK_OPERATIONS } from '../../shared/platforms/asterisk/operations';
import { create } from '../../shared/platforms/asterisk/module';
import { Pbx } from '../../nodes/Pbx/Pbx.node';
import { CALENDAR_SYNC } from '../../nodes/Pbx/calendarSync';
import { startSimulator, type Simulator } from '../../simulator';
import { captureIo } from '../helpers/cli';
import { main } from '../../cli/pbxflow';

const names = (ops: readonly { name: string }[]) => ops.map((o) => o.name).sort();

describe('asterisk in the operation catalogue', () => {
  it('lists exactly the operations the AMI driver implements, and none it cannot do', () => {
    expect(names(operationsFor('asterisk'))).toEqual(Object.keys(ASTERISK_OPERATIONS).sort());
    for (const cannot of Object.keys(ASTERISK_CANNOT)) expect([cannot, operationsFor('asterisk').some((o) => o.name === cannot)]).toEqual([cannot, false]);
  });

  it('is what the driver says it supports', () => {
    const conn = create({ platform: 'asterisk', url: 'tcp://127.0.0.1:1', login: 'x', password: 'y' });
    try {
      for (const o of OPERATIONS as unknown as readonly OperationSpec[]) {
        expect([o.name, conn.supports(o.name)]).toEqual([o.name, o.platforms.includes('asterisk')]);
      }
    } finally {
      void conn.close();
    }
  });

  it('n8n\'s PBX node shows them for the Asterisk platform, with the Asterisk credential and no "events only" notice', () => {
    const d = new Pbx().description;
    const node = (values: Record<string, unknown>): INode => ({ id: 'n', name: 'n', type: d.name, typeVersion: 1, position: [0, 0], parameters: values as INode['parameters'] });
    const shown = (p: INodeProperties | INodePropertyOptions, values: Record<string, unknown>) =>
      !('displayOptions' in p) || !p.displayOptions || NodeHelpers.displayParameter(values as never, p as never, node(values), d);
    const creds = (d.credentials ?? []).filter((c) => !c.displayOptions || NodeHelpers.displayParameter({ platform: 'asterisk' } as never, c as never, node({ platform: 'asterisk' }), d));
    expect(creds.map((c) => c.name)).toEqual(['pbxAsteriskApi']);
    const visible: string[] = [];
    const resources = d.properties.find((p) => p.name === 'resource')!.options as INodePropertyOptions[];
    for (const r of resources) {
      const values = { platform: 'asterisk', resource: r.value };
      if (!shown(r, values)) continue;
      for (const prop of d.properties.filter((p) => p.name === 'operation' && shown(p, values))) {
        for (const o of prop.options as INodePropertyOptions[]) if (shown(o, values)) visible.push(String(o.value));
      }
    }
    expect(visible).toEqual(expect.arrayContaining(Object.keys(ASTERISK_OPERATIONS)));
    expect(visible.filter((v) => !(v in ASTERISK_OPERATIONS))).toEqual([CALENDAR_SYNC]); // built on get/set/cancel forward
    expect(d.properties.filter((p) => p.type === 'notice' && shown(p, { platform: 'asterisk', resource: 'call' }))).toEqual([]);
  });
});

describe('pbxflow call --platform asterisk', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ ringTimeoutMs: 60_000, asterisk: { authFailDelayMs: 10 } });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('makeCall: Originate rings Alice\'s phone, which calls Carol; the command prints the call and exits 0', async () => {
    const c = captureIo('');
    const code = await main(['call', 'makeCall', '--platform', 'asterisk', '--url', sim.asterisk!.url, '--login', 'pbxflow', '--password', 'ami-secret', '--user', '201', '--destination', '203'], c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ user: '201', destination: '203', callId: expect.stringMatching(/^pbxflow-/) });
    const call = sim.pbx.calls().find((x) => x.parties.some((p) => p.login === 'alice'));
    expect(call?.parties.map((p) => [p.login, p.state])).toEqual([['alice', 'ringing_outgoing'], ['carol', 'ringing_incoming']]);
    sim.pbx.hangUp(call!.id, 'alice');
  });

  it('an operation AMI cannot do is refused before connecting, naming the platform', async () => {
    const c = captureIo('');
    const code = await main(['call', 'hold', '--platform', 'asterisk', '--url', sim.asterisk!.url, '--login', 'pbxflow', '--password', 'ami-secret', '--user', '201', '--callId', 'x'], c.io);
    expect(code).toBe(2);
    expect(c.err()).toContain('hold is not available on asterisk');
  });
});
