/**
 * The docs' pictures (made by `npm run screenshots`, compressed by Debian's pngquant): the images the docs show
 * exist, are PNGs within the size budget, and stay out of the published package.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('docs pictures', () => {
  const pictures = ['phones-page.png', 'node-red-flow.png', 'node-red-debug.png', 'node-red-event-dialog.png'];
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const demo = readFileSync(join(root, 'docs', 'demo.md'), 'utf8');

  it.each(pictures)('%s is a PNG under 150 kB that the docs show', (name) => {
    const file = join(root, 'docs', 'images', name);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(statSync(file).size).toBeLessThan(150 * 1024);
    expect(readme.includes(`](docs/images/${name})`) || demo.includes(`](images/${name})`)).toBe(true);
  });

  it('they stay out of the published package', () => {
    const files = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] }).files;
    expect(files.some((f) => f === 'docs' || f.startsWith('docs/') || f === '*' || f === '**')).toBe(false);
  });
});
