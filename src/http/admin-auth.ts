// Operator authentication: an admin key from `admin.keys`, presented as `Authorization: Bearer …`,
// compared in constant time. Admin keys and client keys are separate lists (config cross-check).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { presentedKey } from './auth.js';

export interface AdminAuth {
  /** True when admin keys are configured. */
  readonly configured: boolean;
  /** Whether this literal key is an admin key. */
  isAdminKey(key: string | undefined): boolean;
  /** Whether the request presents an admin key (`Authorization: Bearer` or `api-key`). */
  isAdminRequest(headers: IncomingHttpHeaders): boolean;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function createAdminAuth(keys: ReadonlyArray<{ reveal(): string }>): AdminAuth {
  const digests = keys.map((k) => digest(k.reveal()));
  const isAdminKey = (key: string | undefined): boolean => {
    if (!key || digests.length === 0) return false;
    const candidate = digest(key);
    let match = false;
    for (const d of digests) match = timingSafeEqual(d, candidate) || match;
    return match;
  };
  return {
    configured: digests.length > 0,
    isAdminKey,
    isAdminRequest: (headers) => isAdminKey(presentedKey(headers)),
  };
}
