/**
 * Child process of the tarball tests: starts the Node-RED runtime (the repository's node-red, run from code) on a user
 * directory where the tarball was installed with `npm install`, the way ~/.node-red holds palette modules, and reports
 * what the editor would get, as one JSON line:
 *
 *   node node-red-host.ts <repo root> <user dir> [connection JSON: {"platform","url","login","password"}]
 *
 * Through the admin API, as the editor and the palette manager read it: the node sets (enabled, loaded, errors), the
 * node definitions' HTML and the files it loads, the icons, the message catalogues, the example flows. With a
 * connection, a flow with a pbxflow-connection and a pbxflow-event node is deployed, and the event node's status is
 * followed until it says connected (or 10 s pass). Warnings and errors the runtime logged come back too.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

// `require`, not `import`: node runs this file as CommonJS (an import would make it an ES module).
const { createServer } = require('node:http') as typeof import('node:http');
const { mkdtempSync, rmSync } = require('node:fs') as typeof import('node:fs');
const { tmpdir } = require('node:os') as typeof import('node:os');
const { join } = require('node:path') as typeof import('node:path');

const [root, userDir, connectionArg] = process.argv.slice(2) as [string, string, string | undefined];

interface LogRecord {
  level: number;
  msg: unknown;
  type?: string;
  id?: string;
}

interface Red {
  init(server: Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: (req: IncomingMessage, res: ServerResponse) => void;
  events: { on(event: 'node-status', cb: (e: { id: string; status: { text?: string; fill?: string } }) => void): void };
}

async function main(): Promise<string> {
  const logs: Array<{ level: number; type?: string; msg: string }> = [];
  const started = Date.now();
  const RED = require(join(root, 'node_modules', 'node-red')) as Red;
  const server = createServer((req, res) => RED.httpAdmin(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  // The flows (and their credentials, saved beside them) go to a folder of this run: the user directory is an install
  // other runs reuse, and a flow left there would start with them.
  const flowDir = mkdtempSync(join(tmpdir(), 'pbxflow-red-flows-'));
  RED.init(server, {
    userDir,
    flowFile: join(flowDir, 'flows.json'),
    credentialSecret: false,
    httpAdminRoot: '/',
    httpNodeRoot: false,
    uiHost: '127.0.0.1',
    uiPort: port,
    functionExternalModules: false,
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { tours: false, projects: { enabled: false } },
    logging: {
      console: { level: 'off' },
      capture: {
        level: 'warn',
        metrics: false,
        audit: false,
        handler: () => (r: LogRecord) => logs.push({ level: r.level, type: r.type, msg: String(r.msg instanceof Error ? r.msg.stack : r.msg) }),
      },
    },
  });
  await RED.start();
  const startMs = Date.now() - started;
  const base = `http://127.0.0.1:${port}`;
  const get = async (path: string, accept = 'application/json') => {
    const res = await fetch(`${base}${path}`, { headers: { accept } });
    return { status: res.status, body: await res.text() };
  };

  const nodeSets = JSON.parse((await get('/nodes')).body) as Array<Record<string, unknown>>;
  // Only what the installed modules brought (Node-RED's own nodes are of no interest here).
  const modules = [...new Set(nodeSets.map((s) => s.module as string))].filter((m) => m !== 'node-red');
  const ours = (key: string) => modules.some((m) => key.startsWith(`${m}/`) || key === m);
  // The editor's HTML, one section per node set, each headed by a "[red-module:<set id>]" comment.
  const parts = (await get('/nodes', 'text/html')).body.split(/<!-- --- \[red-module:([^\]]+)\] --- -->/);
  const html: Record<string, string> = {};
  for (let i = 1; i + 1 < parts.length; i += 2) if (ours(parts[i]!)) html[parts[i]!] = parts[i + 1]!;
  // The files the node definitions load from the module (src="resources/<module>/...").
  const sources = Object.values(html).flatMap((h) => [...h.matchAll(/src="(resources\/[^"]+)"/g)].map((m) => m[1]!));
  const resources = await Promise.all([...new Set(sources)].map(async (path) => ({ path, status: (await get(`/${path}`, '*/*')).status })));
  const icons = JSON.parse((await get('/icons')).body) as Record<string, string[]>;
  const catalogues = Object.fromEntries(
    Object.entries(JSON.parse((await get('/nodes/messages?lng=en-US')).body) as Record<string, Record<string, unknown>>)
      .filter(([k]) => ours(k))
      .map(([k, v]) => [k, Object.keys(v)]),
  );
  const exampleModules = JSON.parse((await get('/library/examples/flows/')).body) as string[];
  const examples = Object.fromEntries(
    await Promise.all(modules.map(async (m) => [m, JSON.parse((await get(`/library/examples/flows/${m}`)).body) as unknown])),
  );

  let deploy: unknown;
  if (connectionArg) {
    const c = JSON.parse(connectionArg) as { platform: string; url: string; login: string; password: string };
    const statuses: string[] = [];
    let connected: () => void = () => undefined;
    const isConnected = new Promise<void>((resolve) => (connected = resolve));
    RED.events.on('node-status', (e) => {
      if (e.id !== 'pkg-event') return;
      statuses.push(String(e.status.text ?? ''));
      if (e.status.text === 'status.connected') connected();
    });
    const flow = [
      { id: 'pkg-tab', type: 'tab', label: 'installed package' },
      { id: 'pkg-conn', type: 'pbxflow-connection', name: 'sim', platform: c.platform, url: c.url, sessionKind: 'user', verifyCertificate: true, requestTimeout: 5, credentials: { login: c.login, password: c.password } },
      { id: 'pkg-event', type: 'pbxflow-event', z: 'pkg-tab', name: 'events', connection: 'pkg-conn', eventTypes: ['call.missed'], wires: [] },
    ];
    const t = Date.now();
    const res = await fetch(`${base}/flows`, { method: 'POST', headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(flow) });
    const status = res.status;
    await res.text();
    const outcome = await Promise.race([isConnected.then(() => 'connected'), new Promise((r) => setTimeout(r, 10_000, 'timeout'))]);
    deploy = { status, outcome, statuses, ms: Date.now() - t };
  }

  await RED.stop();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(flowDir, { recursive: true, force: true });
  return JSON.stringify({
    startMs,
    nodeSets: nodeSets.filter((s) => modules.includes(s.module as string)),
    html,
    resources,
    icons: Object.fromEntries(Object.entries(icons).filter(([k]) => ours(k))),
    catalogues,
    exampleModules,
    examples,
    deploy,
    logs,
  });
}

// Exit once the report is written: stdout is a pipe, and exit() would cut off a write still in flight.
main().then(
  (report) => process.stdout.write(`${report}\n`, () => process.exit(0)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
