/** Editor files against the shared catalogue: help, locales, icons, package.json node-red section. */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATIONS } from '../../shared/operations/catalogue';
import { CALENDAR_SYNC } from '../../node-red/lib/calendar';
import { parseIcs } from '../../node-red/lib/ics';

const root = join(__dirname, '..', '..');
const dir = join(root, 'node-red');
const ACTION_NODES: Record<string, string[]> = {
  call: ['call'], routing: ['routing'], messaging: ['messaging', 'callLog'], directory: ['directory'], agent: ['agent'],
};

describe('Node-RED editor files', () => {
  it.each(Object.entries(ACTION_NODES))('help of pbxflow-%s documents every operation and field of its resources', (node, resources) => {
    const html = readFileSync(join(dir, `${node}.html`), 'utf8');
    const help = html.slice(html.indexOf('data-help-name'));
    const ops = [...OPERATIONS, CALENDAR_SYNC].filter((o) => resources.includes(o.resource));
    expect(ops.length).toBeGreaterThan(0);
    for (const op of ops) {
      expect(help).toContain(`<span class="property-type">${op.name}</span>`);
      for (const f of op.fields) expect(help).toContain(`<code>${f.name}</code>`);
    }
    // and nothing stale: every documented operation still exists
    const documented = [...help.matchAll(/<dt>[^<]*<span class="property-type">(\w+)<\/span><\/dt>/g)].map((m) => m[1]);
    expect(documented.sort()).toEqual(ops.map((o) => o.name).sort());
  });

  it('every node has an editor, a help text, a locale catalogue with the status texts, and its icon', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const nodes: Record<string, string> = pkg['node-red'].nodes;
    expect(pkg['node-red'].version).toBe('>=4.0.0');
    expect(Object.keys(nodes).sort()).toEqual(
      ['pbxflow-agent', 'pbxflow-call', 'pbxflow-connection', 'pbxflow-directory', 'pbxflow-event', 'pbxflow-messaging', 'pbxflow-routing'],
    );
    for (const [type, file] of Object.entries(nodes)) {
      const base = file.replace(/^dist\/node-red\//, '').replace(/\.js$/, '');
      expect(existsSync(join(dir, `${base}.ts`))).toBe(true);
      const html = readFileSync(join(dir, `${base}.html`), 'utf8');
      expect(html).toContain(`RED.nodes.registerType('${type}'`);
      expect(html).toContain(`data-template-name="${type}"`);
      expect(html).toContain(`data-help-name="${type}"`);
      const catalogue = JSON.parse(readFileSync(join(dir, 'locales', 'en-US', `${base}.json`), 'utf8'));
      for (const key of ['connecting', 'connected', 'reconnecting', 'error', 'noConnection']) expect(typeof catalogue.status[key]).toBe('string');
      for (const key of [...html.matchAll(/data-i18n="(?:\[placeholder\])?([\w.]+)"/g)].map((m) => m[1])) {
        const value = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], catalogue);
        expect([key, typeof value]).toEqual([key, 'string']);
      }
      const icon = /icon: '([^']+)'/.exec(html)?.[1];
      if (type !== 'pbxflow-connection') expect(existsSync(join(dir, 'icons', icon ?? 'missing'))).toBe(true);
    }
  });
});

describe('iCalendar reader', () => {
  it('reads summary, UTC and all-day times, folded lines and free events', () => {
    const ics = [
      'BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'SUMMARY:Team meet', ' ing', 'DTSTART:20260301T090000Z', 'DTEND:20260301T100000Z', 'END:VEVENT',
      'BEGIN:VEVENT', 'SUMMARY:Holiday', 'DTSTART;VALUE=DATE:20260302', 'TRANSP:TRANSPARENT', 'END:VEVENT', 'END:VCALENDAR',
    ].join('\r\n');
    const events = parseIcs(ics);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({ title: 'Team meeting', start: new Date('2026-03-01T09:00:00Z'), end: new Date('2026-03-01T10:00:00Z'), busy: undefined });
    expect(events[1].busy).toBe(false);
    expect(events[1].end.getTime() - events[1].start.getTime()).toBe(86_400_000);
  });
});
