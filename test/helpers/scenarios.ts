/** Scenario fixtures (copied from the ALE event-trace seeds) and a replay through the real pipeline. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PbxEvent, Party } from '../../shared/model/events';
import { AlePipeline } from '../../shared/platforms/ale/pipeline';

export interface Scenario {
  name: string;
  family: 'icm' | 'oxe';
  file: string;
  users: Array<{ login: string; number: string; devices: string[] }>;
  steps: Array<{ description: string; event: Record<string, unknown> | null }>;
}

export const FIXTURES = join(__dirname, '..', 'fixtures');
export const SCENARIO_DIR = join(FIXTURES, 'scenarios');

export function loadScenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const family of ['icm', 'oxe'] as const) {
    for (const f of readdirSync(join(SCENARIO_DIR, family)).filter((x) => x.endsWith('.json')).sort()) {
      const s = JSON.parse(readFileSync(join(SCENARIO_DIR, family, f), 'utf8'));
      out.push({ ...s, family, file: `${family}/${f.replace(/\.json$/, '')}` });
    }
  }
  return out;
}

/** Lines of a scenario as they would arrive on the event channel. */
export function scenarioLines(s: Scenario): string[] {
  return s.steps.filter((st) => st.event).map((st) => JSON.stringify(st.event));
}

/** Replays a scenario through the pipeline with a clock that advances one second per event. */
export function replayScenario(s: Scenario, base = Date.UTC(2024, 0, 10, 9, 0, 0)): PbxEvent[] {
  let t = base;
  const directory = new Map<string, Party>(s.users.map((u) => [u.login, { number: u.number }]));
  const p = new AlePipeline({
    platform: s.family === 'icm' ? 'opentouch' : 'o2g',
    now: () => t,
    selfParty: (u) => directory.get(u),
  });
  const out: PbxEvent[] = [];
  for (const line of scenarioLines(s)) {
    t += 1000;
    out.push(...p.pushLine(line));
  }
  return out;
}

/** The fields a golden file pins down, per event. */
export function summarize(e: PbxEvent): Record<string, unknown> {
  const r: Record<string, unknown> = { type: e.type };
  if (e.state) r.state = e.state;
  if (e.device) r.device = e.device;
  const c = e.call;
  if (c) {
    r.call = c.id;
    r.direction = c.direction;
    r.from = c.from.number;
    r.to = c.to.number;
    if (c.device) r.device = c.device;
    r.answered = c.answered;
    if (c.anonymous) r.anonymous = true;
    if (c.endReason) r.endReason = c.endReason;
    if (c.redirectedTo) r.redirectedTo = c.redirectedTo.number;
    if (c.transferredTo) r.transferredTo = c.transferredTo.number;
    if (c.mergedInto) r.mergedInto = c.mergedInto;
    if (c.previousIds) r.previousIds = c.previousIds;
  }
  return r;
}

export function byUser(events: PbxEvent[]): Record<string, Array<Record<string, unknown>>> {
  const out: Record<string, Array<Record<string, unknown>>> = {};
  for (const e of events) (out[e.user] ??= []).push(summarize(e));
  return out;
}
