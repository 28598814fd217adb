#!/usr/bin/env node
/**
 * `pbxflow` — troubleshooting CLI: replay a capture, listen to a PBX, run one operation, start the simulator.
 * Each command lives in cli/commands/<name>.ts and exports `run(args, io)`.
 */
import { configureRegistry } from '../shared/connection/registry';
import type { CliIo } from './io';

const COMMANDS: Record<string, string> = {
  replay: 'replay raw events from a file or stdin and print normalized events (JSON lines)',
  listen: 'connect to a PBX (or the simulator) and print normalized events (JSON lines)',
  call: 'run one operation against a PBX and print the JSON result',
  simulate: 'start the built-in PBX simulator on 127.0.0.1',
};

export async function main(argv: string[], io: CliIo): Promise<number> {
  // A command ends with its work: its connection logs out at once instead of lingering warm (shared/connection/registry.ts).
  configureRegistry({ lingerMs: 0 });
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || !(name in COMMANDS)) {
    io.stderr.write(`usage: pbxflow <command> [options]\n\n${Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(9)} ${v}`).join('\n')}\n`);
    return name && name !== '--help' && name !== '-h' ? 2 : 0;
  }
  let mod: { run: (args: string[], io: CliIo) => Promise<number> };
  try {
    mod = require(`./commands/${name}`);
  } catch {
    io.stderr.write(`pbxflow ${name}: not available in this build\n`);
    return 2;
  }
  return mod.run(args, io);
}

if (require.main === module) {
  main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })
    .then((code) => { process.exitCode = code; })
    .catch((err: Error) => { process.stderr.write(`pbxflow: ${err.message}\n`); process.exitCode = 1; });
}
