/** `pbxflow replay` run in-process on real files: normalized lines out, bad lines reported, never a crash. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { loadScenarios, scenarioLines } from '../helpers/scenarios';

describe('pbxflow replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pbxflow-replay-'));
  const s = loadScenarios().find((x) => x.file === 'oxe/08-caller-hangs-up-while-ringing')!;

  it('prints the normalized events of a capture file, and reports bad lines by number', async () => {
    const lines = scenarioLines(s);
    lines.splice(2, 0, '{"truncated": ', 'not json at all');
    const file = join(dir, 'capture.ndjson');
    writeFileSync(file, lines.join('\n'));
    const r = await runCli(['replay', '--platform', 'auto', file]);
    expect(r.code).toBe(0);
    const events = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.user === 'oxe70022').map((e) => e.type)).toEqual(['call.incoming', 'call.ended', 'call.missed']);
    expect(events.every((e) => e.platform === 'o2g' && e.raw === undefined)).toBe(true);
    expect(r.err).toMatch(/line 3: malformed JSON/);
    expect(r.err).toMatch(/line 4: malformed JSON/);
    expect(r.err).toMatch(/2 of 13 line\(s\) skipped/);
  });

  it('reads stdin and includes raw events with --raw', async () => {
    const r = await runCli(['replay', '--platform', 'o2g', '--raw'], scenarioLines(s).join('\n'));
    const missed = r.out.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'call.missed');
    // The raw events of that step only: output stays linear in the capture's size.
    expect(missed.raw).toEqual([expect.objectContaining({ callRef: 'a4032a5739010100' })]);
    const incoming = r.out.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'call.incoming');
    expect(incoming.raw).toEqual([expect.objectContaining({ eventName: 'OnCallCreated', callRef: 'a4032a5739010100' })]);
  });

  it('refuses an unknown platform and a missing file with a clear message', async () => {
    expect((await runCli(['replay', '--platform', 'nope'])).code).toBe(2);
    const r = await runCli(['replay', join(dir, 'missing.ndjson')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read/);
  });
});
