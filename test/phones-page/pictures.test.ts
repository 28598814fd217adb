/**
 * The docs' pictures (made by `npm run screenshots`): the palette encoder keeps what it is given, the images the
 * docs show exist, are PNGs within the size budget, and stay out of the published package.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { compressPng, decodePng, encodeIndexed, palette, type Rgba } from '../../scripts/png-palette';

const root = join(__dirname, '..', '..');

/** A width x height RGB(A) PNG as chromium writes it (filter per row as given). */
function rgbaPng(img: Rgba, filters: number[]): Buffer {
  const stride = img.width * 4;
  const raw = Buffer.alloc((stride + 1) * img.height);
  for (let y = 0; y < img.height; y++) {
    const f = filters[y % filters.length];
    raw[y * (stride + 1)] = f;
    for (let i = 0; i < stride; i++) {
      const x = img.data[y * stride + i];
      const a = i >= 4 ? img.data[y * stride + i - 4] : 0;
      const b = y > 0 ? img.data[(y - 1) * stride + i] : 0;
      const c = i >= 4 && y > 0 ? img.data[(y - 1) * stride + i - 4] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth;
      raw[y * (stride + 1) + 1 + i] = (x - pred) & 0xff;
    }
  }
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Reads back an indexed PNG's pixels as RGB keys. */
function indexedPixels(png: Buffer): { width: number; height: number; rgb: number[] } {
  let at = 8;
  let width = 0;
  let height = 0;
  let plte: Buffer = Buffer.alloc(0);
  const idat: Buffer[] = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([...body.subarray(8, 13)]).toEqual([8, 3, 0, 0, 0]);
    }
    if (type === 'PLTE') plte = Buffer.from(body);
    if (type === 'IDAT') idat.push(body);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgb: number[] = [];
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width + 1)]).toBe(0);
    for (let x = 0; x < width; x++) {
      const i = raw[y * (width + 1) + 1 + x];
      rgb.push((plte[i * 3] << 16) | (plte[i * 3 + 1] << 8) | plte[i * 3 + 2]);
    }
  }
  return { width, height, rgb };
}

function image(width: number, height: number, colour: (x: number, y: number) => number): Rgba {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const c = colour(x, y);
    data.set([c >> 16, (c >> 8) & 0xff, c & 0xff, 255], (y * width + x) * 4);
  }
  return { width, height, data };
}

describe('screenshot compression', () => {
  it('decodes every PNG row filter and keeps a few-colour image exactly', () => {
    const img = image(37, 23, (x, y) => [0x17212d, 0xffffff, 0x1a5fd0, 0xb86e00][(x * 3 + y * 7) % 4] + (x === y ? 1 : 0));
    const png = rgbaPng(img, [0, 1, 2, 3, 4]);
    expect(decodePng(png)).toEqual(img);
    const out = indexedPixels(compressPng(png));
    expect(out).toMatchObject({ width: 37, height: 23 });
    expect(out.rgb).toEqual([...Array(37 * 23).keys()].map((i) => (img.data[i * 4] << 16) | (img.data[i * 4 + 1] << 8) | img.data[i * 4 + 2]));
  });

  it('maps a many-colour image to 256 colours, each pixel to a near one', () => {
    const img = image(64, 64, (x, y) => (x * 4) << 16 | (y * 4) << 8 | ((x + y) * 2));
    expect(palette(img).length).toBe(256);
    const out = indexedPixels(encodeIndexed(img, palette(img)));
    let worst = 0;
    out.rgb.forEach((c, i) => {
      const d = Math.max(Math.abs((c >> 16) - img.data[i * 4]), Math.abs(((c >> 8) & 0xff) - img.data[i * 4 + 1]), Math.abs((c & 0xff) - img.data[i * 4 + 2]));
      worst = Math.max(worst, d);
    });
    expect(worst).toBeLessThanOrEqual(16);
  });
});

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
