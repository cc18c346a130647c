// Translates a job's event log into the OpenAI SSE frames a client sees. Deterministic: the same
// log always gives the same frames, so `?after=N` (N frames received) resumes exactly.
// sequence_number, where the upstream sent one, and partial_image_index are renumbered so they
// increase across the whole response, even across retries.
import { isTerminalEvent, type JobEvent, type JobRequest } from '../engine/job.js';
import { errorBody } from '../errors.js';
import { encodeJsonFrame } from '../wire/sse.js';
import { isRecord, streamEventNames, type ImagesResponse } from '../wire/openai-images.js';

export interface FrameState {
  partialIndex: number;
  sequence: number;
  /** Frames produced so far: the N of `?after=N` for a client that resumes. */
  frames: number;
  /** A completed or error frame has been produced. */
  terminal: boolean;
}

export function newFrameState(): FrameState {
  return { partialIndex: 0, sequence: 0, frames: 0, terminal: false };
}

/**
 * The error frame for a stream that ends before its job does (holdfast is shutting down): an SDK
 * raises it instead of seeing a silent end; the job resumes when holdfast starts again.
 */
export function interruptedFrame(jobId: string, state: FrameState): string {
  return errorFrame(errorBody('shutting_down', [{ id: jobId, resumeAfterFrames: state.frames }]).error, state);
}

/** The wire-format §4.4 error frame for an error object (`{message, type, param, code}`). */
function errorFrame(inner: Record<string, unknown>, state: FrameState): string {
  const error = { type: inner.type ?? 'server_error', code: inner.code ?? null, message: inner.message ?? 'The job failed.', param: inner.param ?? null };
  state.sequence += 1;
  return encodeJsonFrame('error', { type: 'error', error, sequence_number: state.sequence - 1 });
}

function withSequence(payload: Record<string, unknown>, state: FrameState): Record<string, unknown> {
  if (payload.sequence_number === undefined) return payload;
  state.sequence += 1;
  return { ...payload, sequence_number: state.sequence - 1 };
}

/** Puts a completed event's images back (they are kept as blobs, not in the event). */
export type ImageLoader = (event: Extract<JobEvent, { type: 'job.completed' }>) => Promise<ImagesResponse>;

/** The frames (complete SSE text) that one job event produces for this request; often none. */
export async function framesFor(event: JobEvent, request: JobRequest, state: FrameState, loadImages: ImageLoader): Promise<string[]> {
  const response = event.type === 'job.completed' ? await loadImages(event) : undefined;
  const frames = eventFrames(event, request, state, response);
  state.frames += frames.length;
  if (isTerminalEvent(event)) state.terminal = true;
  return frames;
}

function eventFrames(event: JobEvent, request: JobRequest, state: FrameState, response: ImagesResponse | undefined): string[] {
  const names = streamEventNames(request.endpoint);
  switch (event.type) {
    case 'image.partial': {
      if (!event.forward) return [];
      const payload = withSequence({ ...event.payload, partial_image_index: state.partialIndex }, state);
      state.partialIndex += 1;
      return [encodeJsonFrame(names.partial, payload)];
    }
    case 'job.completed': {
      if (event.completedEvent) {
        // One completed event per image, as the upstream sent them (n > 1 streams one per image).
        const template = event.completedEvent;
        return (response ?? event.response).data.map((item) => encodeJsonFrame(names.completed, withSequence({ ...template, b64_json: item.b64_json ?? '' }, state)));
      }
      const r = response ?? event.response;
      return r.data.map((item) => encodeJsonFrame(names.completed, {
        type: names.completed, b64_json: item.b64_json ?? '', created_at: r.created, size: r.size ?? request.fields.size ?? 'auto',
        quality: r.quality ?? request.fields.quality ?? 'auto', background: r.background ?? 'auto',
        output_format: r.output_format ?? request.fields.output_format ?? 'png', usage: r.usage,
      }));
    }
    case 'job.failed': {
      return [errorFrame(isRecord(event.error.body.error) ? event.error.body.error : event.error.body, state)];
    }
    case 'job.cancelled':
      return [errorFrame(errorBody('job_cancelled', []).error, state)];
    default:
      return [];
  }
}
