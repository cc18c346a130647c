// The one admin check of the HTTP layer: a Fastify preHandler that lets a request through only with
// a key from `admin.keys` (admin-auth.ts; a client key never qualifies). Every admin route uses it,
// so another way of being an admin (a dashboard session) is added here and nowhere else.
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { createError } from '../errors.js';
import type { AdminAuth } from './admin-auth.js';

export function isAdmin(auth: AdminAuth, request: FastifyRequest): boolean {
  return auth.isAdminRequest(request.headers);
}

export function requireAdmin(auth: AdminAuth): preHandlerAsyncHookHandler {
  return async (request) => {
    if (!auth.configured) throw createError('admin_disabled', []);
    if (!isAdmin(auth, request)) throw createError('invalid_admin_key', []);
  };
}
