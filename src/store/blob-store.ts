// Blob store for uploads (edits, re-sent on retries) and result images: bytes by key, on local disk
// by default. Keys are `jobs/{jobId}/...`, so a job's blobs are deleted together.
import type { Readable } from 'node:stream';

export interface BlobStore {
  /** Writes the bytes (streamed, never held whole in memory when given a stream). */
  put(key: string, data: Buffer | Readable): Promise<{ sizeBytes: number }>;
  /** A readable stream of the bytes; undefined when absent. */
  open(key: string): Promise<Readable | undefined>;
  read(key: string): Promise<Buffer | undefined>;
  /** Deletes every blob whose key starts with prefix. */
  deletePrefix(prefix: string): Promise<void>;
  /** Bytes in use (for retention tests and metrics). */
  usageBytes(): Promise<number>;
  close(): Promise<void>;
}
