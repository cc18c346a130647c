// Shapes of the OpenAI Images API on the wire (wire-format §1–§5): request fields, responses,
// stream events and error bodies. Shared by the gateway, the simulator and the SDK; imports nothing.

export type ImageEndpoint = 'generations' | 'edits';

export interface ImagesUsage {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  input_tokens_details: { text_tokens: number; image_tokens: number };
}

export interface ImagesResponse {
  created: number;
  data: Array<{ b64_json?: string; url?: string; revised_prompt?: string }>;
  background?: string;
  output_format?: string;
  quality?: string;
  size?: string;
  usage?: ImagesUsage;
}

/** `image_generation.partial_image` / `image_edit.partial_image` (wire-format §4.2). */
export interface PartialImageEvent {
  type: string;
  b64_json: string;
  created_at: number;
  size: string;
  quality: string;
  background: string;
  output_format: string;
  partial_image_index: number;
}

export interface CompletedImageEvent {
  type: string;
  b64_json: string;
  created_at: number;
  size: string;
  quality: string;
  background: string;
  output_format: string;
  usage: ImagesUsage;
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** The mid-stream error frame's payload (wire-format §4.4). */
export interface StreamErrorPayload {
  type: 'error';
  error: { type: string; code: string | null; message: string; param: string | null };
  sequence_number?: number;
}

export function streamEventNames(endpoint: ImageEndpoint): { partial: string; completed: string } {
  const prefix = endpoint === 'edits' ? 'image_edit' : 'image_generation';
  return { partial: `${prefix}.partial_image`, completed: `${prefix}.completed` };
}

export function openAIError(
  message: string,
  options: { type?: string; param?: string | null; code?: string | null } = {},
): OpenAIErrorBody {
  return {
    error: {
      message,
      type: options.type ?? 'invalid_request_error',
      param: options.param ?? null,
      code: options.code ?? null,
    },
  };
}

/** Azure API Management's idle cut-off answer (wire-format §9.1, design.md). */
export const APIM_TIMEOUT_BODY = { error: { code: 'Timeout', message: 'The operation was timeout.' } } as const;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
