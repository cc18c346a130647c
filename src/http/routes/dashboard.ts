// The dashboard: GET / and its assets (all shipped in the package: src/web/ and the browser build
// in dist/web/), the session routes (POST/GET/DELETE /v1/holdfast/session) and the live feed
// GET /v1/holdfast/events (SSE). Every call the page makes is a documented API endpoint.
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createError } from '../../errors.js';
import { encodeJsonFrame, KEEPALIVE } from '../../wire/sse.js';
import type { HttpDeps, HttpOptions } from '../deps.js';
import { openSseReply } from '../sse-relay.js';
import { callerHook, callerOf } from '../caller.js';
import { jobListItem } from './job-list.js';
import type { FeedMessage } from '../../observability/live-feed-types.js';

const ROOT = new URL('../../../', import.meta.url);
const PAGES = new URL('src/web/', ROOT);
const BUNDLE = new URL('dist/web/', ROOT);
const ASSET = /^[a-z0-9-]+\.(js|css|svg)$/;
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };

/** Nothing from elsewhere: scripts, styles, images and connections stay on this origin. */
const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'",
  "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer').header('x-frame-options', 'DENY').header('cache-control', 'no-cache');
}

async function readAsset(name: string): Promise<Buffer | undefined> {
  for (const dir of name.endsWith('.js') ? [BUNDLE] : [PAGES]) {
    try {
      return await readFile(new URL(name, dir));
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function registerDashboardRoutes(app: FastifyInstance, deps: HttpDeps, options: HttpOptions): void {
  app.get('/', async (_request, reply) => {
    const html = await readAsset('index.html');
    if (!html) return reply.code(503).type('text/plain').send('The dashboard is not built: run `npm run build`.\n');
    return pageHeaders(reply).type('text/html; charset=utf-8').send(html);
  });

  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const { name } = request.params;
    const body = ASSET.test(name) ? await readAsset(name) : undefined;
    if (!body) throw createError('route_not_found', [request.method, request.url]);
    return pageHeaders(reply).type(TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream').send(body);
  });

  app.post<{ Body: { admin_key?: unknown } }>('/v1/holdfast/session', async (request, reply) => {
    const key = request.body?.admin_key;
    if (typeof key !== 'string' || key === '') throw createError('missing_required_parameter', ['Send {"admin_key": "…"}.'], { param: 'admin_key' });
    if (!deps.admin) throw createError('invalid_admin_key', ['off'], { param: 'admin_key' });
    const session = deps.admin.signIn(request, reply, key);
    return reply.header('cache-control', 'no-store').send({ object: 'holdfast.session', signed_in: true, csrf_token: session.csrfToken, expires_at: Math.floor(session.expiresAt / 1000) });
  });

  // Whether the caller is signed in (the page asks on load): 200 either way, the CSRF token when it is.
  app.get('/v1/holdfast/session', async (request, reply) => {
    const session = deps.admin?.session(request);
    const bearer = !session && deps.admin?.check(request) === 'bearer';
    return reply.header('cache-control', 'no-store').send({
      object: 'holdfast.session', signed_in: Boolean(session) || bearer,
      csrf_token: session?.csrfToken ?? null, expires_at: session ? Math.floor(session.expiresAt / 1000) : null,
    });
  });

  app.delete('/v1/holdfast/session', async (request, reply) => {
    deps.admin?.check(request);
    deps.admin?.signOut(request, reply);
    return reply.code(204).send();
  });

  app.get('/v1/holdfast/events', { onRequest: callerHook(deps) }, async (request, reply) => streamFeed(deps, options, request, reply));
}

/** Deployments snapshots (and their history first) plus changes to the jobs the caller may see. */
async function streamFeed(deps: HttpDeps, options: HttpOptions, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const caller = callerOf(request);
  const feed = deps.feed;
  if (!feed) throw createError('route_not_found', [request.method, request.url]);
  const { res, signal } = openSseReply(reply, { 'x-request-id': request.id });
  const write = (frame: string): void => {
    if (!res.destroyed && !res.writableEnded) res.write(frame);
  };
  write('retry: 2000\n\n');
  write(encodeJsonFrame('deployments.history', { points: feed.history() }));
  write(encodeJsonFrame('deployments', { data: feed.table() }));
  let ended: () => void = () => {};
  const unsubscribe = feed.subscribe((message: FeedMessage) => {
    if (message.type === 'closing') { if (!res.writableEnded) res.end(); ended(); return; }
    if (message.type === 'deployments') write(encodeJsonFrame('deployments', { data: message.rows }));
    else if (caller.scope === null || message.job.ownerKeyHash === caller.scope) write(encodeJsonFrame('job', jobListItem(message.job)));
  });
  let heartbeat = deps.clock.setTimer(options.heartbeatIntervalMs, function beat() {
    write(KEEPALIVE);
    heartbeat = deps.clock.setTimer(options.heartbeatIntervalMs, beat);
  });
  await new Promise<void>((resolve) => {
    ended = resolve;
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  unsubscribe();
  heartbeat.cancel();
}
