// The whole holdfast.yaml as one TypeBox schema: every key, its default and its unit.
// load.ts validates against it; reference.ts renders docs/configuration.md from it; Static<> gives the types.
import { Type, type Static } from '@sinclair/typebox';
import { DeploymentSchema, DeploymentsSchema, ModelSchema, ModelsSchema } from './deployment-schema.js';
import { integer, oneOf, positiveInteger, secret, section, text } from './schema-builders.js';
import type { Secret } from './secret.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const STORE_KINDS = ['sqlite', 'memory'] as const;

const ms = (defaultMs: number, description: string) => positiveInteger({ default: defaultMs, description: `${description} (milliseconds).` });

export const ConfigSchema = Type.Object({
  listen: section({
    host: text({ default: '127.0.0.1', description: 'Interface to listen on; `0.0.0.0` for all IPv4 interfaces.' }),
    port: integer({ default: 8080, maximum: 65535, description: 'TCP port; 0 picks a free one.' }),
  }, 'Where the gateway accepts client connections.'),
  auth: section({
    keys: Type.Array(secret('key', { description: 'A client key, usually `env:NAME`.' }), {
      default: [],
      description: 'Keys clients must present (`Authorization: Bearer` or `api-key`), usually `env:NAME`. Empty: no client authentication (warned).',
    }),
  }, 'Client authentication.'),
  admin: section({
    keys: Type.Array(secret('key', { description: 'An admin key, usually `env:NAME`.' }), {
      default: [],
      description: 'Keys that operators present (`Authorization: Bearer`) to the admin API and the dashboard, usually `env:NAME`. Never the same as a client key. Empty: admin API and dashboard sign-in are off.',
    }),
  }, 'Operator (admin) authentication for the admin API and the dashboard.'),
  store: section({
    kind: oneOf(STORE_KINDS, { default: 'sqlite', description: '`sqlite` keeps jobs across restarts; `memory` forgets them.' }),
    path: text({ default: './holdfast-data/holdfast.db', description: 'SQLite database file (kind `sqlite`).' }),
  }, 'Where jobs and their event logs are kept.'),
  blobs: section({
    path: text({ default: './holdfast-data/images', description: 'Directory for generated images and uploads.' }),
  }, 'Where image bytes are kept.'),
  uploads: section({
    max_files: positiveInteger({ default: 16, description: 'Most image files in one edit request (files).' }),
    max_file_bytes: positiveInteger({ default: 52428800, description: 'Largest accepted image file (bytes).' }),
    max_mask_bytes: positiveInteger({ default: 52428800, description: 'Largest accepted mask file (bytes).' }),
  }, 'Limits on multipart uploads to `/v1/images/edits`.'),
  jobs: section({
    retention_ms: ms(86400000, 'How long a finished job and its images stay retrievable'),
    default_deadline_ms: ms(900000, 'Deadline of a job whose request sets no `Holdfast-Deadline-Ms`'),
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
