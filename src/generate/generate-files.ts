// Where `holdfast generate` writes: the --out path for one image, `stem-i.ext` for several, and
// `stem.partial-i.ext` for partials. Pure, so the names are tested without touching the disk.
import { extname } from 'node:path';

export type OutputFormat = 'png' | 'jpeg' | 'webp';

const EXTENSIONS: Record<OutputFormat, readonly string[]> = { png: ['.png'], jpeg: ['.jpg', '.jpeg'], webp: ['.webp'] };

/** undefined when fine, else why `out` does not suit `format`. */
export function checkOutPath(out: string, format: OutputFormat): string | undefined {
  const ext = extname(out).toLowerCase();
  if (ext === '' || EXTENSIONS[format].includes(ext)) return undefined;
  return `--out ${out} ends in ${ext} but --format is ${format} (use ${EXTENSIONS[format].join(' or ')})`;
}

export function defaultOutPath(format: OutputFormat): string {
  return `image.${format === 'jpeg' ? 'jpg' : format}`;
}

function split(out: string, format: OutputFormat): { stem: string; ext: string } {
  const ext = extname(out);
  if (ext === '') return { stem: out, ext: EXTENSIONS[format][0] };
  return { stem: out.slice(0, -ext.length), ext };
}

/** The file for image `index` of `count`. */
export function imagePath(out: string, format: OutputFormat, index: number, count: number): string {
  const { stem, ext } = split(out, format);
  return count === 1 ? `${stem}${ext}` : `${stem}-${index}${ext}`;
}

/** The file for the `index`-th partial image received (0-based). */
export function partialPath(out: string, format: OutputFormat, index: number): string {
  const { stem, ext } = split(out, format);
  return `${stem}.partial-${index}${ext}`;
}
