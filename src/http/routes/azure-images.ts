// Azure form: POST /openai/deployments/{model}/images/generations|edits?api-version=…, `api-key`
// header; {model} names a holdfast model route (design.md, Interfaces).
import type { FastifyInstance } from 'fastify';
import type { HttpDeps, HttpOptions } from '../deps.js';
import { handleImageRequest, imageRouteOptions } from './images.js';

type AzureParams = { Params: { model: string } };

export function registerAzureRoutes(app: FastifyInstance, deps: HttpDeps, options: HttpOptions): void {
  for (const endpoint of ['generations', 'edits'] as const) {
    app.post<AzureParams>(`/openai/deployments/:model/images/${endpoint}`, imageRouteOptions(deps, options, endpoint), (request, reply) =>
      handleImageRequest(deps, options, { endpoint, pathModel: request.params.model }, request, reply));
  }
}
