// Who is calling: the admin (an admin key as bearer, or a dashboard session) or a client key.
// callerHook is the onRequest hook of every client route: the admin check comes first, then
// http/auth.ts's clientKeyHook; either way request.clientOwner is the owner new jobs are recorded
// under, so the admin acts as a client (the dashboard's playground) and reads every job.
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { clientKeyHook } from './auth.js';
import type { HttpDeps } from './deps.js';

/** The owner recorded on jobs the admin submits (client owners are 32 hex digits, or '' without auth). */
export const ADMIN_OWNER = 'admin';

export interface Caller {
  admin: boolean;
  /** The owner new jobs are recorded under (request.clientOwner). */
  owner: string;
  /** The owner a read is scoped to; null: every job (the admin). */
  scope: string | null;
  /** The key's name stored on new jobs, when known. */
  keyName?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by callerHook; null on routes without it. */
    caller: Caller | null;
  }
}

const ADMIN: Caller = { admin: true, owner: ADMIN_OWNER, scope: null, keyName: 'admin' };

export interface CallerHookOptions {
  /**
   * Who may act as the admin here. The image endpoints take the dashboard session only (the
   * playground): an admin key presented as a client key is refused there like any unknown key, so
   * an SDK configured with the admin key never spends as the admin by mistake.
   */
  admin?: 'bearer_or_session' | 'session';
}

/** The onRequest hook of client routes: the admin, or a client key (401 invalid_api_key otherwise). */
export function callerHook(deps: HttpDeps, options: CallerHookOptions = {}): onRequestAsyncHookHandler {
  const clientKey = clientKeyHook(deps.auth);
  const accepted = options.admin ?? 'bearer_or_session';
  return async function caller(request, reply) {
    // Throws csrf_failed for a state-changing call on the session cookie without its token.
    const via = deps.admin?.check(request);
    if (via && (accepted === 'bearer_or_session' || via === 'session')) {
      request.clientOwner = ADMIN_OWNER;
      // The admin has no managed key: no key limits apply to the playground.
      request.clientPrincipal = { owner: ADMIN_OWNER };
      request.caller = ADMIN;
      return;
    }
    await clientKey.call(this, request, reply);
    // A managed key's name goes on its jobs (GET /v1/images/jobs?key_name=…); static keys have none.
    const keyName = request.clientPrincipal?.managed?.name;
    request.caller = { admin: false, owner: request.clientOwner, scope: request.clientOwner, ...(keyName !== undefined ? { keyName } : {}) };
  };
}

/** The caller callerHook found; a route that asks must have the hook. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error(`route ${request.routeOptions.url ?? request.url} has no callerHook`);
  return request.caller;
}
