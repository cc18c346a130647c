// buildServer(deps, options): the Fastify app with every route and the one error handler.
// Building does no I/O; the caller listens.
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { GatewayError } from '../errors.js';
import type { HttpDeps, HttpOptions } from './deps.js';
import { replyGatewayError, replyUnknownError } from './error-reply.js';
import { registerOpenAIRoutes } from './routes/openai-images.js';
import { registerAzureRoutes } from './routes/azure-images.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerJobListRoute } from './routes/job-list.js';
import { registerDashboardRoutes } from './routes/dashboard.js';

const JSON_BODY_LIMIT_BYTES = 512 * 1024 * 1024;

function fromFastifyError(error: FastifyError): GatewayError | undefined {
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new GatewayError('invalid_json', 'Send JSON (application/json) or, for edits, multipart/form-data.');
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new GatewayError('upload_too_large', 'The request body is too large.');
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return new GatewayError('invalid_json', `The request body is not valid JSON: ${error.message}`);
  }
  if (error.code === 'FST_REQ_FILE_TOO_LARGE') return new GatewayError('upload_too_large', 'An uploaded file is too large.', { param: 'image' });
  if (error.code === 'FST_FILES_LIMIT' || error.code === 'FST_PARTS_LIMIT') return new GatewayError('invalid_upload', 'Too many files or fields in the upload.', { param: 'image' });
  if (error.code?.startsWith('FST_') && (error.statusCode ?? 500) < 500) return new GatewayError('invalid_value', error.message);
  return undefined;
}

export async function buildServer(deps: HttpDeps, options: HttpOptions): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = deps.log;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    genReqId: () => deps.engine.allocateId().replace(/^job_/, 'req_'),
    requestIdHeader: false,
  });
  await app.register(multipart, { limits: { fileSize: options.uploads.maxFileBytes, files: options.uploads.maxFiles + 1 } });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (reply.sent || reply.raw.headersSent) return;
    const known = error instanceof GatewayError ? error : fromFastifyError(error);
    if (known) return replyGatewayError(reply, known);
    request.log.error({ err: error }, 'unhandled error');
    return replyUnknownError(reply, request.id);
  });
  app.setNotFoundHandler((request, reply) =>
    replyGatewayError(reply, new GatewayError('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}.`)));
  registerOpenAIRoutes(app, deps, options);
  registerAzureRoutes(app, deps, options);
  registerJobRoutes(app, deps, options);
  registerOpsRoutes(app, deps);
  registerJobListRoute(app, deps);
  registerDashboardRoutes(app, deps, options);
  return app;
}
