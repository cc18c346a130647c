// The `models` and `deployments` sections: client-facing model routes and the upstreams behind them.
// Provider-dependent defaults (`defaultByProvider`) are filled by load.ts before validation.
import { Type } from '@sinclair/typebox';
import {
  HTTP_URL_MESSAGE, HTTP_URL_PATTERN, integer, nullableInteger, nullableText, oneOf, positiveInteger, secret, section, text,
} from './schema-builders.js';

/** Names of models and deployments: they appear in URLs, metrics labels and logs. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME_PATTERN = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$";
const NAME_MESSAGE = "is not a valid name: use letters, digits, '.', '_' and '-', starting with a letter or digit";

export const PROVIDERS = ['azure', 'openai'] as const;
export const UPSTREAM_MODES = ['auto', 'stream', 'non_stream'] as const;

const QueueSchema = section({
  max_depth: integer({ default: 100, description: 'Requests that may wait for a free deployment before new ones get 429 `queue_full` (requests).' }),
  max_wait_ms: positiveInteger({ default: 120000, description: 'Longest a request waits in the queue before it fails (milliseconds).' }),
}, 'The waiting line in front of this model\'s deployments when all are at their rate limit or concurrency.');

export const ModelSchema = Type.Object({
  deployments: Type.Array(Type.String({ pattern: NAME_PATTERN }), {
    minItems: 1,
    description: 'Names of the deployments (keys of `deployments`) that serve this model, at least one.',
  }),
  queue: QueueSchema,
}, { additionalProperties: false, description: 'A model name clients send (`model` in the body, or `{model}` in the Azure path) and its pool of deployments.' });

const RateLimitSchema = Type.Object({
  requests: positiveInteger({ description: 'Requests allowed per window (requests).' }),
  window_ms: positiveInteger({ default: 60000, description: 'Length of the window (milliseconds).' }),
}, { additionalProperties: false, description: 'The deployment\'s request quota. Optional; `rpm: N` is shorthand for `{ requests: N, window_ms: 60000 }`.' });

export const DeploymentSchema = Type.Object({
  provider: oneOf(PROVIDERS, { description: 'Upstream API flavour: `azure` (Azure OpenAI) or `openai`. Required.' }),
  base_url: text({
    pattern: HTTP_URL_PATTERN, errorMessage: HTTP_URL_MESSAGE,
    description: 'Upstream root URL. Azure: the resource endpoint (`https://NAME.openai.azure.com`); openai: the API root including `/v1`. Required.',
  }),
  deployment: Type.Optional(text({ description: 'Azure deployment name (the `{deployment}` in the upstream path). Required for azure, unused for openai.' })),
  api_version: nullableText({
    defaultByProvider: { azure: '2025-04-01-preview', openai: null },
    description: 'Azure `api-version` query parameter. Unused for openai.',
  }),
  api_key: secret('key', { description: 'Upstream key, usually `env:NAME`. Sent as `api-key` (azure) or `Authorization: Bearer` (openai). Required.' }),
  model: text({ description: 'Upstream model (e.g. `gpt-image-2`); decides which request rules apply. Required.' }),
  idle_timeout_ms: nullableInteger({
    defaultByProvider: { azure: 60000, openai: null },
    description: 'Longest silence the path to this upstream tolerates (milliseconds); holdfast keeps each attempt under it. Azure API Management cuts at 60 s; `null` means no limit is known.',
  }),
  response_timeout_ms: nullableInteger({
    defaultByProvider: { azure: 300000, openai: null },
    description: 'Longest wait for response headers (milliseconds); Azure API Management\'s forward-request timeout is 300 s. `null` means no limit is known.',
  }),
  upstream_mode: oneOf(UPSTREAM_MODES, {
    default: 'auto',
    description: 'How holdfast calls the upstream: `stream` always asks for SSE (its events keep idle proxies fed), `non_stream` never does, `auto` decides per request.',
  }),
  rate_limit: Type.Optional(RateLimitSchema),
  rpm: Type.Optional(positiveInteger({ description: 'Shorthand for `rate_limit: { requests: N, window_ms: 60000 }` (requests per minute). Not together with `rate_limit`.' })),
  concurrency: nullableInteger({ default: null, description: 'Most requests in flight to this deployment at once (requests); `null` means unlimited.' }),
  weight: Type.Number({ exclusiveMinimum: 0, default: 1, description: 'Routing prior: relative share of traffic before measurements take over (unitless).' }),
  region: nullableText({ default: null, description: 'Label shown in tables and metrics, e.g. `swedencentral`.' }),
  headers: Type.Record(
    Type.String({ pattern: HEADER_NAME_PATTERN }),
    secret('value', { pattern: '^[^\\r\\n]*$', errorMessage: 'must not contain CR or LF', description: 'Header value; may be `env:NAME`.' }),
    { default: {}, additionalProperties: false, keyErrorMessage: 'is not a valid HTTP header name', description: 'Extra headers sent upstream (e.g. an APIM subscription key); values may be `env:NAME`.' },
  ),
}, { additionalProperties: false, description: 'One upstream endpoint: a provider, a URL, a key and its limits.' });

export const ModelsSchema = Type.Record(Type.String({ pattern: NAME_PATTERN }), ModelSchema, {
  additionalProperties: false, minProperties: 1, keyErrorMessage: NAME_MESSAGE,
  description: 'Client-facing model names, each a pool of deployments. Required, at least one.',
});

export const DeploymentsSchema = Type.Record(Type.String({ pattern: NAME_PATTERN }), DeploymentSchema, {
  additionalProperties: false, minProperties: 1, keyErrorMessage: NAME_MESSAGE,
  description: 'Upstream deployments by name. Required, at least one.',
});
