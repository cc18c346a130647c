// The upstreams' own error bodies (wire-format §5), per API shape: OpenAI's envelope on /v1,
// Azure's on /openai/... Messages follow the observed wording; elided tails are ours.
import { APIM_TIMEOUT_BODY, openAIError, type StreamErrorPayload } from '../wire/openai-images.js';

export type ApiShape = 'openai' | 'azure';

export interface ErrorReply {
  status: number;
  body: unknown;
}

export function deploymentNotFound(shape: ApiShape, name: string): ErrorReply {
  if (shape === 'openai') {
    return { status: 404, body: openAIError(`The model '${name}' does not exist or you do not have access to it.`, { code: 'model_not_found' }) };
  }
  return {
    status: 404,
    body: { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.' } },
  };
}

export function invalidKey(shape: ApiShape, key: string): ErrorReply {
  if (shape === 'openai') {
    const shown = key === '' ? "You didn't provide an API key." : `Incorrect API key provided: ${maskKey(key)}.`;
    return { status: 401, body: openAIError(`${shown} You can find your API key at https://platform.openai.com/account/api-keys.`, { code: 'invalid_api_key' }) };
  }
  return {
    status: 401,
    body: { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' } },
  };
}

function maskKey(key: string): string {
  return key.length <= 8 ? '********' : `${key.slice(0, 3)}${'*'.repeat(Math.min(20, key.length - 7))}${key.slice(-4)}`;
}

export function missingApiVersion(): ErrorReply {
  return {
    status: 400,
    body: { error: { code: 'BadRequest', message: 'Missing API version parameter. The api-version query parameter (?api-version=) is required for all requests.' } },
  };
}

export function badRequest(message: string, param: string | null, code: string | null): ErrorReply {
  return { status: 400, body: openAIError(message, { param, code }) };
}

export function rateLimited(shape: ApiShape, retryAfterS: number, limit: number): ErrorReply {
  if (shape === 'openai') {
    return { status: 429, body: openAIError(`Rate limit exceeded for images per minute. Limit: ${limit}/1min. Please try again in ${retryAfterS}s.`, { type: 'requests', code: 'rate_limit_exceeded' }) };
  }
  return {
    status: 429,
    body: { error: { code: '429', message: `Requests to the Images_Generations_Create Operation under Azure OpenAI API version 2025-04-01-preview have exceeded call rate limit of your current AIServices S0 pricing tier. Please retry after ${retryAfterS} seconds. Please contact Azure support service if you would like to further increase the default rate limit.` } },
  };
}

export function contentPolicy(shape: ApiShape, requestId: string): ErrorReply {
  if (shape === 'openai') {
    return {
      status: 400,
      body: openAIError(`Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID ${requestId}.`, { type: 'image_generation_user_error', code: 'moderation_blocked' }),
    };
  }
  const category = (filtered: boolean): { filtered: boolean; severity: string } => ({ filtered, severity: filtered ? 'high' : 'safe' });
  return {
    status: 400,
    body: {
      error: {
        code: 'content_policy_violation',
        type: 'invalid_request_error',
        message: 'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
        inner_error: {
          code: 'ResponsibleAIPolicyViolation',
          content_filter_results: { hate: category(false), self_harm: category(false), sexual: category(false), violence: category(true) },
        },
      },
    },
  };
}

export function serverError(status: 500 | 503): ErrorReply {
  const message = status === 503
    ? 'The server is overloaded or not ready yet.'
    : 'The server had an error while processing your request. Sorry about that!';
  return { status, body: openAIError(message, { type: 'server_error', code: status === 503 ? 'service_unavailable' : 'server_error' }) };
}

export const timeoutReply: ErrorReply = { status: 408, body: APIM_TIMEOUT_BODY };

/** The mid-stream `event: error` payload (wire-format §4.4). */
export function streamErrorPayload(sequenceNumber: number): StreamErrorPayload {
  return {
    type: 'error',
    error: { type: 'server_error', code: null, message: 'An error occurred while processing your request.', param: null },
    sequence_number: sequenceNumber,
  };
}

/**
 * The edits failure event of the seed (wire-format §4.4, second frame): the kind is in
 * `error.type`, `error.code` is `image_generation_failed`, at sequence 0, before any partial.
 */
export function editErrorPayload(): StreamErrorPayload {
  return {
    type: 'error',
    error: { type: 'image_generation_server_error', code: 'image_generation_failed', message: 'Image generation failed', param: null },
    sequence_number: 0,
  };
}
