/** Issue 22.12: `pbxflow simulate` shows the demo's company (the same people and TelServices devices as `npm start`). */
import { DEMO_USERS, TELSERVER_COMPANY } from '../../simulator/pbx/cast';
import { runCli } from '../helpers/cli';

it('simulate has the demo cast (Dave, Erin, Frank; TelServices devices 301, 302) and says how long a call rings', async () => {
  const r = await runCli(['simulate', '--duration', '300', '--ring-timeout', '8000']);
  expect(r.code).toBe(0);
  const listed = [...r.out.matchAll(/^ {2}([a-z]+) +\S+-pw +/gm)].map((m) => m[1]);
  expect(listed).toEqual(DEMO_USERS.map((u) => u.login).sort((a, b) => Number(a === 'admin') - Number(b === 'admin')));
  expect(listed).toEqual(expect.arrayContaining(['dave', 'erin', 'frank']));
  expect(r.out).toContain(`--devices ${TELSERVER_COMPANY.map((u) => u.number).join(',')}`);
  expect(TELSERVER_COMPANY.map((u) => u.number)).toEqual(['301', '302']);
  expect(r.out).toMatch(/Unanswered calls ring 8 s, then end\s+as not answered/);
});
