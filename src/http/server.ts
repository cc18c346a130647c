// buildServer(deps, options): the Fastify app with every route and the one error handler.
// Building does no I/O; the caller listens.
import { registerRequestTracing } from './request-tracing.js';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { createError, GatewayError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import type { HttpDeps, HttpOptions } from './deps.js';
import { replyGatewayError, replyUnknownError } from './error-reply.js';
import { registerOpenAIRoutes } from './routes/openai-images.js';
import { registerAzureRoutes } from './routes/azure-images.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerJsonParser } from './json-body.js';
import { applyClientLimits } from './client-limits.js';
import { registerAdminKeyRoutes } from './routes/admin-keys.js';
import { registerAdminUsageRoutes } from './routes/admin-usage.js';

function fromFastifyError(error: FastifyError): GatewayError | undefined {
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return createError('invalid_json', ['media_type']);
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return createError('upload_too_large', ['The request body is larger than this route accepts (limits.json_body_bytes, limits.edit_json_body_bytes).']);
  if (error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return createError('invalid_json', [{ detail: 'The request body does not match its Content-Length.' }]);
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return createError('invalid_json', [{ parseError: error.message }]);
  }
  if (error.code === 'FST_REQ_FILE_TOO_LARGE') return createError('upload_too_large', ['An uploaded file is too large.'], { param: 'image' });
  if (error.code === 'FST_FILES_LIMIT' || error.code === 'FST_PARTS_LIMIT') return createError('invalid_upload', ['Too many files or fields in the upload.'], { param: 'image' });
  if (error.code?.startsWith('FST_') && (error.statusCode ?? 500) < 500) return createError('invalid_value', [error.message]);
  return undefined;
}

export async function buildServer(deps: HttpDeps, options: HttpOptions): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = deps.log;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: options.limits.jsonBodyBytes,
    genReqId: () => deps.engine.allocateId().replace(/^job_/, 'req_'),
    requestIdHeader: false,
  });
  await app.register(multipart, { limits: { fileSize: options.uploads.maxFileBytes, files: options.uploads.maxFiles + 1, fieldSize: options.limits.maxFieldBytes } });
  registerJsonParser(app, options.limits.jsonMaxDepth);
  applyClientLimits(app, options.limits);
  app.decorateRequest('clientOwner', '');
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  if (deps.tracing) registerRequestTracing(app, deps.tracing);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (reply.sent || reply.raw.headersSent) return;
    // Refused before the body was read (auth, limits, a bad upload): the rest of it is not wanted,
    // and a half-read body must not stall the next request on this keep-alive connection.
    if (!request.raw.complete || request.raw.readableLength > 0 || request.isMultipart()) reply.header('connection', 'close');
    const known = error instanceof GatewayError ? error : fromFastifyError(error);
    if (known) return replyGatewayError(reply, known);
    request.log.error({ err: error }, 'unhandled error');
    return replyUnknownError(reply, request.id);
  });
  app.setNotFoundHandler((request, reply) =>
    replyGatewayError(reply, createError('route_not_found', [request.method, request.url.split('?')[0]])));
  registerOpenAIRoutes(app, deps, options);
  registerAzureRoutes(app, deps, options);
  registerJobRoutes(app, deps, options);
  registerOpsRoutes(app, deps);
  if (deps.admin) {
    registerAdminKeyRoutes(app, deps, deps.admin);
    registerAdminUsageRoutes(app, deps.admin);
  }
  return app;
}

/** How long sockets still open after the answers went out may linger before they are cut. */
const STRAGGLER_MS = 5_000;

/**
 * Closes the server around `drain` (the engine finishing or parking its jobs): new connections are
 * refused at once, streams and waiting JSON clients get their answers while `drain` runs, then
 * keep-alive sockets that went idle after close() began are closed (they would otherwise hold it for
 * keepAliveTimeout) and stragglers are cut after STRAGGLER_MS.
 */
export async function closeServer(app: FastifyInstance, clock: Clock, drain: () => Promise<void>): Promise<void> {
  const closed = app.close();
  await drain();
  app.server.closeIdleConnections();
  const straggler = clock.setTimer(STRAGGLER_MS, () => app.server.closeAllConnections());
  await closed;
  straggler.cancel();
}
