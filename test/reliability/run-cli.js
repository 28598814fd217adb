/* `node -r ./ts-register.js run-cli.js <args>`: the pbxflow CLI from its sources, as a real process. */
const { main } = require('../../cli/pbxflow.ts');

main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`pbxflow: ${err.message}\n`); process.exitCode = 1; },
);
