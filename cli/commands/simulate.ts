/**
 * `pbxflow simulate [--port N] [--web-port N] [--traffic [--paused]] [--rtsm] [--tls] [--ring-timeout MS] [--duration MS]`:
 * starts the PBX simulator on 127.0.0.1 and prints its URLs (front-ends, phones page), every demo user with the
 * credentials each front-end takes, and ready commands to try. Runs until Ctrl-C / SIGTERM (or `--duration` ms),
 * then says "stopped". `--traffic` makes calls happen by themselves (cli/traffic.ts). `--tls` serves HTTPS with a
 * throw-away self-signed certificate made at start (written to a temporary file so a client can trust it), as the
 * O2G SDK speaks HTTPS only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../simulator';
import { DEMO_GROUPS, DEMO_USERS, FREEPBX_COMPANY, TELSERVER_COMPANY } from '../../simulator/pbx/cast';
import { selfSignedCertificate, type SelfSigned } from '../../simulator/frontends/ale/self-signed';
import { parseCommand, type CliIo } from '../io';
import { runTraffic, SUPPORT } from '../traffic';

export const usage = `usage: pbxflow simulate [--port N] [--web-port N] [--traffic [--paused]] [--tls] [--rtsm] [--ring-timeout MS] [--duration MS]

  Starts a virtual PBX on 127.0.0.1 behind every front-end pbxflow speaks (OpenTouch, O2G, TelServices,
  Voicenter, Asterisk AMI) and a page of virtual phones, and prints the addresses, the demo users and commands to try.
  --port N          fixed ports: OpenTouch on N, O2G on N+1, TelServices TCP on N+2 and HTTP on N+3
                    and Asterisk AMI on N+4 (default: any free ports; Voicenter always takes free ports,
                    printed at start)
  --web-port N      the phones page's port (default: any free port)
  --traffic         make calls happen by themselves (answered, missed, transferred, queued, from outside)
  --paused          with --traffic: start with the generated calls paused (the phones page's switch resumes them)
  --tls             serve OpenTouch, O2G and Voicenter over HTTPS with a throw-away self-signed certificate
  --rtsm            O2G sends telephony events in the internal RTSM_* form
  --ring-timeout MS an unanswered call ends after MS milliseconds
  --duration MS     stop after MS milliseconds (default: run until Ctrl-C)
`;

function portFlag(v: string | true | undefined, flag: string, max: number, io: CliIo): number | undefined {
  const n = typeof v === 'string' ? Number(v) : 0;
  if (v === true || !Number.isInteger(n) || n < 0 || n > max) {
    io.stderr.write(`simulate: ${flag} must be a port number (0-${max})\n`);
    return undefined;
  }
  return n;
}

/** The AMI front-end: its address and port, the manager account, the ring groups, and a command to try. */
function asteriskSummary(sim: Simulator, cmd: string): string {
  const ast = sim.asterisk!;
  const [user, secret] = Object.entries(ast.accounts)[0] ?? ['pbxflow', ''];
  const exts = FREEPBX_COMPANY.map((u) => u.number).join(',');
  const groups = sim.pbx.groups().map((g) => `${g.number} ${g.name} (${g.strategy}: ${g.members.map((m) => sim.pbx.user(m)?.number ?? m).join(', ')})`);
  return [
    `Asterisk (AMI): ${ast.url}   port ${ast.listeningPort}   manager account ${user} / ${secret}   (FreePBX company: extensions ${exts})`,
    ...(groups.length ? [`  ring groups: ${groups.join('; ')}`] : []),
    `  try: ${cmd} listen --platform asterisk --url ${ast.url} --login ${user} --password ${secret} --users ${exts}`,
    '',
    '',
  ].join('\n');
}

/** Every demo user and the login each front-end takes, plus commands that make something happen at once. */
function describe(sim: Simulator, cmd: string): string {
  const out: string[] = [];
  const vc = sim.voicenter?.credentials;
  const emailOf = (number: string) => vc?.user.find((u) => u.extension === number)?.email;
  out.push('Demo users (the same people on every front-end):');
  out.push(`  ${'login'.padEnd(6)} ${'password'.padEnd(10)} ${'name'.padEnd(14)} ${'ext'.padEnd(4)} ${'devices'.padEnd(10)} ${vc ? 'Voicenter email' : ''}`.trimEnd());
  for (const u of sim.users) {
    if (u.admin) continue;
    out.push(`  ${u.login.padEnd(6)} ${u.password.padEnd(10)} ${u.name.padEnd(14)} ${u.number.padEnd(4)} ${u.devices.join(',').padEnd(10)} ${emailOf(u.number) ?? ''}`.trimEnd());
  }
  for (const u of sim.users.filter((x) => x.admin)) {
    out.push(`  ${u.login.padEnd(6)} ${u.password.padEnd(10)} administrator: an admin session (--users alice,bob) on OpenTouch/O2G; the TelServices login`);
  }
  out.push(`  OpenTouch and O2G: --login and --password above. TelServices: the device numbers (--devices ${TELSERVER_COMPANY.map((u) => u.number).join(',')},`);
  out.push(`  the TelServer company, as in the demo; any extension above works). Unanswered calls ring ${Math.round(sim.pbx.ringTimeoutMs / 1000)} s, then end`);
  out.push(`  as not answered: a missed call for whoever they rang. The phones page`);
  out.push(`  rings, answers and forwards for every one. Queue: ${SUPPORT.name} (${SUPPORT.number}), agents of group ${SUPPORT.group}.`);
  if (vc) out.push(`  Voicenter: the emails above with the same passwords; account login ${vc.account.username} / ${vc.account.password}; token ${vc.token}`);
  const users = sim.users.filter((u) => !u.admin);
  const [a, b] = [users[0], users[1] ?? users[0]];
  if (a && b) {
    out.push('', 'Make something happen (in another terminal):');
    out.push(`  ${cmd} listen --platform o2g --url ${sim.url('o2g')} --login ${b.login} --password ${b.password}`);
    out.push(`  ${cmd} call makeCall --platform o2g --url ${sim.url('o2g')} --login ${a.login} --password ${a.password} --destination ${b.number}`);
    out.push(`  ${cmd} call listCalls --platform o2g --url ${sim.url('o2g')} --login ${b.login} --password ${b.password}`);
    if (sim.webUrl) out.push(`  or open ${sim.webUrl} and press Call; or restart with --traffic`);
  }
  return `${out.join('\n')}\n`;
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(args, {
    name: 'simulate', usage, flags: ['port', 'web-port', 'traffic', 'paused', 'tls', 'rtsm', 'ring-timeout', 'duration'], booleans: ['traffic', 'paused', 'tls', 'rtsm'],
  }, io);
  if (typeof parsed === 'number') return parsed;
  const { flags, positional } = parsed;
  if (positional.length) {
    io.stderr.write(`simulate: unexpected argument "${positional[0]}"\n${usage}`);
    return 2;
  }
  if (flags.paused === true && flags.traffic !== true) {
    io.stderr.write(`simulate: --paused pauses the generated calls: use it with --traffic\n`);
    return 2;
  }
  // N..N+4 must all be ports.
  const port = portFlag(flags.port, '--port', 65531, io);
  const webPort = portFlag(flags['web-port'], '--web-port', 65535, io);
  if (port === undefined || webPort === undefined) return 2;
  const num = (v: string | true | undefined, flag: string): number | undefined | false => {
    if (v === undefined) return undefined;
    const n = typeof v === 'string' ? Number(v) : NaN;
    if (Number.isFinite(n) && n > 0) return n;
    io.stderr.write(`simulate: ${flag} must be a number of milliseconds\n`);
    return false;
  };
  const ringTimeoutMs = num(flags['ring-timeout'], '--ring-timeout');
  const duration = num(flags.duration, '--duration');
  if (ringTimeoutMs === false || duration === false) return 2;
  let tls: SelfSigned | undefined;
  let certDir: string | undefined;
  if (flags.tls === true) {
    tls = selfSignedCertificate();
    certDir = mkdtempSync(join(tmpdir(), 'pbxflow-sim-'));
    writeFileSync(join(certDir, 'simulator.crt'), tls.cert);
  }
  // Voicenter takes the certificate too (its options reach the front-end as given): HTTPS, servers named as bare hosts.
  const voicenter = { socketVersion: '2' as const, ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}) };
  let sim: Simulator;
  try {
    sim = await startSimulator({
      port,
      ...(port ? { telservices: { port: port + 2, httpPort: port + 3 } } : {}),
      ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
      // The demo's company (npm start): the same people, devices and queue whichever way the simulator runs.
      users: DEMO_USERS,
      o2gRtsm: flags.rtsm === true,
      web: { port: webPort },
      voicenter,
      // The AMI front-end (FreePBX company: ring group and extensions) beside the others.
      asterisk: port ? { port: port + 4 } : true,
      ringTimeoutMs,
    });
    for (const g of DEMO_GROUPS) sim.pbx.addGroup(g);
  } catch (err) {
    io.stderr.write(`simulate: cannot start: ${(err as Error).message}${port ? ` (ports ${port}-${port + 4} must be free)` : ''}\n`);
    if (certDir) rmSync(certDir, { recursive: true, force: true });
    return 1;
  }
  io.stdout.write(`PBX simulator running\n  opentouch: ${sim.url('opentouch')}\n  o2g:       ${sim.url('o2g')}\n  phones:    ${sim.webUrl}   (virtual phones: call, answer, forward... in a browser)\n\n`);
  if (tls && certDir) {
    io.stdout.write(`HTTPS with a throw-away self-signed certificate (valid 7 days, for localhost / 127.0.0.1):\n  certificate: ${join(certDir, 'simulator.crt')}\n  SHA-256:     ${tls.fingerprint}\n  trust it as the CA (or turn certificate checks off for this test only)\n\n`);
  }
  io.stdout.write(sim.voicenter ? `${sim.voicenter.summary()}\n` : `Voicenter: not started (${sim.voicenterSkipped})\n\n`);
  io.stdout.write(`${sim.telservices.summary()}\n`);
  if (sim.asterisk) io.stdout.write(asteriskSummary(sim, 'pbxflow'));
  io.stdout.write(describe(sim, 'pbxflow'));
  const trafficWords = flags.traffic !== true ? 'Traffic: off (--traffic makes calls happen by themselves).'
    : flags.paused === true ? 'Traffic: paused (resume it with the switch on the phones page).'
      : 'Traffic: on (a call every few seconds, told below; the phones page\'s switch pauses it).';
  io.stdout.write(`\n${trafficWords} Ctrl-C stops.\n`);

  const stop = new AbortController();
  const traffic = flags.traffic === true
    ? runTraffic({ pbx: sim.pbx, signal: stop.signal, paused: flags.paused === true, say: (line) => io.stdout.write(`[traffic] ${line}\n`) }).catch((err: Error) => {
      io.stderr.write(`simulate: traffic stopped: ${err.message}\n`);
    })
    : Promise.resolve();
  const signal = await new Promise<string>((resolve) => {
    const timer = duration !== undefined ? setTimeout(() => done('duration'), duration) : undefined;
    function onSignal(sig: NodeJS.Signals) {
      done(sig);
    }
    function done(why: string) {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(why);
    }
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  stop.abort();
  await traffic;
  await sim.close();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
  io.stdout.write(`PBX simulator stopped${signal === 'duration' ? '' : ` (${signal})`}\n`);
  return 0;
}
