// Client authentication: `Authorization: Bearer …` or `api-key: …`, compared in constant time
// against every configured key (hashing first makes the lengths equal), run as an onRequest hook
// by every client route; the hook leaves the key's owner scope on the request.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { onRequestAsyncHookHandler } from 'fastify';
import { createError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Owner scope of the client key (a hash; '' when auth is off), set by clientKeyHook. */
    clientOwner: string;
  }
}

export interface ClientAuth {
  /** '' when auth is off; otherwise the owner scope (hash of the key) or null when refused. */
  authenticate(headers: IncomingHttpHeaders): string | null;
}

/** The onRequest hook of client routes: refuses a missing or unknown key with 401 invalid_api_key. */
export function clientKeyHook(auth: ClientAuth): onRequestAsyncHookHandler {
  return async (request) => {
    const owner = auth.authenticate(request.headers);
    if (owner === null) throw createError('invalid_api_key', []);
    request.clientOwner = owner;
  };
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
