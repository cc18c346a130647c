// The one place errors become HTTP: `{"error":{message,type,param,code}}` with a status the OpenAI
// SDK maps to the right class, plus retry-after headers where waiting helps and
// `x-should-retry: false` once holdfast has spent the retries (style guide §5).
import type { FastifyReply } from 'fastify';
import { bodyOf, errorBody, type GatewayError } from '../errors.js';
import type { JobError } from '../engine/job.js';

export function setRetryAfter(reply: FastifyReply, retryAfterMs: number | undefined): void {
  if (retryAfterMs === undefined) return;
  reply.header('retry-after-ms', String(Math.ceil(retryAfterMs)));
  reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
}

export function replyGatewayError(reply: FastifyReply, error: GatewayError): FastifyReply {
  setRetryAfter(reply, error.retryAfterMs);
  return reply.code(error.status).send(bodyOf(error));
}

/** A job's final error: the upstream's own body where it passes through, otherwise holdfast's. */
export function replyJobError(reply: FastifyReply, error: JobError): FastifyReply {
  setRetryAfter(reply, error.retryAfterMs);
  // holdfast already retried what could be retried; the SDK must not pay again.
  reply.header('x-should-retry', 'false');
  return reply.code(error.status).send(error.body);
}

export function replyUnknownError(reply: FastifyReply, requestId: string): FastifyReply {
  return reply.code(500).send(errorBody('internal_error', [{ requestId }]));
}
