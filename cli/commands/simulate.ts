/**
 * `pbxflow simulate [--port N] [--rtsm] [--ring-timeout MS] [--duration MS]`: starts the PBX simulator on
 * 127.0.0.1 and prints its URLs and demo credentials. Runs until Ctrl-C (or `--duration` ms).
 */
import { startSimulator } from '../../simulator';
import { parseArgs, type CliIo } from '../io';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { flags } = parseArgs(args);
  const port = typeof flags.port === 'string' ? Number(flags.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65534) {
    io.stderr.write('simulate: --port must be a port number\n');
    return 2;
  }
  let sim;
  try {
    sim = await startSimulator({
      port,
      o2gRtsm: flags.rtsm === true,
      ringTimeoutMs: typeof flags['ring-timeout'] === 'string' ? Number(flags['ring-timeout']) : undefined,
    });
  } catch (err) {
    io.stderr.write(`simulate: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(`PBX simulator running\n  opentouch: ${sim.url('opentouch')}\n  o2g:       ${sim.url('o2g')}\n\nDemo accounts (login / password / extension / devices):\n`);
  for (const u of sim.users) {
    io.stdout.write(`  ${u.login.padEnd(6)} ${u.password.padEnd(10)} ${u.admin ? 'administrator (monitors others with --users)' : `${u.number.padEnd(4)} ${u.devices.join(', ')}`}\n`);
  }
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
  return 0;
}
