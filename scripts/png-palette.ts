/**
 * Makes chromium's screenshots small enough for the docs: decodes its 8-bit RGB(A) PNG, reduces it to a palette of
 * at most 256 colours (median cut; screens are mostly flat colours, which stay exact) and writes an indexed PNG
 * with zlib at its best. Node's zlib only: no image library to install.
 * Written with erasable TypeScript only (no enums, no parameter properties): `node` runs it as it is.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

export interface Rgba {
  width: number;
  height: number;
  /** width * height * 4 bytes, row by row. */
  data: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Non-interlaced, 8 bits per channel, RGB or RGBA: what chromium writes. */
export function decodePng(png: Uint8Array): Rgba {
  const buf = Buffer.from(png);
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= buf.length;) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const body = buf.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = body.subarray(8, 13);
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) throw new Error(`unsupported PNG (depth ${depth}, colour type ${colour}, interlace ${interlace})`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      const x = line[i];
      cur[i] = (filter === 0 ? x : filter === 1 ? x + a : filter === 2 ? x + b : filter === 3 ? x + ((a + b) >> 1) : x + paeth(a, b, c)) & 0xff;
    }
    for (let px = 0; px < width; px++) {
      const o = (y * width + px) * 4;
      out[o] = cur[px * channels];
      out[o + 1] = cur[px * channels + 1];
      out[o + 2] = cur[px * channels + 2];
      out[o + 3] = channels === 4 ? cur[px * channels + 3] : 255;
    }
    prev = cur;
  }
  return { width, height, data: out };
}

/**
 * Up to 256 colours: every colour when there are few; otherwise median cut over the colours in use (the busiest,
 * widest box is split at its median until there are enough). A box stands for its main colour when that colour
 * holds most of its pixels (a page's flat colours stay exact), else for its average (gradients stay smooth).
 */
export function palette(img: Rgba, max = 256): number[] {
  const exact = new Map<number, number>();
  for (let i = 0; i < img.data.length; i += 4) {
    const key = (img.data[i] << 16) | (img.data[i + 1] << 8) | img.data[i + 2];
    exact.set(key, (exact.get(key) ?? 0) + 1);
  }
  if (exact.size <= max) return [...exact.keys()];
  const channel = (key: number, axis: number) => (key >> (16 - 8 * axis)) & 0xff;
  type Box = { entries: Array<[number, number]>; count: number; axis: number; range: number };
  const measure = (entries: Array<[number, number]>): Box => {
    const lo = [255, 255, 255];
    const hi = [0, 0, 0];
    let count = 0;
    for (const [key, n] of entries) {
      count += n;
      for (let a = 0; a < 3; a++) {
        const v = channel(key, a);
        if (v < lo[a]) lo[a] = v;
        if (v > hi[a]) hi[a] = v;
      }
    }
    const ranges = hi.map((h, a) => h - lo[a]);
    const axis = ranges.indexOf(Math.max(...ranges));
    return { entries, count, axis, range: ranges[axis] };
  };
  const boxes = [measure([...exact])];
  while (boxes.length < max) {
    let pick = -1;
    let score = 0;
    boxes.forEach((b, i) => {
      const sc = b.entries.length > 1 ? b.range * Math.sqrt(b.count) : 0;
      if (sc > score) {
        score = sc;
        pick = i;
      }
    });
    if (pick < 0) break;
    const b = boxes[pick];
    b.entries.sort((x, y) => channel(x[0], b.axis) - channel(y[0], b.axis));
    let acc = 0;
    let cut = 1;
    for (; cut < b.entries.length - 1; cut++) {
      acc += b.entries[cut - 1][1];
      if (acc >= b.count / 2) break;
    }
    boxes.splice(pick, 1, measure(b.entries.slice(0, cut)), measure(b.entries.slice(cut)));
  }
  return boxes.map((b) => {
    const [main, mainCount] = b.entries.reduce((m, e) => (e[1] > m[1] ? e : m));
    if (mainCount * 2 >= b.count) return main;
    const sum = [0, 0, 0];
    for (const [key, n] of b.entries) for (let a = 0; a < 3; a++) sum[a] += channel(key, a) * n;
    return (Math.round(sum[0] / b.count) << 16) | (Math.round(sum[1] / b.count) << 8) | Math.round(sum[2] / b.count);
  });
}

/** Indexed PNG (colour type 3) of `img` in `colours` (alpha dropped: screenshots are opaque). */
export function encodeIndexed(img: Rgba, colours: number[]): Buffer {
  const nearest = new Map<number, number>();
  colours.forEach((c, i) => nearest.set(c, i));
  const pick = (key: number): number => {
    let idx = nearest.get(key);
    if (idx !== undefined) return idx;
    const r = key >> 16;
    const g = (key >> 8) & 0xff;
    const b = key & 0xff;
    let best = Infinity;
    idx = 0;
    for (let i = 0; i < colours.length; i++) {
      const c = colours[i];
      // Weighted for the eye (green most, blue least).
      const d = 3 * ((c >> 16) - r) ** 2 + 4 * (((c >> 8) & 0xff) - g) ** 2 + 2 * ((c & 0xff) - b) ** 2;
      if (d < best) {
        best = d;
        idx = i;
      }
    }
    nearest.set(key, idx);
    return idx;
  };
  const raw = Buffer.alloc((img.width + 1) * img.height);
  for (let y = 0; y < img.height; y++) {
    raw[y * (img.width + 1)] = 0; // filter "none": the best for palette images
    for (let x = 0; x < img.width; x++) {
      const o = (y * img.width + x) * 4;
      raw[y * (img.width + 1) + 1 + x] = pick((img.data[o] << 16) | (img.data[o + 1] << 8) | img.data[o + 2]);
    }
  }
  const chunk = (type: string, body: Buffer): Buffer => {
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
  ihdr.set([8, 3, 0, 0, 0], 8);
  const plte = Buffer.alloc(colours.length * 3);
  colours.forEach((c, i) => plte.set([c >> 16, (c >> 8) & 0xff, c & 0xff], i * 3));
  return Buffer.concat([
    SIGNATURE, chunk('IHDR', ihdr), chunk('PLTE', plte),
    chunk('IDAT', deflateSync(raw, { level: 9, memLevel: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Chromium's PNG in, a small indexed PNG out. */
export function compressPng(png: Uint8Array): Buffer {
  const img = decodePng(png);
  return encodeIndexed(img, palette(img));
}
