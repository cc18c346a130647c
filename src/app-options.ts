// The config file mapped onto each component's own options (style guide §6): components never see
// HoldfastConfig, so a test can build any of them without YAML. Pure; app.ts wires the parts.
import type { HoldfastConfig } from './config/schema.js';
import { rateLimitOf } from './config/load.js';
import type { DeploymentInfo, EngineOptions } from './engine/deps.js';
import { expectedDurationMs } from './engine/expected-duration.js';
import type { RetentionOptions } from './engine/retention.js';
import type { HttpOptions, ModelRoute, RequestLimits } from './http/deps.js';
import type { RouterOptions } from './routing/scored-router.js';
import type { ClusterOptions } from './cluster/cluster.js';
import type { BlobOptions, StoreOptions } from './store/open-stores.js';
import type { AdapterOptions } from './upstream/build-adapters.js';
import type { UpstreamBounds } from './upstream/bounded-body.js';
import type { WebhookSenderOptions } from './webhooks/webhook-sender.js';
import type { LiveFeedOptions } from './observability/live-feed.js';

/** One entry of the model-route table: the route's deployments, in order, and its queue bounds. */
export interface RouteEntry extends ModelRoute {
  queue: { maxDepth: number; maxWaitMs: number };
}

export interface HoldfastOptions {
  listen: { host: string; port: number };
  stores: StoreOptions;
  /** With store kind redis: the replicas' shared budgets, circuits, leases and queue depths. */
  cluster?: ClusterOptions;
  adapters: AdapterOptions[];
  deployments: Map<string, DeploymentInfo>;
  /** The one model-route table: routing, validation and /v1/models all read it. */
  routes: Map<string, RouteEntry>;
  router: RouterOptions;
  engine: EngineOptions;
  retention: RetentionOptions;
  /** Undefined when webhooks are off (no webhooks.secret). */
  webhooks?: WebhookSenderOptions;
  http: HttpOptions;
  clientKeys: HoldfastConfig['auth']['keys'];
  /** Keys of the admin (dashboard sign-in, every job); empty: no admin access. */
  adminKeys: HoldfastConfig['admin']['keys'];
  /** The dashboard's live feed: its cadence and what it shows per deployment. */
  liveFeed: LiveFeedOptions & { deployments: Map<string, { provider: string; region: string | null; models: string[] }> };
  metricsEnabled: boolean;
}

const REPRESENTATIVE_SIZE: Record<string, string> = { small: '1024x1024', medium: '1536x1536', large: '2048x2048' };

function deploymentInfos(config: HoldfastConfig): Map<string, DeploymentInfo> {
  return new Map(Object.entries(config.deployments).map(([id, d]) => [id, {
    id, model: d.model, provider: d.provider,
    timing: { upstreamMode: d.upstream_mode, idleTimeoutMs: d.idle_timeout_ms ?? undefined, responseTimeoutMs: d.response_timeout_ms ?? undefined },
  }]));
}

function routeTable(config: HoldfastConfig, infos: ReadonlyMap<string, DeploymentInfo>): Map<string, RouteEntry> {
  return new Map(Object.entries(config.models).map(([name, m]) => [name, {
    name,
    deployments: m.deployments.map((id) => infos.get(id)).filter((d): d is DeploymentInfo => d !== undefined),
    queue: { maxDepth: m.queue.max_depth, maxWaitMs: m.queue.max_wait_ms },
  }]));
}

/** Validated config guarantees the redis and azure keys (cross-checks); the throws guard direct callers. */
function storeOptionsOf(config: HoldfastConfig): StoreOptions {
  const s = config.store;
  const store: StoreOptions['store'] = s.kind === 'memory' ? { kind: 'memory' }
    : s.kind === 'sqlite' ? { kind: 'sqlite', path: s.path }
      : { kind: 'redis', url: requireSecret(s.url, 'store.url is required with store.kind redis (usually env:REDIS_URL)'), prefix: s.prefix };
  return { store, blobs: blobOptionsOf(config.blobs) };
}

function blobOptionsOf(b: HoldfastConfig['blobs']): BlobOptions {
  if (b.kind === 'disk') return { kind: 'disk', root: b.path };
  if (!b.connection_string || !b.container) throw new Error('blobs.kind azure needs blobs.connection_string and blobs.container');
  return { kind: 'azure', connectionString: b.connection_string.reveal(), container: b.container };
}

function requireSecret(value: { reveal(): string } | null, message: string): string {
  if (!value) throw new Error(message);
  return value.reveal();
}

function clusterOptionsOf(config: HoldfastConfig): ClusterOptions | undefined {
  if (config.store.kind !== 'redis') return undefined;
  return {
    url: config.store.url?.reveal() ?? '', leaseMs: config.cluster.lease_ms, defaultBackOffMs: 1_000, models: Object.keys(config.models),
    limits: new Map(Object.entries(config.deployments).flatMap(([id, d]) => {
      const limit = rateLimitOf(d);
      const concurrency = d.concurrency ?? undefined;
      if (!limit && concurrency === undefined) return [];
      // requests 0: no count limit, only the cluster-wide concurrency.
      const window = limit ? { ...limit, marginMs: Math.min(1_000, limit.windowMs * 0.02) } : { requests: 0, windowMs: 0, marginMs: 0 };
      return [[id, { ...window, concurrency }] as const];
    })),
  };
}

function upstreamBoundsOf(config: HoldfastConfig): UpstreamBounds {
  const u = config.upstream;
  return {
    maxImageBytes: u.max_image_bytes, maxErrorBodyBytes: u.max_error_body_bytes, errorBodyTimeoutMs: u.error_body_timeout_ms,
    maxPartialEvents: u.max_partial_events, maxIdleBytes: u.max_idle_bytes, maxRetryAfterMs: u.max_retry_after_ms,
  };
}

export function adapterOptionsOf(config: HoldfastConfig): AdapterOptions[] {
  const bounds = upstreamBoundsOf(config);
  return Object.entries(config.deployments).map(([id, d]): AdapterOptions => {
    const headers = Object.fromEntries(Object.entries(d.headers).map(([name, value]) => [name, value.reveal()]));
    return d.provider === 'azure'
      ? { provider: 'azure', deploymentId: id, baseUrl: d.base_url, deployment: d.deployment ?? id, apiVersion: d.api_version ?? '2025-04-01-preview', apiKey: d.api_key, headers, bounds }
      : { provider: 'openai', deploymentId: id, baseUrl: d.base_url, apiKey: d.api_key, headers, bounds };
  });
}

function requestLimitsOf(config: HoldfastConfig): RequestLimits {
  const l = config.limits;
  return {
    jsonBodyBytes: l.json_body_bytes, editJsonBodyBytes: l.edit_json_body_bytes, jsonMaxDepth: l.json_max_depth,
    maxPromptChars: l.max_prompt_chars, maxFieldBytes: l.max_field_bytes, maxDeadlineMs: config.jobs.max_deadline_ms,
    bodyIdleTimeoutMs: l.body_idle_timeout_ms, requestTimeoutMs: l.request_timeout_ms, maxConnectionsPerAddress: l.max_connections_per_address,
  };
}

function routerOptionsOf(config: HoldfastConfig, routes: ReadonlyMap<string, RouteEntry>): RouterOptions {
  return {
    models: Object.fromEntries([...routes].map(([name, r]) => [name, { deployments: r.deployments.map((d) => d.id), queue: r.queue }])),
    deployments: Object.fromEntries(Object.entries(config.deployments).map(([id, d]) => [id, {
      weight: d.weight, rateLimit: rateLimitOf(d), concurrency: d.concurrency ?? undefined,
      priorLatencyMs: (sizeClass: string, quality: string) => expectedDurationMs({ size: REPRESENTATIVE_SIZE[sizeClass], quality }),
    }])),
    circuit: { windowMs: config.circuit.window_ms, minRequests: config.circuit.min_requests, failureRate: config.circuit.failure_rate, cooldownMs: config.circuit.cooldown_ms },
  };
}

function webhookOptionsOf(config: HoldfastConfig): WebhookSenderOptions | undefined {
  const w = config.webhooks;
  if (!w.secret) return undefined;
  return {
    secret: w.secret.reveal(), allowPrivateAddresses: w.allow_private_addresses, maxAttempts: w.max_attempts,
    baseDelayMs: w.base_delay_ms, maxDelayMs: w.max_delay_ms, timeoutMs: w.timeout_ms,
  };
}

export function optionsFromConfig(config: HoldfastConfig): HoldfastOptions {
  const deployments = deploymentInfos(config);
  const routes = routeTable(config, deployments);
  return {
    listen: { host: config.listen.host, port: config.listen.port },
    stores: storeOptionsOf(config),
    cluster: clusterOptionsOf(config),
    adapters: adapterOptionsOf(config),
    deployments,
    routes,
    router: routerOptionsOf(config, routes),
    engine: {
      retry: { maxAttempts: config.retry.max_attempts, baseDelayMs: config.retry.base_delay_ms, maxDelayMs: config.retry.max_delay_ms },
      defaultDeadlineMs: config.jobs.default_deadline_ms,
      retentionMs: config.jobs.retention_ms,
      resultHoldMs: config.storage.result_hold_ms,
    },
    retention: { retentionMs: config.jobs.retention_ms, purgeIntervalMs: config.jobs.purge_interval_ms },
    webhooks: webhookOptionsOf(config),
    http: {
      heartbeatIntervalMs: config.streaming.heartbeat_interval_ms,
      uploads: { maxFiles: config.uploads.max_files, maxFileBytes: config.uploads.max_file_bytes, maxMaskBytes: config.uploads.max_mask_bytes },
      limits: requestLimitsOf(config),
      defaultModel: Object.keys(config.models)[0] ?? '',
    },
    clientKeys: config.auth.keys,
    adminKeys: config.admin.keys,
    liveFeed: {
      pushIntervalMs: 2_000, sampleIntervalMs: 10_000, maxSamples: 360,
      deployments: new Map(Object.entries(config.deployments).map(([id, d]) => [id, {
        provider: d.provider, region: d.region ?? null,
        models: Object.entries(config.models).filter(([, m]) => m.deployments.includes(id)).map(([name]) => name),
      }])),
    },
    metricsEnabled: config.metrics.enabled,
  };
}
