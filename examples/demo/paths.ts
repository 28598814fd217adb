/** Where the demo reads and writes: everything under the project (no global state, nothing in $HOME). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const PACKAGE_NAME = '@pbxflow/n8n-nodes-pbx';

/** The project root, found by walking up: this file runs both from examples/ (ts-jest) and dist/examples/. */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`demo: cannot find the ${PACKAGE_NAME} project root above ${from}`);
  }
}

export interface DemoPaths {
  root: string;
  /** Scratch space of the demo (git-ignored .tmp/). */
  tmp: string;
  userDir: string;
  tickets: string;
  calendar: string;
  calendarTemplate: string;
}

/** `tmp` may be relative: it is taken from the current directory (where `--tmp-dir <dir>` was typed). */
export function demoPaths(root = projectRoot(), tmpDir = join(root, '.tmp')): DemoPaths {
  const tmp = resolve(tmpDir);
  return {
    root,
    tmp,
    userDir: join(tmp, 'demo-node-red'),
    tickets: join(tmp, 'demo-tickets.ndjson'),
    calendar: join(tmp, 'demo-calendar.ics'),
    calendarTemplate: join(root, 'examples', 'demo', 'out-of-office.ics'),
  };
}
