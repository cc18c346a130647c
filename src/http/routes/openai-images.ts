// OpenAI form: POST /v1/images/generations (JSON), POST /v1/images/edits (multipart or JSON),
// GET /v1/models. Also the Azure v1 form (/openai/v1/images/...), where `model` names the route.
import type { FastifyInstance } from 'fastify';
import type { HttpDeps, HttpOptions } from '../deps.js';
import { clientKeyHook } from '../auth.js';
import { handleImageRequest, imageRouteOptions } from './images.js';

export function registerOpenAIRoutes(app: FastifyInstance, deps: HttpDeps, options: HttpOptions): void {
  const onRequest = clientKeyHook(deps.auth);
  for (const prefix of ['/v1', '/openai/v1']) {
    app.post(`${prefix}/images/generations`, imageRouteOptions(deps, options, 'generations'), (request, reply) => handleImageRequest(deps, options, { endpoint: 'generations' }, request, reply));
    app.post(`${prefix}/images/edits`, imageRouteOptions(deps, options, 'edits'), (request, reply) => handleImageRequest(deps, options, { endpoint: 'edits' }, request, reply));
  }
  app.get('/v1/models', { onRequest }, async (request) => {
    const { managed } = request.clientPrincipal;
    const allowed = managed?.models ? new Set(managed.models) : undefined;
    return {
      object: 'list',
      data: [...deps.models.keys()].filter((id) => !allowed || allowed.has(id)).map((id) => ({ id, object: 'model', created: 0, owned_by: 'holdfast' })),
    };
  });
}
