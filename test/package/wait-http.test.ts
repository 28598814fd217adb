/**
 * scripts/n8n-queue-mode.sh waits for n8n's REST API with scripts/lib/wait-http.sh. Its old wait
 * (`curl ... /rest/login | grep -qv 'Cannot POST'`) succeeded on the other lines of Express's HTML error page, so on a
 * fast machine the script logged in before the route existed. Here the wait runs in bash against a local server that
 * first answers like n8n before its REST routes are mounted (HTML 404 "Cannot POST /rest/login"), then like n8n after
 * (a JSON 401): the wait must return only after the JSON answer, and time out on a server that never gives one.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const LIB = join(__dirname, '../../scripts/lib/wait-http.sh');

/** What Express sends for a route nobody registered yet. */
const EXPRESS_404 = '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot POST /rest/login</pre>\n</body>\n</html>\n';

interface Peer {
  url: string;
  /** Answers given, in order: 'html' or 'json'. */
  answers: string[];
  close(): Promise<void>;
}

/** Answers POST /rest/login with the HTML page `htmlFirst` times, then (unless never) with n8n's JSON refusal. */
async function n8nStartingUp(htmlFirst: number, opts: { jsonStatus?: number; jsonType?: string } = {}): Promise<Peer> {
  const answers: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (answers.length < htmlFirst) {
        answers.push('html');
        res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end(EXPRESS_404);
      } else {
        answers.push('json');
        res.writeHead(opts.jsonStatus ?? 401, { 'content-type': opts.jsonType ?? 'application/json; charset=utf-8' }).end(JSON.stringify({ code: 401, message: 'Wrong username or password. Do you have caps lock on?' }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rest/login`,
    answers,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function bash(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { env: { ...process.env, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const WAIT = `set -euo pipefail; . "$LIB"; WAIT_INTERVAL=0.05 wait_for_json_answer "n8n REST" "$SECS" POST "$URL" "400 401 422" '{}'`;

describe('waiting for n8n REST API (scripts/lib/wait-http.sh)', () => {
  it('the old check took the HTML error page for an answer', async () => {
    const peer = await n8nStartingUp(Infinity);
    const old = await bash(`curl -s -X POST -H 'Content-Type: application/json' --data '{}' "$URL" | grep -qv 'Cannot POST'`, { URL: peer.url });
    await peer.close();
    expect(old.code).toBe(0);
    expect(peer.answers).toEqual(['html']);
  });

  it('returns only once the route answers in JSON, not on the HTML pages before', async () => {
    const peer = await n8nStartingUp(5);
    const r = await bash(WAIT, { LIB, URL: peer.url, SECS: '10' });
    await peer.close();
    expect(r).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
    expect(peer.answers).toEqual(['html', 'html', 'html', 'html', 'html', 'json']);
  });

  it('times out, naming what it waited for and the last answer, when only HTML comes', async () => {
    const peer = await n8nStartingUp(Infinity);
    const r = await bash(WAIT, { LIB, URL: peer.url, SECS: '1' });
    await peer.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^timed out after 1s waiting for n8n REST; last answer: .*Cannot POST \/rest\/login.*HTTP 404, text\/html/);
    expect(r.ms).toBeLessThan(5000);
    expect(peer.answers.length).toBeGreaterThan(5);
    expect(new Set(peer.answers)).toEqual(new Set(['html']));
  });

  it('does not take JSON with an unexpected status, nor a JSON body sent as HTML, for an answer', async () => {
    for (const opts of [{ jsonStatus: 404 }, { jsonType: 'text/html' }]) {
      const peer = await n8nStartingUp(0, opts);
      const r = await bash(WAIT, { LIB, URL: peer.url, SECS: '1' });
      await peer.close();
      expect({ opts, code: r.code }).toEqual({ opts, code: 1 });
    }
  });

  it('is what the queue-mode script waits with (no grep of the page left)', () => {
    const script = readFileSync(join(__dirname, '../../scripts/n8n-queue-mode.sh'), 'utf8');
    expect(script).toMatch(/\. "\$REPO\/scripts\/lib\/wait-http\.sh"/);
    expect(script).toMatch(/wait_for_json_answer "n8n main's REST API[^"]*" \d+ POST "\$API\/login"/);
    expect(script).not.toMatch(/grep -qv/);
  });
});
