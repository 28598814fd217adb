/** Builds dist/ (tsc + gulp) when it is missing or older than the sources the demo and browser tests run. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** `who` names the test in messages. gulp copies the editor .html (and locales, icons), so they are outputs too. */
export function ensureBuilt(who = 'test'): void {
  const outputs = ['dist/examples/demo.js', 'dist/examples/demo/node-red-host.js', 'dist/node-red/connection.js', 'dist/node-red/connection.html'].map((f) => join(root, f));
  const built = outputs.every((f) => existsSync(f)) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
  const sources = Math.max(...['examples', 'node-red', 'shared', 'simulator', 'resources'].map((d) => newestMtime(join(root, d))));
  if (built >= sources) return;
  const started = Date.now();
  for (const [script, args] of [['node_modules/typescript/bin/tsc', ['-p', 'tsconfig.build.json']], ['node_modules/gulp/bin/gulp.js', ['build']]] as const) {
    try {
      execFileSync(process.execPath, [join(root, script), ...args], { cwd: root, stdio: 'pipe' });
    } catch (err) {
      const e = err as { stdout?: Buffer; stderr?: Buffer };
      const text = `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`;
      // tsc still writes its output on type errors (the type check is its own CI step): go on when it did.
      const emitted = outputs.filter((f) => f.endsWith('.js')).every((f) => existsSync(f) && statSync(f).mtimeMs >= started - 1000);
      if (script.includes('tsc') && emitted) console.warn(`${who}: the build reported type errors; testing what it emitted:\n${text.slice(0, 2000)}`);
      else throw new Error(`building for the ${who} failed (${script}):\n${text}`);
    }
  }
}
