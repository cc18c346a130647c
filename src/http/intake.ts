// Reads an image request off the wire: JSON bodies, or multipart edits whose files are spooled to
// the blob store as they arrive (never held whole in memory), with the upstream's limits on count,
// type and size enforced up front (wire-format §2.1).
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { createError, GatewayError } from '../errors.js';
import type { BlobStore } from '../store/blob-store.js';
import { jobBlobPrefix, uploadBlobKey } from '../store/blob-keys.js';
import { sniffImageFormat } from '../wire/image-format.js';
import type { UploadRef } from '../engine/job.js';
import { isRecord } from '../wire/openai-images.js';
import { requestHash, type FileIdentity } from './request-hash.js';

export interface UploadLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxMaskBytes: number;
}

export interface ParsedImageRequest {
  fields: Record<string, unknown>;
  files: UploadRef[];
  /** Hash of the fields and file contents: the identity of the request for Idempotency-Key. */
  requestHash: string;
}

const IMAGE_FIELDS = new Set(['image', 'image[]', 'mask']);

/** The MIME type of an upload from its first bytes; undefined when it is not an image we take. */
export function sniffImageType(head: Buffer): string | undefined {
  const format = sniffImageFormat(head);
  return format ? `image/${format}` : undefined;
}

export function parseJsonRequest(body: unknown): ParsedImageRequest {
  if (!isRecord(body)) throw createError('invalid_json', ['not_an_object']);
  return { fields: { ...body }, files: [], requestHash: requestHash(body, []) };
}

/** An error of the multipart reader (busboy): the client's body is malformed or was cut. */
function uploadError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return createError('upload_too_large', ['An uploaded file is too large.'], { param: 'image' });
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return createError('invalid_upload', ['Too many files or fields in the upload.'], { param: 'image' });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return createError('invalid_upload', [`The multipart body could not be read: ${reason}`], { cause: error });
}

export async function parseMultipartRequest(
  request: FastifyRequest, blobs: BlobStore, jobId: string, limits: UploadLimits,
): Promise<ParsedImageRequest> {
  const fields: Record<string, unknown> = {};
  const files: UploadRef[] = [];
  const digests: FileIdentity[] = [];
  try {
    const parts = request.parts({ limits: { fileSize: Math.max(limits.maxFileBytes, limits.maxMaskBytes), files: limits.maxFiles + 1, parts: 1000 } });
    for (;;) {
      const next = await parts.next().catch((error: unknown) => { throw uploadError(error); });
      if (next.done) break;
      const part = next.value;
      if (part.type === 'field') {
        if (part.valueTruncated || part.fieldnameTruncated) {
          throw createError('invalid_value', [`The field '${part.fieldname}' is longer than the gateway accepts (limits.max_field_bytes).`], { param: part.fieldname });
        }
        fields[part.fieldname] = part.value;
        continue;
      }
      if (!IMAGE_FIELDS.has(part.fieldname)) {
        part.file.on('error', () => undefined).resume();
        throw createError('unknown_parameter', [`Unknown file field '${part.fieldname}'.`], { param: part.fieldname });
      }
      const isMask = part.fieldname === 'mask';
      if (!isMask && files.filter((f) => f.field !== 'mask').length >= limits.maxFiles) {
        part.file.on('error', () => undefined).resume();
        throw createError('invalid_upload', [`Too many images: at most ${limits.maxFiles} are accepted.`], { param: 'image' });
      }
      const ref = await spoolFile(part.file, blobs, uploadBlobKey(jobId, files.length), {
        field: part.fieldname, filename: part.filename || 'upload', maxBytes: isMask ? limits.maxMaskBytes : limits.maxFileBytes,
      });
      digests.push({ field: part.fieldname, digest: ref.digest });
      files.push(ref.upload);
    }
    if (!files.some((f) => f.field !== 'mask')) {
      throw createError('missing_required_parameter', ["Missing required parameter: 'image'."], { param: 'image' });
    }
  } catch (error) {
    await blobs.deletePrefix(jobBlobPrefix(jobId));
    throw error;
  }
  if (!files.some((f) => f.field !== 'mask')) {
    throw createError('missing_required_parameter', ["Missing required parameter: 'image'."], { param: 'image' });
  }
  return { fields, files, requestHash: requestHash(fields, digests) };
}

async function spoolFile(
  file: NodeJS.ReadableStream & { truncated?: boolean }, blobs: BlobStore, key: string,
  options: { field: string; filename: string; maxBytes: number },
): Promise<{ upload: UploadRef; digest: string }> {
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  let size = 0;
  // A pass-through that measures: a 'data' listener would start the flow before the store's
  // pipeline is attached, and the first chunks would be lost.
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16)]);
      done(null, chunk);
    },
  });
  // The reader may have failed this file before it reached us (a body that ends right after it):
  // its error and close events are gone, and piping it would wait forever.
  const early = file as { destroyed?: boolean; readableEnded?: boolean; errored?: unknown };
  if (early.destroyed === true && early.readableEnded !== true) {
    throw uploadError(early.errored ?? new Error('the multipart body ended inside a file'));
  }
  // A body cut mid-file (or without its closing boundary) errors the file stream: the spool must
  // fail with it, or put() waits forever and its temp file stays.
  let cut: unknown;
  file.on('error', (error: unknown) => {
    cut ??= error;
    if (!tap.destroyed) tap.destroy(new Error('the upload was cut'));
  });
  // A client that goes away mid-file: the reader destroys the file stream without an error or an end.
  file.on('close', () => {
    if ((file as { readableEnded?: boolean }).readableEnded) return;
    cut ??= new Error('the client closed the connection mid-file');
    if (!tap.destroyed) tap.destroy(new Error('the upload was cut'));
  });
  // put()'s pipeline reports the tap's error while it runs; after it, nobody listens but this.
  tap.on('error', () => undefined);
  file.pipe(tap);
  try {
    await blobs.put(key, tap);
  } catch (error) {
    if (cut !== undefined) throw uploadError(cut);
    throw error;
  }
  if (cut !== undefined) throw uploadError(cut);
  const param = options.field === 'mask' ? 'mask' : 'image';
  if (file.truncated || size > options.maxBytes) {
    throw createError('upload_too_large', [`The file '${options.filename}' is larger than ${options.maxBytes} bytes.`], { param });
  }
  const contentType = sniffImageType(head);
  const allowed = options.field === 'mask' ? ['image/png'] : ['image/png', 'image/jpeg', 'image/webp'];
  if (!contentType || !allowed.includes(contentType)) {
    const kinds = options.field === 'mask' ? 'a PNG' : 'a PNG, JPEG or WebP image';
    throw createError('invalid_upload', [`The file '${options.filename}' is not ${kinds}.`], { param });
  }
  return {
    upload: { field: options.field, filename: options.filename, contentType, sizeBytes: size, blobKey: key },
    digest: hash.digest('hex'),
  };
}
