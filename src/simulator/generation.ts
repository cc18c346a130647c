// Plays one admitted generation on its Exchange: partial frames at their scheduled times, then the
// completed frame(s) or the JSON body; mid-stream faults strike at the time timeline.ts gives.
import type { Clock } from '../time/clock.js';
import { encodeJsonFrame, encodeSseFrame } from '../wire/sse.js';
import {
  streamEventNames, type CompletedImageEvent, type ImageEndpoint, type ImagesResponse, type ImagesUsage,
  type PartialImageEvent,
} from '../wire/openai-images.js';
import { editErrorPayload, serverError, streamErrorPayload } from './error-bodies.js';
import type { Exchange } from './exchange.js';
import type { DrawnFault } from './faults.js';
import type { ImageRenderer, ImageSpec, OutputFormat } from './images.js';
import { faultTimeMs, type ResolvedQuality } from './timeline.js';
import { outputTokensPerImage, PARTIAL_IMAGE_TOKENS } from '../wire/usage.js';

export interface GenerationRequest {
  endpoint: ImageEndpoint;
  prompt: string;
  width: number;
  height: number;
  /** `size` as requested (echoed by partials); completed events report `WxH`. */
  requestedSize: string;
  requestedQuality: string;
  quality: ResolvedQuality;
  requestedBackground: string;
  format: OutputFormat;
  compression: number;
  n: number;
  partialImages: number;
  stream: boolean;
  inputImages: number;
}

export interface GenerationPlan {
  durationMs: number;
  partialTimesMs: number[];
  fault: DrawnFault | undefined;
}

export interface GenerationDeps {
  clock: Clock;
  renderer: ImageRenderer;
  seed: number;
}

/**
 * The usage the simulator bills: ~4 prompt characters per text token, 323 tokens per input image,
 * the output tokens of each image, and 100 per partial image streamed (wire-format §4.5).
 */
export function usageFor(req: GenerationRequest): ImagesUsage {
  const text = Math.max(1, Math.ceil(req.prompt.length / 4));
  const image = req.inputImages * 323;
  const perImage = outputTokensPerImage(req.width, req.height, req.quality);
  const output = perImage * req.n + PARTIAL_IMAGE_TOKENS * (req.stream ? req.partialImages : 0);
  return {
    total_tokens: text + image + output,
    input_tokens: text + image,
    output_tokens: output,
    input_tokens_details: { text_tokens: text, image_tokens: image },
  };
}

function specFor(req: GenerationRequest, seed: number, index: number): ImageSpec {
  return {
    prompt: req.prompt, seed, index, width: req.width, height: req.height, format: req.format,
    compression: req.compression, transparent: req.requestedBackground === 'transparent',
  };
}

export function runGeneration(ex: Exchange, req: GenerationRequest, plan: GenerationPlan, deps: GenerationDeps): void {
  const { clock, renderer, seed } = deps;
  // Render up front, partials first: on a scaled clock a late render would delay frames in simulated time.
  const partials = req.stream
    ? plan.partialTimesMs.map((_, k) => renderer.renderPartial(specFor(req, seed, 0), k, req.partialImages))
    : [];
  const afterPartials = Promise.allSettled(partials);
  const finals = Array.from({ length: req.n }, (_, i) => afterPartials.then(() => renderer.render(specFor(req, seed, i))));
  for (const p of [...finals, ...partials]) p.catch(() => undefined);
  const createdAt = (): number => Math.floor(clock.now() / 1000);
  const resolved = {
    size: `${req.width}x${req.height}`,
    quality: req.quality,
    background: req.requestedBackground === 'transparent' ? 'transparent' : 'opaque',
    output_format: req.format,
  };
  const names = streamEventNames(req.endpoint);
  const fault = plan.fault;
  const faultAt = fault ? faultTimeMs(plan.partialTimesMs, plan.durationMs, fault.afterPartial) : Infinity;

  if (fault?.kind === 'edit_error') {
    // Edits fail before the first partial would have been sent (at 0.2·T).
    ex.at(Math.round(0.2 * plan.durationMs), () => {
      if (req.stream) {
        // The seed's frame has a data line only, no `event:` line (wire-format §4.4).
        ex.writeFrame(encodeSseFrame({ data: JSON.stringify(editErrorPayload()) }));
        ex.endStream('edit_error');
      } else {
        ex.sendJson(500, { error: editErrorPayload().error }, 'edit_error');
      }
    });
    return;
  }

  if (req.stream) {
    plan.partialTimesMs.forEach((atMs, k) => {
      if (atMs >= faultAt) return;
      ex.at(atMs, async () => {
        const b64 = (await partials[k]).toString('base64');
        const event: PartialImageEvent = {
          type: names.partial, b64_json: b64, created_at: createdAt(), size: req.requestedSize,
          quality: req.requestedQuality, background: req.requestedBackground, output_format: req.format, partial_image_index: k,
        };
        ex.writeFrame(encodeJsonFrame(names.partial, event));
      });
    });
  }

  if (fault?.kind === 'stream_error' || fault?.kind === 'reset') {
    const kind = fault.kind;
    ex.at(faultAt, () => {
      if (kind === 'reset') ex.destroy('reset');
      else if (req.stream) {
        // Numbered after the frames already sent, as in the seed transcript (wire-format §4.4).
        ex.writeFrame(encodeJsonFrame('error', streamErrorPayload(ex.framesSent + 1)));
        ex.endStream('stream_error');
      } else {
        const reply = serverError(500);
        ex.sendJson(reply.status, { error: streamErrorPayload(0).error }, 'stream_error');
      }
    });
    return;
  }

  ex.at(plan.durationMs, async () => {
    const images = (await Promise.all(finals)).map((b) => b.toString('base64'));
    const usage = usageFor(req);
    if (!req.stream) {
      const body: ImagesResponse = { created: createdAt(), data: images.map((b64) => ({ b64_json: b64 })), ...resolved, usage };
      ex.sendJson(200, body, 'completed');
      return;
    }
    // n > 1 while streaming: partials describe image 0; then one completed event per image.
    for (const b64 of images) {
      const event: CompletedImageEvent = { type: names.completed, b64_json: b64, created_at: createdAt(), ...resolved, usage };
      ex.writeFrame(encodeJsonFrame(names.completed, event));
    }
    ex.endStream('completed');
  });
}
