/**
 * `pbxflow simulate [--port N] [--web-port N] [--rtsm] [--tls] [--ring-timeout MS] [--duration MS]`: starts the
 * PBX simulator on 127.0.0.1 and prints its URLs (front-ends, phones page) and demo credentials. Runs until Ctrl-C
 * (or `--duration` ms). `--tls` serves HTTPS with a throw-away self-signed certificate made at start (written to a
 * temporary file so a client can trust it), as the O2G SDK speaks HTTPS only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../simulator';
import { selfSignedCertificate, type SelfSigned } from '../../simulator/frontends/ale/self-signed';
import { parseArgs, type CliIo } from '../io';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { flags } = parseArgs(args);
  const port = typeof flags.port === 'string' ? Number(flags.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65534) {
    io.stderr.write('simulate: --port must be a port number\n');
    return 2;
  }
  const webPort = typeof flags['web-port'] === 'string' ? Number(flags['web-port']) : 0;
  if (!Number.isInteger(webPort) || webPort < 0 || webPort > 65535) {
    io.stderr.write('simulate: --web-port must be a port number\n');
    return 2;
  }
  let tls: SelfSigned | undefined;
  let certDir: string | undefined;
  if (flags.tls === true) {
    tls = selfSignedCertificate();
    certDir = mkdtempSync(join(tmpdir(), 'pbxflow-sim-'));
    writeFileSync(join(certDir, 'simulator.crt'), tls.cert);
  }
  let sim;
  try {
    sim = await startSimulator({
      port,
      ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
      o2gRtsm: flags.rtsm === true,
      web: { port: webPort },
      voicenter: true,
      ringTimeoutMs: typeof flags['ring-timeout'] === 'string' ? Number(flags['ring-timeout']) : undefined,
    });
  } catch (err) {
    io.stderr.write(`simulate: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(`PBX simulator running\n  opentouch: ${sim.url('opentouch')}\n  o2g:       ${sim.url('o2g')}\n  phones:    ${sim.webUrl}   (virtual phones: call, answer, forward... in a browser)\n\nDemo accounts (login / password / extension / devices):\n`);
  for (const u of sim.users) {
    io.stdout.write(`  ${u.login.padEnd(6)} ${u.password.padEnd(10)} ${u.admin ? 'administrator (monitors others with --users)' : `${u.number.padEnd(4)} ${u.devices.join(', ')}`}\n`);
  }
  if (tls && certDir) {
    io.stdout.write(`\nHTTPS with a throw-away self-signed certificate (valid 7 days, for localhost / 127.0.0.1):\n  certificate: ${join(certDir, 'simulator.crt')}\n  SHA-256:     ${tls.fingerprint}\n  trust it as the CA (or turn certificate checks off for this test only)\n`);
  }
  io.stdout.write(sim.voicenter ? `\n${sim.voicenter.summary()}` : `\nVoicenter: not started (${sim.voicenterSkipped})\n`);
  io.stdout.write(`\n${sim.telservices.summary()}`);
  io.stdout.write(`\nTry: pbxflow listen --platform o2g --url ${sim.url('o2g')} --login bob --password bob-pw\n`);
  const duration = typeof flags.duration === 'string' ? Number(flags.duration) : Infinity;
  await new Promise<void>((resolve) => {
    const timer = Number.isFinite(duration) ? setTimeout(done, duration) : undefined;
    function done() {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', done);
      resolve();
    }
    process.once('SIGINT', done);
  });
  await sim.close();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
  return 0;
}
