// Who is calling: the admin (an admin key as bearer, or a dashboard session) or a client key.
// Every route asks here, so the admin check is one hook for the API and the dashboard alike.
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../errors.js';
import type { HttpDeps } from './deps.js';

/** The owner recorded on jobs the admin submits (client owners are 32 hex digits, or '' without auth). */
export const ADMIN_OWNER = 'admin';

export interface Caller {
  admin: boolean;
  /** The owner new jobs are recorded under. */
  owner: string;
  /** The owner a read is scoped to; null: every job (the admin). */
  scope: string | null;
  /** The key's name stored on new jobs, when known. */
  keyName?: string;
}

export function callerOf(deps: HttpDeps, request: FastifyRequest): Caller {
  if (deps.admin?.check(request)) return { admin: true, owner: ADMIN_OWNER, scope: null, keyName: 'admin' };
  const owner = deps.auth.authenticate(request.headers);
  if (owner === null) throw new GatewayError('invalid_api_key', 'Incorrect API key provided. Send it as `Authorization: Bearer …` or `api-key: …`.');
  return { admin: false, owner, scope: owner };
}
