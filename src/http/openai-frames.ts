// Translates a job's event log into the OpenAI SSE frames a client sees. Deterministic: the same
// log always gives the same frames, so `?after=N` (N frames received) resumes exactly.
// sequence_number, where the upstream sent one, and partial_image_index are renumbered so they
// increase across the whole response, even across retries.
import { isTerminalEvent, type JobEvent, type JobRequest } from '../engine/job.js';
import { errorBody } from '../errors.js';
import { encodeJsonFrame } from '../wire/sse.js';
import { isRecord, streamEventNames } from '../wire/openai-images.js';
import { FILL_PLACEHOLDER, jsonWithFills, type TextPieces } from '../wire/text-pieces.js';
import type { Frame } from './sse-relay.js';

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

/** A result image as base64: inline text, or pieces read from its blob as the frame is written. */
export type ImageText = string | TextPieces | undefined;

/** Puts a completed event's images back, by index (they are kept as blobs, not in the event). */
export type ImageLoader = (event: Extract<JobEvent, { type: 'job.completed' }>) => ReadonlyArray<ImageText> | Promise<ReadonlyArray<ImageText>>;

/** The frame of a completed image: its JSON payload with `b64_json` inline or written in pieces. */
function imageFrame(event: string, payload: Record<string, unknown>, image: ImageText): Frame {
  if (typeof image !== 'function') return encodeJsonFrame(event, { ...payload, b64_json: image ?? '' });
  const json = jsonWithFills({ ...payload, b64_json: FILL_PLACEHOLDER }, 'b64_json', [image]);
  return {
    async* pieces() {
      yield `event: ${event}\ndata: `;
      yield* json();
      yield '\n\n';
    },
  };
}

/** The frames (complete SSE text) that one job event produces for this request; often none. */
export async function framesFor(event: JobEvent, request: JobRequest, state: FrameState, loadImages: ImageLoader): Promise<Frame[]> {
  const images = event.type === 'job.completed' ? await loadImages(event) : [];
  const frames = eventFrames(event, request, state, images);
  state.frames += frames.length;
  if (isTerminalEvent(event)) state.terminal = true;
  return frames;
}

function eventFrames(event: JobEvent, request: JobRequest, state: FrameState, images: ReadonlyArray<ImageText>): Frame[] {
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
        return event.response.data.map((_item, index) => imageFrame(names.completed, withSequence({ ...template, b64_json: '' }, state), images[index]));
      }
      const r = event.response;
      return r.data.map((_item, index) => imageFrame(names.completed, {
        type: names.completed, b64_json: '', created_at: r.created, size: r.size ?? request.fields.size ?? 'auto',
        quality: r.quality ?? request.fields.quality ?? 'auto', background: r.background ?? 'auto',
        output_format: r.output_format ?? request.fields.output_format ?? 'png', usage: r.usage,
      }, images[index]));
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
