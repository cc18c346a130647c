// How a finished job's images reach the client (issue 11): read from their blobs and base64-encoded
// chunk by chunk as the answer is written, around JSON built without them, so a 25 MB image is never
// a 35 MB string here (nor the several copies serialising one made).
import { Readable } from 'node:stream';
import type { JobEvent } from '../engine/job.js';
import type { BlobStore } from '../store/blob-store.js';
import { base64Pieces, FILL_PLACEHOLDER, jsonWithFills, type TextPieces } from '../wire/text-pieces.js';
import type { ImageText } from './openai-frames.js';

type Completed = Extract<JobEvent, { type: 'job.completed' }>;

async function openImage(blobs: BlobStore, blobKey: string): Promise<Readable> {
  const stream = await blobs.open(blobKey);
  if (!stream) throw new Error(`image ${blobKey} is missing`);
  return stream;
}

/** A held base64 string in pieces of 1 MiB, so a socket write never copies the whole image at once. */
function heldPieces(b64: string): TextPieces {
  return async function* pieces() {
    for (let at = 0; at < b64.length; at += PIECE) yield b64.slice(at, at + PIECE);
  };
}
const PIECE = 1 << 20;

/**
 * Each image of a completed event as base64: inline where the event still has it, then what this
 * process still holds of the result it just stored (`held`, no read-back), else its blob, opened when written.
 */
export function imageTexts(blobs: BlobStore, event: Completed, held?: ReadonlyArray<string | undefined>): ImageText[] {
  return event.response.data.map((item, index) => {
    const ref = event.images?.[index];
    if (!ref) return item.b64_json;
    const kept = held?.[index];
    if (kept !== undefined) return kept;
    return async function* fromBlob() {
      yield* base64Pieces(await openImage(blobs, ref.blobKey));
    };
  });
}

/**
 * The OpenAI JSON answer of a completed event as a stream. Every blob is opened first, so a missing
 * one fails the request before a byte is sent; those not read to the end are closed with the body.
 */
export async function resultJsonBody(blobs: BlobStore, event: Completed, held?: ReadonlyArray<string | undefined>): Promise<Readable> {
  const streams = await Promise.all(event.response.data.map((_item, index) => {
    const ref = event.images?.[index];
    return ref && held?.[index] === undefined ? openImage(blobs, ref.blobKey) : undefined;
  }));
  const fills: TextPieces[] = [];
  const data = event.response.data.map((item, index) => {
    const stream = streams[index];
    const kept = event.images?.[index] ? held?.[index] : undefined;
    if (kept !== undefined) fills.push(heldPieces(kept));
    else if (stream) fills.push(() => base64Pieces(stream));
    else return item;
    return { ...item, b64_json: FILL_PLACEHOLDER };
  });
  const json = jsonWithFills({ ...event.response, data }, 'b64_json', fills);
  const body = Readable.from(json());
  // On 'close', not in the generator: a body destroyed before its first read (the client left
  // first) never runs the generator, and its opened files would wait for the GC to close them.
  body.once('close', () => {
    for (const stream of streams) stream?.destroy();
  });
  return body;
}
