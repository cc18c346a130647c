// Client authentication: `Authorization: Bearer …` or `api-key: …`, compared in constant time
// against every configured key (hashing first makes the lengths equal).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface ClientAuth {
  /** Undefined when auth is off; otherwise the owner scope (hash of the key) or null when refused. */
  authenticate(headers: IncomingHttpHeaders): string | null;
  readonly enabled: boolean;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  const apiKey = headers['api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

export function createClientAuth(keys: ReadonlyArray<{ reveal(): string }>): ClientAuth {
  const digests = keys.map((k) => digest(k.reveal()));
  return {
    enabled: digests.length > 0,
    authenticate(headers) {
      if (digests.length === 0) return '';
      const key = presentedKey(headers);
      if (!key) return null;
      const candidate = digest(key);
      let match = false;
      for (const d of digests) match = timingSafeEqual(d, candidate) || match;
      return match ? candidate.toString('hex').slice(0, 32) : null;
    },
  };
}
