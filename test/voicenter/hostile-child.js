/*
 * `node -r ../reliability/ts-register.js hostile-child.js '<ConnectionConfig JSON>'`: one Voicenter connection in its
 * own process (as a host would run it), printing each event, warning and state as one JSON line. No handler for
 * uncaught exceptions: a frame that throws inside the socket.io client ends this process, which the test sees.
 */
const { VoicenterConnection } = require('../../shared/platforms/voicenter/module.ts');

const conn = new VoicenterConnection(JSON.parse(process.argv[2]));
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
conn.onEvent((e) => out({ event: e.type, user: e.user, callId: e.call && e.call.id }));
conn.onWarning((w) => out({ warning: w.kind, message: w.message }));
conn.onState((s) => out({ state: s.state, sockets: conn.stats.sockets }));
process.stdin.on('data', () => undefined);
process.stdin.on('end', () => void conn.close());
