// The simulator's Fastify server: image routes in OpenAI and Azure forms plus /_sim control routes.
// forceCloseConnections lets close() resolve at once with generations in flight.
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { SimulatorContext } from '../context.js';
import { MAX_EDIT_IMAGES, MAX_IMAGE_BYTES } from '../request-body.js';
import { registerAdminRoutes } from './admin.js';
import { createImagesHandler } from './images.js';

export async function buildSimulatorServer(ctx: SimulatorContext): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 128 * 1024 * 1024 });
  await app.register(multipart, {
    limits: { fileSize: MAX_IMAGE_BYTES, files: MAX_EDIT_IMAGES + 2, fields: 64 },
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const message = status === 500 ? 'The server had an error while processing your request.' : error.message;
    void reply.code(status).send({ error: { message, type: status === 500 ? 'server_error' : 'invalid_request_error', param: null, code: null } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: { message: `Invalid URL (${request.method} ${request.url})`, type: 'invalid_request_error', param: null, code: null } });
  });

  app.post('/v1/images/:endpoint', createImagesHandler(ctx, 'openai'));
  app.post('/openai/deployments/:deployment/images/:endpoint', createImagesHandler(ctx, 'azure'));
  app.post('/openai/v1/images/:endpoint', createImagesHandler(ctx, 'azure-v1'));
  registerAdminRoutes(app, ctx);
  return app;
}
