// Client authentication: `Authorization: Bearer …` or `api-key: …`, compared in constant time
// against every static key of `auth.keys` (hashing first makes the lengths equal), then looked up
// among the managed keys by keyed hash. Every request reads the store, so a revocation holds at once
// on every replica. Admin keys are not client keys (admin-auth.ts). It runs as the onRequest hook
// of every client route (clientKeyHook), which leaves the caller on the request.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { onRequestAsyncHookHandler } from 'fastify';
import { createError } from '../errors.js';
import type { ClientKeyRecord } from '../store/key-store.js';
import type { ClientKeys } from '../keys/client-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Owner scope of the client key (a managed key's id, a static key's hash; '' when auth is off), set by clientKeyHook. */
    clientOwner: string;
    /** The caller (its managed key, whose limits apply), set by clientKeyHook. */
    clientPrincipal: Principal;
  }
}

/** Who is calling. */
export interface Principal {
  /** The job owner scope: a managed key's id, a hash of a static key, or '' when auth is off. */
  owner: string;
  /** The managed key presented, whose limits apply. */
  managed?: ClientKeyRecord;
}

export interface ClientAuth {
  /** False when no client key is required (no `auth.keys` and no `admin.keys`). */
  readonly enabled: boolean;
  /** The caller, or null when refused. */
  authenticate(headers: IncomingHttpHeaders): Promise<Principal | null>;
  /** The usage ledger's key id and name for an owner scope. */
  describe(owner: string): Promise<{ keyId: string; keyName: string; managed: boolean }>;
}

/** The onRequest hook of client routes: refuses a missing, unknown or revoked key with 401 invalid_api_key. */
export function clientKeyHook(auth: ClientAuth): onRequestAsyncHookHandler {
  return async (request) => {
    const principal = await auth.authenticate(request.headers);
    if (principal === null) throw createError('invalid_api_key', []);
    request.clientOwner = principal.owner;
    request.clientPrincipal = principal;
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

const STATIC_SCOPE_LENGTH = 32;

export function createClientAuth(
  keys: ReadonlyArray<{ reveal(): string }>, options: { managed?: ClientKeys; required?: boolean } = {},
): ClientAuth {
  const digests = keys.map((k) => digest(k.reveal()));
  const staticNames = new Map(digests.map((d, i) => [d.toString('hex').slice(0, STATIC_SCOPE_LENGTH), `auth.keys[${i}]`]));
  const enabled = digests.length > 0 || options.required === true;
  const { managed } = options;
  return {
    enabled,
    async authenticate(headers) {
      if (!enabled) return { owner: '' };
      const key = presentedKey(headers);
      if (!key) return null;
      const candidate = digest(key);
      let match = false;
      for (const d of digests) match = timingSafeEqual(d, candidate) || match;
      if (match) return { owner: candidate.toString('hex').slice(0, STATIC_SCOPE_LENGTH) };
      const record = await managed?.authenticate(key);
      return record ? { owner: record.id, managed: record } : null;
    },
    async describe(owner) {
      if (owner === '') return { keyId: 'anonymous', keyName: 'anonymous', managed: false };
      const name = staticNames.get(owner);
      if (name !== undefined) return { keyId: `static:${owner.slice(0, 12)}`, keyName: name, managed: false };
      const record = await managed?.get(owner);
      return { keyId: owner, keyName: record?.name ?? owner, managed: record !== undefined };
    },
  };
}
