// The whole holdfast.yaml as one TypeBox schema: every key, its default and its unit.
// load.ts validates against it; reference.ts renders docs/configuration.md from it; Static<> gives the types.
import { Type, type Static } from '@sinclair/typebox';
import { DeploymentSchema, DeploymentsSchema, HEADER_NAME_PATTERN, ModelSchema, ModelsSchema } from './deployment-schema.js';
import { integer, nullableText, oneOf, positiveInteger, secret, section, text } from './schema-builders.js';
import type { Secret } from './secret.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const TRACE_EXPORTERS = ['none', 'otlp'] as const;
export const STORE_KINDS = ['sqlite', 'memory', 'redis'] as const;
export const BLOB_KINDS = ['disk', 'azure'] as const;
const AZURE_CONTAINER_PATTERN = '^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$';

const ms = (defaultMs: number, description: string) => positiveInteger({ default: defaultMs, description: `${description} (milliseconds).` });

export const ConfigSchema = Type.Object({
  listen: section({
    host: text({ default: '127.0.0.1', description: 'Interface to listen on; `0.0.0.0` for all IPv4 interfaces.' }),
    port: integer({ default: 8080, maximum: 65535, description: 'TCP port; 0 picks a free one.' }),
  }, 'Where the gateway accepts client connections.'),
  auth: section({
    keys: Type.Array(secret('key', { description: 'A client key, usually `env:NAME`.' }), {
      default: [],
      description: 'Keys clients must present (`Authorization: Bearer` or `api-key`), usually `env:NAME`. Empty (and no `admin.keys`): no client authentication (warned). Managed keys (`POST /v1/holdfast/keys`) work beside these.',
    }),
    key_hash_secret: Type.Union([secret('key', { description: 'HMAC secret.' }), Type.Null()], {
      default: null,
      description: 'Secret of the keyed hash (HMAC-SHA256) under which managed client keys are stored, usually `env:NAME`. `null`: generated once and kept in `key-hash.secret` beside the SQLite database (kind `sqlite`), in the store under `{prefix}ckeys:hash-secret` for every replica (kind `redis`; set it to keep the secret out of Redis), or per process (kind `memory`). Changing it invalidates every managed key.',
    }),
    allow_anonymous: Type.Boolean({
      default: false,
      description: 'Accept requests without a client key even though `admin.keys` is set (managed keys then limit only the clients that present one). For `holdfast demo` and local trials; warned.',
    }),
  }, 'Client authentication.'),
  admin: section({
    keys: Type.Array(secret('key', { description: 'An admin key, usually `env:NAME`.' }), {
      default: [],
      description: 'Keys that operators present (`Authorization: Bearer`) to the admin API and the dashboard, usually `env:NAME`. Never the same as a client key. Empty: admin API and dashboard sign-in are off.',
    }),
  }, 'Operator (admin) authentication for the admin API and the dashboard.'),
  store: section({
    kind: oneOf(STORE_KINDS, { default: 'sqlite', description: '`sqlite` keeps jobs across restarts (one process); `memory` forgets them; `redis` is shared by replicas (docs/scale-out.md).' }),
    path: text({ default: './holdfast-data/holdfast.db', description: 'SQLite database file (kind `sqlite`).' }),
    url: Type.Union([secret('value', { description: 'Redis URL, usually `env:REDIS_URL`.' }), Type.Null()], {
      default: null,
      description: 'Redis URL (`redis://` or `rediss://`, may hold a password), usually `env:REDIS_URL`; required for kind `redis`.',
    }),
    prefix: text({ default: 'holdfast:', description: 'Prefix of every Redis key (kind `redis`); replicas of one gateway share it.' }),
  }, 'Where jobs and their event logs are kept.'),
  cluster: section({
    lease_ms: ms(3000, 'With store kind `redis`: a replica that stops renewing a job\'s lease for this long loses the job to another replica, which resumes it within about lease_ms × 4/3'),
  }, 'Replicas sharing one Redis store.'),
  blobs: section({
    kind: oneOf(BLOB_KINDS, { default: 'disk', description: '`disk` keeps bytes under `path` (a folder every replica mounts, with store kind `redis`); `azure` keeps them in Azure Blob Storage.' }),
    path: text({ default: './holdfast-data/images', description: 'Directory for generated images and uploads (kind `disk`).' }),
    connection_string: Type.Union([secret('key', { description: 'Storage account connection string, usually `env:NAME`.' }), Type.Null()], {
      default: null,
      description: 'Azure Storage connection string (holds the account key), usually `env:NAME`; required for kind `azure`.',
    }),
    container: Type.Union([text({ pattern: AZURE_CONTAINER_PATTERN, errorMessage: 'must be an Azure container name: 3-63 lower-case letters, digits and hyphens', description: 'Container name.' }), Type.Null()], {
      default: null,
      description: 'Blob container for images and uploads, created when missing; required for kind `azure`.',
    }),
  }, 'Where image bytes (results and uploads) are kept.'),
  uploads: section({
    max_files: positiveInteger({ default: 16, description: 'Most image files in one edit request (files).' }),
    max_file_bytes: positiveInteger({ default: 52428800, description: 'Largest accepted image file (bytes).' }),
    max_mask_bytes: positiveInteger({ default: 52428800, description: 'Largest accepted mask file (bytes).' }),
  }, 'Limits on multipart uploads to `/v1/images/edits`.'),
  jobs: section({
    retention_ms: ms(86400000, 'How long a finished job and its images stay retrievable'),
    default_deadline_ms: positiveInteger({ default: 900000, maximum: 2147483647, description: 'Deadline of a job whose request sets no `Holdfast-Deadline-Ms`; at most `jobs.max_deadline_ms` (milliseconds).' }),
    max_deadline_ms: positiveInteger({ default: 86400000, maximum: 2147483647, description: 'Longest deadline a request may ask for with `Holdfast-Deadline-Ms`; longer ones are refused with 400 (milliseconds).' }),
    purge_interval_ms: ms(60000, 'How often expired jobs are purged'),
  }, 'Job lifetime.'),
  webhooks: section({
    secret: Type.Union([secret('key', { description: 'Signing secret.' }), Type.Null()], {
      default: null,
      description: 'Signing secret for webhook deliveries (`whsec_…`), usually `env:NAME`; `null` disables webhooks.',
    }),
    allow_private_addresses: Type.Boolean({ default: false, description: 'Allow webhook URLs that resolve to private, loopback or link-local addresses.' }),
    max_attempts: positiveInteger({ default: 8, description: 'Delivery attempts per event, the first included (attempts).' }),
    base_delay_ms: ms(1000, 'First retry delay; doubles per attempt'),
    max_delay_ms: ms(300000, 'Longest delay between delivery attempts'),
    timeout_ms: ms(10000, 'Time allowed for one delivery'),
  }, 'Signed webhook deliveries (`Holdfast-Webhook-Url`).'),
  limits: section({
    json_body_bytes: positiveInteger({ default: 1048576, description: 'Largest JSON body of `/images/generations` (bytes); a 32,000-character prompt is under 130 KB.' }),
    edit_json_body_bytes: positiveInteger({ default: 73400320, description: 'Largest JSON body of `/images/edits`, whose `images[].image_url` may carry data URLs (bytes).' }),
    json_max_depth: positiveInteger({ default: 32, maximum: 512, description: 'Deepest nesting of objects and arrays in a JSON body (levels).' }),
    max_prompt_chars: positiveInteger({ default: 32000, description: 'Longest `prompt` for any model, also ones holdfast has no rules for (characters).' }),
    max_field_bytes: positiveInteger({ default: 262144, description: 'Largest text field of a multipart edit (bytes).' }),
    body_idle_timeout_ms: ms(30000, 'A request body that sends no byte for this long is answered 408 and its connection closed'),
    request_timeout_ms: ms(900000, 'A request whose body has not fully arrived after this long is answered 408 (a 50 MB upload at 1 Mbit/s takes 7 minutes)'),
    max_connections_per_address: positiveInteger({ default: 256, description: 'Open client connections allowed from one IP address; more are closed at once. Raise it behind a reverse proxy (connections).' }),
  }, 'Limits on what clients send (docs/security.md).'),
  upstream: section({
    max_image_bytes: positiveInteger({ default: 52428800, description: 'Largest decoded image an upstream may return; upstream bodies and SSE events are bounded by `n` times this (bytes).' }),
    max_error_body_bytes: positiveInteger({ default: 65536, description: 'Most bytes of an upstream error body that are read; the rest is dropped (bytes).' }),
    error_body_timeout_ms: ms(10000, 'Longest time spent reading an upstream error body'),
    max_partial_events: positiveInteger({ default: 64, description: 'Partial-image events one attempt may receive before it is cut as a stream error (events).' }),
    max_idle_bytes: positiveInteger({ default: 65536, description: 'Bytes of an upstream stream that carry no progress (comments, unknown events) one attempt may receive (bytes).' }),
    max_retry_after_ms: ms(300000, 'Longest wait an upstream `retry-after` or rate-limit reset can impose on a deployment'),
  }, 'Bounds on what upstreams send (docs/security.md).'),
  storage: section({
    result_hold_ms: ms(3600000, 'How long a result the upstream delivered is kept in memory and retried while the store cannot be written'),
  }, 'Storage faults.'),
  streaming: section({
    heartbeat_interval_ms: ms(15000, 'Quiet time after which a `: keepalive` comment is written to a client stream'),
  }, 'Client-facing SSE streams.'),
  retry: section({
    max_attempts: positiveInteger({ default: 4, description: 'Upstream attempts per job, the first included (attempts).' }),
    base_delay_ms: ms(1000, 'Backoff before the first retry; doubles per attempt, with full jitter'),
    max_delay_ms: ms(30000, 'Longest backoff between attempts'),
  }, 'Retries of transient upstream failures, across deployments.'),
  circuit: section({
    window_ms: ms(300000, 'Window over which a deployment\'s failure rate is measured'),
    min_requests: positiveInteger({ default: 5, description: 'Requests in the window before the circuit may open (requests).' }),
    failure_rate: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.5, description: 'Failure fraction in the window that opens the circuit (0 to 1).' }),
    cooldown_ms: ms(30000, 'How long an open circuit keeps a deployment out before a trial request'),
  }, 'Per-deployment circuit breaker.'),
  log: section({
    level: oneOf(LOG_LEVELS, { default: 'info', description: 'pino log level.' }),
  }, 'Logging.'),
  metrics: section({
    enabled: Type.Boolean({ default: true, description: 'Serve Prometheus metrics on `GET /metrics`.' }),
  }, 'Prometheus metrics.'),
  simulation: section({
    time_scale: Type.Number({
      exclusiveMinimum: 0, maximum: 1, default: 1,
      description: 'Real ms per clock ms. 1 in production. Set it to the `--time-scale` of `holdfast sim` to pair with the simulator: every timeout in this file stays in real-world units, and `holdfast serve` and `holdfast probe` read it the same way.',
    }),
  }, 'Only for pairing with the upstream simulator (`holdfast init --sim` writes it).'),
  prices: Type.Record(Type.String({ minLength: 1 }), Type.Object({
    text_input_per_1m: Type.Number({ minimum: 0, description: 'Input text tokens (USD per million tokens).' }),
    image_input_per_1m: Type.Number({ minimum: 0, description: 'Input image tokens (USD per million tokens).' }),
    image_output_per_1m: Type.Number({ minimum: 0, description: 'Output image tokens, partial images included (USD per million tokens).' }),
    text_output_per_1m: Type.Optional(Type.Number({ minimum: 0, description: 'Output text tokens, when the upstream reports them (USD per million tokens); default: `image_output_per_1m`.' })),
  }, { additionalProperties: false, description: 'Token prices of one upstream model.' }), {
    default: {},
    description: 'Token prices per upstream model name (a deployment\'s `model`), over the shipped defaults for gpt-image-2, gpt-image-1.5, gpt-image-1 and gpt-image-1-mini (docs/keys-and-cost.md names their sources). A deployment whose model has no price is warned about and its cost reported as null.',
  }),
  telemetry: section({
    traces: section({
      exporter: oneOf(TRACE_EXPORTERS, {
        default: 'none',
        description: '`otlp` exports OpenTelemetry traces over OTLP/HTTP; `none` turns them off unless `OTEL_TRACES_EXPORTER=otlp` is set.',
      }),
      endpoint: nullableText({
        default: null,
        description: 'OTLP/HTTP traces URL, e.g. `http://collector:4318/v1/traces`; `null`: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else `http://localhost:4318/v1/traces`.',
      }),
      headers: Type.Record(
        Type.String({ pattern: HEADER_NAME_PATTERN }),
        secret('value', { pattern: '^[^\\r\\n]*$', errorMessage: 'must not contain CR or LF', description: 'Header value; may be `env:NAME`.' }),
        { default: {}, additionalProperties: false, keyErrorMessage: 'is not a valid HTTP header name', description: 'Headers sent with each export (a collector token); values may be `env:NAME`. Merged over `OTEL_EXPORTER_OTLP_HEADERS`.' },
      ),
      sample_ratio: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
        default: null,
        description: 'Fraction of new traces recorded (0 to 1); a request whose `traceparent` is sampled is always recorded. `null`: `OTEL_TRACES_SAMPLER_ARG`, else 1.',
      }),
    }, 'OpenTelemetry traces: a span per client request, job and upstream attempt.'),
  }, 'OpenTelemetry.'),
  models: ModelsSchema,
  deployments: DeploymentsSchema,
}, { additionalProperties: false });

type DeepReadonly<T> = T extends Secret
  ? T
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** The validated, defaulted, frozen configuration. */
export type HoldfastConfig = DeepReadonly<Static<typeof ConfigSchema>>;
export type DeploymentConfig = DeepReadonly<Static<typeof DeploymentSchema>>;
export type ModelConfig = DeepReadonly<Static<typeof ModelSchema>>;
export type Provider = DeploymentConfig['provider'];
export type UpstreamMode = DeploymentConfig['upstream_mode'];
export type LogLevel = HoldfastConfig['log']['level'];
