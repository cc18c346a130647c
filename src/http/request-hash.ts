// The identity of an image request for Idempotency-Key: a hash over what is generated, not over
// how the answer is delivered. The same key with another identity is refused (design.md,
// "Idempotency"); a client that retries as a stream after a JSON call attaches to the same job.

import { createHash } from 'node:crypto';

/** How the answer is delivered, not what is generated: a retry may switch between stream and JSON. */
export const DELIVERY_FIELDS: ReadonlySet<string> = new Set(['stream', 'partial_images']);

/** An uploaded file as it counts for the identity: its field (image or mask) and its bytes' sha256. */
export interface FileIdentity {
  field: string;
  digest: string;
}

/**
 * sha256 over the body fields (sorted by name, delivery options left out) and the files in the
 * order sent, each with its field: the same bytes as `mask` or as `image[]` are other requests.
 */
export function requestHash(fields: Record<string, unknown>, files: readonly FileIdentity[]): string {
  const sorted = Object.keys(fields).filter((k) => !DELIVERY_FIELDS.has(k)).sort().map((k) => [k, fields[k]]);
  const fileIds = files.map((f) => [f.field, f.digest]);
  return createHash('sha256').update(JSON.stringify([sorted, fileIds])).digest('hex');
}
