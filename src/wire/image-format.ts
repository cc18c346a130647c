// The image formats the Images API takes and returns, told apart by their first bytes (PNG
// signature, JPEG SOI marker, RIFF....WEBP), for the gateway's intake and the simulator alike.

export type ImageFormat = 'png' | 'jpeg' | 'webp';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The format of an image from its first 12 bytes (or more); undefined when it is none of the three. */
export function sniffImageFormat(head: Buffer): ImageFormat | undefined {
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}
