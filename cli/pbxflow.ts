#!/usr/bin/env node
/**
 * `pbxflow` — troubleshooting CLI: replay a capture, listen to a PBX, run one operation, start the simulator.
 * Each command lives in cli/commands/<name>.ts and exports `run(args, io)` and its `usage` text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configureRegistry } from '../shared/connection/registry';
import type { CliIo } from './io';

const COMMANDS: Record<string, string> = {
  replay: 'replay raw events from a file or stdin and print normalized events (JSON lines)',
  listen: 'connect to a PBX (or the simulator) and print normalized events (JSON lines)',
  call: 'run one operation against a PBX and print the JSON result',
  simulate: 'start the built-in PBX simulator on 127.0.0.1',
};

const USAGE = `usage: pbxflow <command> [options]\n\n${Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(9)} ${v}`).join('\n')}\n\n  pbxflow <command> --help   the command's options\n  pbxflow --version          the version\n`;

/** The package's version: package.json is two folders up from dist/cli, one from the sources' cli/. */
export function packageVersion(): string {
  for (let dir = __dirname, i = 0; i < 4; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === '@pbxflow/n8n-nodes-pbx' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  // A command ends with its work: its connection logs out at once instead of lingering warm (shared/connection/registry.ts).
  configureRegistry({ lingerMs: 0 });
  let [name, ...args] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout.write(`pbxflow ${packageVersion()}\n`);
    return 0;
  }
  if (name === 'help' && args[0] && args[0] in COMMANDS) [name, args] = [args[0], [...args.slice(1), '--help']];
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (!(name in COMMANDS)) {
    io.stderr.write(`pbxflow: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  let mod: { run: (args: string[], io: CliIo) => Promise<number> };
  try {
    mod = require(`./commands/${name}`);
  } catch {
    io.stderr.write(`pbxflow ${name}: not available in this build\n`);
    return 2;
  }
  // Each command answers --help first, before anything else happens (no stdin read, no simulator, no login).
  return mod.run(args, io);
}

if (require.main === module) {
  // `pbxflow call --list | head`: a reader that went away ends the command quietly, not with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })
    .then((code) => { process.exitCode = code; })
    .catch((err: Error) => { process.stderr.write(`pbxflow: ${err.message}\n`); process.exitCode = 1; });
}
