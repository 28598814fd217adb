/** A connection lingering warm is logged out when its host process shuts down (SIGTERM), not left on the PBX. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

it('SIGTERM in a host that handles it: the lingering connection deletes its PBX session', async () => {
  const child = spawn(process.execPath, ['-r', join(__dirname, '../reliability/ts-register.js'), join(__dirname, 'linger-exit-child.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('lingering') && !child.killed) child.kill('SIGTERM');
  });
  expect(await exited).toBe(0);
  expect(out).toContain('lingering sessions=1 open=1');
  expect(out).toContain('after-sigterm sessions=0 open=0');
}, 30_000);
