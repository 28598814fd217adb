/**
 * docs/n8n.md in n8n 2.40's words (issue 22, item 11): import is "⋯ → Import → From file", a workflow is
 * published (not activated), the platform is the credential's type; the real-instance notes carry no absolute
 * paths of the machine they were written on (item 13).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const read = (f: string): string => readFileSync(resolve(__dirname, '../../docs', f), 'utf8');

describe('docs/n8n.md', () => {
  const doc = read('n8n.md');

  it('uses the words of the n8n 2.40 editor', () => {
    expect(doc).not.toMatch(/Import from File/i);
    expect(doc).toMatch(/\*\*Import\*\* → \*\*From file\*\*/);
    expect(doc).not.toMatch(/\b(activate|Activate) the workflow/);
    expect(doc).toMatch(/\*\*Publish\*\*/);
    expect(doc).not.toMatch(/Pick the \*\*Platform\*\*|switch \*Platform\*/);
    expect(doc).toMatch(/credential window's type list/);
  });

  it('names the searches and labels the panel shows', () => {
    for (const words of ['make call', 'missed call', 'do not disturb', 'forward']) expect(doc).toContain(`*${words}*`);
    expect(doc).not.toMatch(/Forward or DND Changed/);
    expect(doc).toMatch(/Act for User.*required with an administrator credential/is);
  });
});

describe('docs/n8n-real-instance-check.md', () => {
  it('has no absolute paths of a development machine', () => {
    const doc = read('n8n-real-instance-check.md');
    expect(doc.match(/(^|[\s`"'(=])\/(work|tmp|home|root|Users|opt|var)\/[^\s`"')]*/gm) ?? []).toEqual([]);
  });
});
