/**
 * Child process for linger-exit.test.ts: a host that handles SIGTERM itself (as n8n and Node-RED do), with a
 * released connection lingering warm. On SIGTERM it reports how many PBX sessions the simulator still has.
 */
import '../../shared/platforms';
import { acquireConnection, openConnectionCount } from '../../shared/connection/registry';
import { startSimulator } from '../../simulator';

void (async () => {
  const sim = await startSimulator();
  const fe = sim.frontEnds.o2g;
  process.on('SIGTERM', () => {
    // The host's own shutdown work takes a moment; the registry's listener ran first.
    setTimeout(() => {
      process.stdout.write(`after-sigterm sessions=${fe.state.sessions.size} open=${openConnectionCount()}\n`);
      void sim.close().then(() => process.exit(0));
    }, 500);
  });
  const lease = acquireConnection({ platform: 'o2g', url: sim.url('o2g'), login: 'bob', password: 'bob-pw', lingerMs: 60_000 });
  await lease.connection.execute('listCalls', {});
  await lease.release();
  process.stdout.write(`lingering sessions=${fe.state.sessions.size} open=${openConnectionCount()}\n`);
})();
