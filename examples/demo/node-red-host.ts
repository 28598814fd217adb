/**
 * An embedded Node-RED: the node-red package run from code (not a global install), with its own user directory
 * under .tmp/, this pack loaded from the project and the demo flows written before start. Only 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { closeLingering } from '../../shared/connection/registry';
import type { FlowNode } from './flows';

/** What the demo uses of the node-red module (it ships no type declarations). */
interface NodeRedModule {
  init(server: Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: (req: IncomingMessage, res: ServerResponse) => void;
}

/** One Node-RED log record (what a custom logging handler receives). */
export interface RedLogRecord {
  level: number;
  msg: unknown;
  type?: string;
  name?: string;
  id?: string;
}

export interface NodeRedHostOptions {
  root: string;
  userDir: string;
  flows: FlowNode[];
  credentials: Record<string, Record<string, string>>;
  /** 0 = any free port. When the preferred port is taken, any free port. */
  port: number;
  onLog(record: RedLogRecord): void;
}

export interface NodeRedHost {
  url: string;
  close(): Promise<void>;
}

/** Node-RED log levels (see @node-red/util log). */
export const RED_LEVEL = { fatal: 10, error: 20, warn: 30, info: 40 } as const;

/**
 * Makes this project visible to Node-RED as an installed module, as `npm install` in ~/.node-red would: a folder in
 * <userDir>/node_modules holding what the published package holds (package.json, dist, resources, and the
 * Node-RED example flows directly under examples/), linked to the project's files. Not a link to the whole
 * project: Node-RED would list every file of its examples/ folder (n8n workflows, the demo's own code) in
 * Import > Examples. Without a `node-red` section in package.json, the built node directory via `nodesDir`.
 */
function loadPack(root: string, userDir: string): { nodesDir?: string[] } {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; 'node-red'?: { nodes?: Record<string, string> } };
  const dir = join(userDir, 'node_modules', ...pkg.name.split('/'));
  if (existsSync(dir) || isLink(dir)) rmSync(dir, { recursive: true, force: true });
  if (!pkg['node-red']?.nodes || Object.keys(pkg['node-red'].nodes).length === 0) return { nodesDir: [join(root, 'dist', 'node-red')] };
  mkdirSync(join(dir, 'examples'), { recursive: true });
  for (const entry of ['package.json', 'dist', 'resources']) symlinkSync(join(root, entry), join(dir, entry));
  for (const flow of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json'))) {
    symlinkSync(join(root, 'examples', flow), join(dir, 'examples', flow));
  }
  return {};
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE' && port !== 0) listen(server, 0).then(resolve, reject);
      else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

export async function startNodeRed(o: NodeRedHostOptions): Promise<NodeRedHost> {
  mkdirSync(o.userDir, { recursive: true });
  // Every run deploys the demo flows afresh: edits made in the editor last only until the next `npm start`.
  writeFileSync(join(o.userDir, 'flows.json'), JSON.stringify(o.flows, null, 2));
  writeFileSync(join(o.userDir, 'flows_cred.json'), JSON.stringify(o.credentials, null, 2));
  const pack = loadPack(o.root, o.userDir);

  // Loaded lazily: requiring node-red costs a second and the demo's pure helpers (and their tests) do not need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require('node-red') as NodeRedModule;
  const server = createServer((req, res) => RED.httpAdmin(req, res));
  const port = await listen(server, o.port);
  const settings: Record<string, unknown> = {
    userDir: o.userDir,
    flowFile: 'flows.json',
    // The demo credentials stay readable in .tmp/ (they are the simulator's documented demo logins); a real
    // installation keeps Node-RED's default encryption.
    credentialSecret: false,
    httpAdminRoot: '/',
    httpNodeRoot: false,
    httpStatic: undefined,
    uiHost: '127.0.0.1',
    uiPort: port,
    ...pack,
    functionExternalModules: false,
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { tours: false, projects: { enabled: false } },
    logging: {
      console: { level: 'off' },
      demo: { level: 'info', metrics: false, audit: false, handler: () => (record: RedLogRecord) => o.onLog(record) },
    },
  };
  try {
    RED.init(server, settings);
    await RED.start();
  } catch (err) {
    // A half-started runtime may hold timers and sockets: stop what there is before giving up.
    await RED.stop().catch(() => undefined);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/`,
    close() {
      closing ??= (async () => {
        await RED.stop();
        // Connections nobody holds linger warm for a while (for redeploys, see the registry): at shutdown they log
        // out now, while the simulator still listens, and leave no socket that would keep the process alive.
        await closeLingering();
        // The editor keeps websockets and keep-alive sockets open: cut them, or Ctrl-C would wait for the browser.
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
