// Streams a multipart/form-data body for edits: text fields, then files read from the blob store
// part by part, so a retry re-sends 16 × 50 MB uploads without holding them in memory.
// Content-Length is computed up front (some fronts refuse chunked uploads).
import { randomBytes } from 'node:crypto';
import type { UpstreamFile } from './adapter.js';

export interface MultipartBody {
  contentType: string;
  contentLength: number;
  body: AsyncIterable<Buffer>;
}

function escapeName(value: string): string {
  return value.replace(/["\r\n]/g, (c) => encodeURIComponent(c));
}

function textValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function buildMultipartBody(fields: Record<string, unknown>, files: UpstreamFile[]): MultipartBody {
  const boundary = `holdfast-${randomBytes(12).toString('hex')}`;
  const textParts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    textParts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n${textValue(value)}\r\n`));
  }
  const fileHeads = files.map((f) => Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(f.field)}"; filename="${escapeName(f.filename)}"\r\n` +
    `Content-Type: ${f.contentType}\r\n\r\n`,
  ));
  const tail = Buffer.from(`--${boundary}--\r\n`);
  const crlf = Buffer.from('\r\n');
  const contentLength = textParts.reduce((n, b) => n + b.length, 0)
    + fileHeads.reduce((n, b, i) => n + b.length + files[i].sizeBytes + crlf.length, 0)
    + tail.length;
  async function* body(): AsyncGenerator<Buffer> {
    for (const part of textParts) yield part;
    for (const [i, file] of files.entries()) {
      yield fileHeads[i];
      for await (const chunk of await file.open()) yield chunk as Buffer;
      yield crlf;
    }
    yield tail;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, contentLength, body: body() };
}
