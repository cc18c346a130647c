// Real images for the simulator: an SVG whose colours come from a hash of prompt+seed, showing the
// prompt, rendered by sharp at exactly the requested size and format. Partials are blurred versions.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { LruCache } from './lru.js';

type SharpImage = ReturnType<typeof sharp>;

export type OutputFormat = 'png' | 'jpeg' | 'webp';

export interface ImageSpec {
  prompt: string;
  seed: number;
  /** Distinguishes the n images of one request. */
  index: number;
  width: number;
  height: number;
  format: OutputFormat;
  /** 0–100; applies to jpeg and webp. */
  compression: number;
  transparent: boolean;
}

export interface ImageRenderer {
  /** The final image's bytes. */
  render(spec: ImageSpec): Promise<Buffer>;
  /** Partial `k` of `count`: the final image blurred, sharper as k grows. */
  renderPartial(spec: ImageSpec, k: number, count: number): Promise<Buffer>;
}

interface RawImage {
  data: Buffer;
  width: number;
  height: number;
}

export function createImageRenderer(options: { maxEntries?: number; maxBytes?: number } = {}): ImageRenderer {
  const raws = new LruCache<string, Promise<RawImage>>(8, 256 * 1024 * 1024);
  const encoded = new LruCache<string, Promise<Buffer>>(options.maxEntries ?? 48, options.maxBytes ?? 128 * 1024 * 1024);

  const rawFor = (spec: ImageSpec): Promise<RawImage> => {
    const key = JSON.stringify([spec.prompt, spec.seed, spec.index, spec.width, spec.height, spec.transparent]);
    let raw = raws.get(key);
    if (!raw) {
      raw = sharp(Buffer.from(buildSvg(spec))).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
        .then(({ data, info }) => ({ data, width: info.width, height: info.height }));
      raws.set(key, raw, spec.width * spec.height * 4);
      raw.catch(() => raws.delete(key));
    }
    return raw;
  };

  const cached = (key: string, make: () => Promise<Buffer>): Promise<Buffer> => {
    let hit = encoded.get(key);
    if (!hit) {
      hit = make();
      const entry = hit;
      // Weight by the encoded size once known; until then by a guess.
      encoded.set(key, entry, 1024 * 1024);
      entry.then((buf) => { if (encoded.get(key) === entry) encoded.set(key, entry, buf.length); }, () => encoded.delete(key));
    }
    return hit;
  };

  return {
    render(spec) {
      const key = JSON.stringify(['final', spec]);
      return cached(key, async () => encode(fromRaw(await rawFor(spec)), spec));
    },
    renderPartial(spec, k, count) {
      const key = JSON.stringify(['partial', spec, k, count]);
      return cached(key, async () => {
        const raw = await rawFor(spec);
        // Downscale then upscale: cheap blur whose strength halves with each partial.
        const factor = 2 ** (count - k + 2);
        const small = await fromRaw(raw)
          .resize(Math.max(1, Math.round(raw.width / factor)), Math.max(1, Math.round(raw.height / factor)))
          .raw().toBuffer({ resolveWithObject: true });
        const blurred = sharp(small.data, { raw: { width: small.info.width, height: small.info.height, channels: 4 } })
          .resize(raw.width, raw.height, { kernel: 'cubic' });
        return encode(blurred, spec);
      });
    },
  };
}

function fromRaw(raw: RawImage): SharpImage {
  return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 4 } });
}

function encode(image: SharpImage, spec: ImageSpec): Promise<Buffer> {
  const quality = Math.max(1, Math.min(100, spec.compression));
  switch (spec.format) {
    case 'png': return image.png({ compressionLevel: 6 }).toBuffer();
    case 'jpeg': return image.flatten({ background: '#ffffff' }).jpeg({ quality }).toBuffer();
    case 'webp': return image.webp({ quality }).toBuffer();
  }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Wraps the prompt into at most six lines of roughly `perLine` characters. */
function wrap(text: string, perLine: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if ((line + ' ' + word).trim().length > perLine && line) {
      lines.push(line);
      line = '';
    }
    line = (line + ' ' + word).trim();
  }
  if (line) lines.push(line);
  if (lines.length > 6) return [...lines.slice(0, 5), `${lines[5].slice(0, perLine - 1)}…`];
  return lines;
}

export function buildSvg(spec: ImageSpec): string {
  const digest = createHash('sha256').update(`${spec.seed}\u0000${spec.index}\u0000${spec.prompt}`).digest();
  const hue = (i: number): number => Math.round((digest[i] / 255) * 360);
  const { width, height } = spec;
  const fontSize = Math.max(12, Math.round(Math.min(width, height) / 18));
  const lines = wrap(spec.prompt, Math.max(8, Math.floor(width / (fontSize * 0.6))));
  const cx = Math.round((digest[4] / 255) * width);
  const cy = Math.round((digest[5] / 255) * height);
  const r = Math.round(Math.min(width, height) * (0.2 + digest[6] / 640));
  const background = spec.transparent ? '' : `<rect width="100%" height="100%" fill="url(#bg)"/>`;
  const text = lines.map((l, i) => `<tspan x="50%" dy="${i === 0 ? 0 : 1.2}em">${escapeXml(l)}</tspan>`).join('');
  const textY = Math.round(height / 2 - ((lines.length - 1) * fontSize * 1.2) / 2);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
<stop offset="0" stop-color="hsl(${hue(0)},70%,55%)"/><stop offset="1" stop-color="hsl(${hue(1)},70%,35%)"/></linearGradient>
<radialGradient id="sun"><stop offset="0" stop-color="hsl(${hue(2)},90%,75%)"/><stop offset="1" stop-color="hsl(${hue(3)},80%,45%)" stop-opacity="0"/></radialGradient></defs>
${background}<circle cx="${cx}" cy="${cy}" r="${r}" fill="url(#sun)"/>
<text x="50%" y="${textY}" font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="${fontSize}" fill="#ffffff" stroke="#000000" stroke-width="${Math.max(1, Math.round(fontSize / 24))}" text-anchor="middle">${text}</text>
</svg>`;
}
