// An OpenAI-format SSE answer for a job: its frames from the start (or after the N a client already
// has), heartbeats while quiet, and an error frame if holdfast stops before the job ends.
import type { FastifyReply } from 'fastify';
import type { JobRecord } from '../engine/job.js';
import type { HttpDeps, HttpOptions } from './deps.js';
import { framesFor, interruptedFrame, newFrameState } from './openai-frames.js';
import { openSseReply, relayEvents } from './sse-relay.js';
import { traceOf } from './request-tracing.js';
import { imageTexts } from './result-body.js';

export async function relayOpenAIStream(
  deps: HttpDeps, options: HttpOptions, job: JobRecord, reply: FastifyReply, skipFrames = 0,
): Promise<void> {
  const { res, signal } = openSseReply(reply, { 'holdfast-job-id': job.id, 'x-request-id': reply.request.id });
  const state = newFrameState();
  await relayEvents(deps.clock, res, deps.engine.subscribe(job.id, 0, signal), {
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    skipFrames,
    toFrames: (event) => framesFor(event, job.request, state, (done) => imageTexts(deps.blobs, done, deps.engine.heldImages(done))),
    onHeartbeat: () => {
      deps.observer?.heartbeat?.();
      traceOf(reply.request)?.heartbeat();
    },
    closingFrames: () => (state.terminal ? [] : [interruptedFrame(job.id, state)]),
  });
}
