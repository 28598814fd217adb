/** The CLI for tests: in-process with captured streams, or as a real child process run from its sources. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../cli/io';
import { main } from '../../cli/pbxflow';

/** Streams for a command: stdin holds `stdinText` (ended), stdout and stderr are collected as text. */
export function captureIo(stdinText?: string): { io: CliIo; out(): string; err(): string } {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer | string) => (out += c.toString()));
  stderr.on('data', (c: Buffer | string) => (err += c.toString()));
  if (stdinText !== undefined) stdin.end(stdinText);
  return { io: { stdin, stdout, stderr }, out: () => out, err: () => err };
}

/** `pbxflow <args>` run to its end: exit code, output, errors, and the output's NDJSON lines as objects. */
export async function runCli(args: string[], stdinText = ''): Promise<{ code: number; out: string; err: string; readonly events: Array<Record<string, unknown>> }> {
  const c = captureIo(stdinText);
  const code = await main(args, c.io);
  const out = c.out();
  return {
    code,
    out,
    err: c.err(),
    get events() {
      return out.trim() ? out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
    },
  };
}

const REGISTER = join(__dirname, '../reliability/ts-register.js');
const RUN = join(__dirname, '../reliability/run-cli.js');

/** A CLI child process: its output so far, its exit code once it has ended (`undefined` while it runs). */
export interface CliChild { child: ChildProcess; out: string; err: string; code: number | null | undefined; exited: Promise<number | null> }

/** `pbxflow <args>` as a child process, with a clean environment (only PATH, plus `env`). */
export function spawnCli(args: string[], env: Record<string, string> = {}, stdin: 'ignore' | 'pipe' = 'ignore'): CliChild {
  const child = spawn(process.execPath, ['-r', REGISTER, RUN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: [stdin, 'pipe', 'pipe'] });
  const r: CliChild = { child, out: '', err: '', code: undefined, exited: undefined as unknown as Promise<number | null> };
  child.stdout!.on('data', (d) => (r.out += d));
  child.stderr!.on('data', (d) => (r.err += d));
  r.exited = new Promise((resolve) => child.on('exit', (code) => resolve((r.code = code))));
  return r;
}
