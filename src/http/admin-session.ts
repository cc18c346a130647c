// Dashboard sessions on top of admin-auth.ts, and the one admin check every admin route uses.
//
// Signing in with an admin key sets the cookie `holdfast_session` (HttpOnly, SameSite=Strict,
// Path=/, Secure over https). Its value is a random session id, its expiry and an HMAC of both under
// a secret derived from the configured admin keys: no session state to lose, so a session survives a
// gateway restart and is valid on every replica with the same admin keys, and changing admin.keys
// ends every session. Sign-out revokes the id on the replica that served it until it expires.
// A state-changing request authenticated by the cookie must also carry `X-CSRF-Token` (an HMAC of
// the session id, handed out by sign-in and GET /v1/holdfast/session) and no foreign Origin.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../time/clock.js';
import { createError } from '../errors.js';
import type { AdminAuth } from './admin-auth.js';

export const SESSION_COOKIE = 'holdfast_session';
export const CSRF_HEADER = 'x-csrf-token';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const SIGN_IN_WINDOW_MS = 60_000;
const SIGN_IN_FAILURES_PER_WINDOW = 10;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type AdminVia = 'bearer' | 'session';

export interface AdminGate {
  readonly configured: boolean;
  /**
   * How the request proves it is the admin, or null when it does not. Throws csrf_failed for an
   * unsafe method authenticated by the cookie without its CSRF token.
   */
  check(request: FastifyRequest): AdminVia | null;
  /** Throws admin_required unless check() passes. */
  require(request: FastifyRequest): AdminVia;
  /** Checks the key; on success sets the cookie and returns the CSRF token. */
  signIn(request: FastifyRequest, reply: FastifyReply, key: string): { csrfToken: string; expiresAt: number };
  /** The CSRF token and expiry of the request's session, or null without a valid one. */
  session(request: FastifyRequest): { csrfToken: string; expiresAt: number } | null;
  signOut(request: FastifyRequest, reply: FastifyReply): void;
}

interface Session {
  id: string;
  expiresAt: number;
}

function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function equalText(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export function createAdminGate(clock: Clock, auth: AdminAuth, keys: ReadonlyArray<{ reveal(): string }>): AdminGate {
  const secret = createHash('sha256').update('holdfast-dashboard-session\u0000');
  for (const k of [...keys].map((key) => key.reveal()).sort()) secret.update(createHash('sha256').update(k).digest());
  const key = secret.digest();
  const mac = (text: string): string => createHmac('sha256', key).update(text).digest('base64url');
  const csrfOf = (id: string): string => mac(`csrf.${id}`);
  const revoked = new Map<string, number>();
  const failures = new Map<string, number[]>();

  const parse = (request: FastifyRequest): Session | null => {
    if (!auth.configured) return null;
    const value = cookieOf(request, SESSION_COOKIE);
    if (!value) return null;
    const [version, id, expires, signature] = value.split('.');
    if (version !== 'v1' || !id || !expires || !signature) return null;
    if (!equalText(signature, mac(`${version}.${id}.${expires}`))) return null;
    const expiresAt = Number(expires);
    const now = clock.now();
    if (!Number.isFinite(expiresAt) || expiresAt <= now) return null;
    for (const [rid, until] of revoked) if (until <= now) revoked.delete(rid);
    if (revoked.has(id)) return null;
    return { id, expiresAt };
  };

  const sameOrigin = (request: FastifyRequest): boolean => {
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || origin === '') return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  };

  const setCookie = (request: FastifyRequest, reply: FastifyReply, value: string, maxAgeS: number): void => {
    const secure = request.protocol === 'https' ? '; Secure' : '';
    reply.header('set-cookie', `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}${secure}`);
  };

  const check = (request: FastifyRequest): AdminVia | null => {
    if (auth.isAdminRequest(request.headers)) return 'bearer';
    const session = parse(request);
    if (!session) return null;
    if (!SAFE_METHODS.has(request.method)) {
      const token = request.headers[CSRF_HEADER];
      if (typeof token !== 'string' || !equalText(token, csrfOf(session.id)) || !sameOrigin(request)) {
        throw createError('csrf_failed', []);
      }
    }
    return 'session';
  };

  return {
    configured: auth.configured,
    check,
    require(request) {
      const via = check(request);
      if (!via) throw createError('admin_required', []);
      return via;
    },
    signIn(request, reply, presented) {
      const now = clock.now();
      const ip = request.ip;
      if (failures.size > 1000) for (const [addr, times] of failures) if ((times.at(-1) ?? 0) <= now - SIGN_IN_WINDOW_MS) failures.delete(addr);
      const recent = (failures.get(ip) ?? []).filter((at) => at > now - SIGN_IN_WINDOW_MS);
      if (recent.length >= SIGN_IN_FAILURES_PER_WINDOW) {
        throw createError('too_many_sign_ins', [], { retryAfterMs: recent[0] + SIGN_IN_WINDOW_MS - now });
      }
      if (!auth.isAdminKey(presented)) {
        recent.push(now);
        failures.set(ip, recent);
        throw createError('invalid_admin_key', [auth.configured ? 'not_admin' : 'off'], { param: 'admin_key' });
      }
      failures.delete(ip);
      const id = randomBytes(18).toString('base64url');
      const expiresAt = now + SESSION_TTL_MS;
      const body = `v1.${id}.${expiresAt}`;
      setCookie(request, reply, `${body}.${mac(body)}`, Math.floor(SESSION_TTL_MS / 1000));
      return { csrfToken: csrfOf(id), expiresAt };
    },
    session(request) {
      const session = parse(request);
      return session ? { csrfToken: csrfOf(session.id), expiresAt: session.expiresAt } : null;
    },
    signOut(request, reply) {
      const session = parse(request);
      if (session) revoked.set(session.id, session.expiresAt);
      setCookie(request, reply, '', 0);
    },
  };
}
