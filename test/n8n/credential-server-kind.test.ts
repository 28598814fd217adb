/**
 * An OpenTouch credential pointed at an O2G server (or the reverse) logs in, then half works: the credential test
 * says which server answered (issue 22, item 8). The simulator's session says `serverInfo.productType` as each
 * kind of server does (O2G: `O2G`, OpenTouch: `OTMS`).
 */
import './helpers/env';
import { Pbx } from '../../nodes/Pbx/Pbx.node';
import type { Simulator } from '../../simulator';
import { credentialsFor, simulatorForFile } from './helpers/sim';

const credentialTest = new Pbx().methods.credentialTest.pbxConnectionTest;

let sim: Simulator;
simulatorForFile((s) => (sim = s), { connectionsReturned: true });

/** alice's credential data, pointed at `url`. */
const data = (url: string) => ({ ...Object.values(credentialsFor(sim, 'opentouch'))[0], url });

it('an OpenTouch credential at an O2G server says an O2G answered', async () => {
  const res = await credentialTest.call({} as never, { id: '1', name: 'pbx', type: 'pbxOpenTouchApi', data: data(sim.url('o2g')) });
  expect(res.status).toBe('Error');
  expect(res.message).toMatch(/^Logged in, but this server is .*O2G.*, not .*OpenTouch.*: use a "PBX O2G \(OXE\) API" credential/);
});

it('an O2G credential at an OpenTouch server says an OpenTouch answered', async () => {
  const res = await credentialTest.call({} as never, { id: '1', name: 'pbx', type: 'pbxO2gApi', data: data(sim.url('opentouch')) });
  expect(res.status).toBe('Error');
  expect(res.message).toMatch(/this server is .*OpenTouch.*, not .*O2G.*: use a "PBX OpenTouch API" credential/);
});

it('the right kind of credential logs in as before', async () => {
  const ot = await credentialTest.call({} as never, { id: '1', name: 'pbx', type: 'pbxOpenTouchApi', data: data(sim.url('opentouch')) });
  expect(ot).toEqual({ status: 'OK', message: expect.stringMatching(/^Logged in to .*OpenTouch/) });
  const o2g = await credentialTest.call({} as never, { id: '1', name: 'pbx', type: 'pbxO2gApi', data: data(sim.url('o2g')) });
  expect(o2g).toEqual({ status: 'OK', message: expect.stringMatching(/^Logged in to .*O2G/) });
});
