// createHoldfast(deps, config): the composition root, the only place where concrete parts meet.
// It starts parts in dependency order and closes them in reverse; building does no I/O.
import type { Dispatcher } from 'undici';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from './time/clock.js';
import type { IdSource, Random } from './time/random.js';
import type { HoldfastConfig } from './config/schema.js';
import { Engine } from './engine/engine.js';
import type { DeploymentInfo, EngineDeps, EngineObserver } from './engine/deps.js';
import { expectedDurationMs } from './engine/expected-duration.js';
import { buildServer } from './http/server.js';
import { createClientAuth } from './http/auth.js';
import type { HttpDeps, ModelRoute } from './http/deps.js';
import { createUpstreamDispatcher } from './upstream/http-client.js';
import { buildAdapters } from './upstream/build-adapters.js';
import { openStores, type Stores } from './store/open-stores.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createRouter } from './routing/scored-router.js';
import { rateLimitOf } from './config/load.js';
import { createEngineObserver } from './observability/engine-observer.js';
import { createWebhookDispatch, type WebhookDispatch } from './webhooks/dispatch.js';

export interface HoldfastDeps {
  clock: Clock;
  random: Random;
  ids: IdSource;
  log: Logger;
  dispatcher?: Dispatcher;
  /** Sees every job event as it is appended (`holdfast demo` tells its story from these). */
  onJobEvent?: EngineObserver['jobEvent'];
}

export interface Holdfast {
  /** Resumes unfinished jobs, then listens; resolves with the base URL. */
  start(): Promise<string>;
  /** Stops taking requests, lets in-flight jobs finish for up to graceMs, then closes everything. */
  close(graceMs?: number): Promise<void>;
  readonly engine: Engine;
  readonly metrics?: Metrics;
  readonly server: FastifyInstance;
}

const REPRESENTATIVE_SIZE: Record<string, string> = { small: '1024x1024', medium: '1536x1536', large: '2048x2048' };

function deploymentInfos(config: HoldfastConfig): Map<string, DeploymentInfo> {
  const infos = new Map<string, DeploymentInfo>();
  for (const [id, d] of Object.entries(config.deployments)) {
    infos.set(id, {
      id, model: d.model, provider: d.provider,
      timing: { upstreamMode: d.upstream_mode, idleTimeoutMs: d.idle_timeout_ms ?? undefined, responseTimeoutMs: d.response_timeout_ms ?? undefined },
    });
  }
  return infos;
}

export async function createHoldfast(deps: HoldfastDeps, config: HoldfastConfig): Promise<Holdfast> {
  const { clock, random, ids, log } = deps;
  const dispatcher = deps.dispatcher ?? createUpstreamDispatcher();
  const stores: Stores = openStores(config);
  const metrics = config.metrics.enabled ? createMetrics() : undefined;
  const infos = deploymentInfos(config);
  const pools = new Map(Object.entries(config.models).map(([name, m]) => [name, [...m.deployments]]));
  const router = createRouter({ clock, random, metrics }, {
    models: Object.fromEntries(Object.entries(config.models).map(([name, m]) => [name, {
      deployments: [...m.deployments], queue: { maxDepth: m.queue.max_depth, maxWaitMs: m.queue.max_wait_ms },
    }])),
    deployments: Object.fromEntries(Object.entries(config.deployments).map(([id, d]) => [id, {
      weight: d.weight, rateLimit: rateLimitOf(d), concurrency: d.concurrency ?? undefined,
      priorLatencyMs: (sizeClass: string, quality: string) => expectedDurationMs({ size: REPRESENTATIVE_SIZE[sizeClass], quality }),
    }])),
    circuit: { windowMs: config.circuit.window_ms, minRequests: config.circuit.min_requests, failureRate: config.circuit.failure_rate, cooldownMs: config.circuit.cooldown_ms },
  });
  const adapters = buildAdapters({ clock, dispatcher }, config);
  const webhooks: WebhookDispatch | undefined = createWebhookDispatch({ clock, random, log, jobs: stores.jobs }, config);
  const engineDeps: EngineDeps = {
    clock, random, ids, log, ...stores.engine, router,
    adapterFor: (id) => {
      const adapter = adapters.get(id);
      if (!adapter) throw new Error(`no adapter for deployment ${id}`);
      return adapter;
    },
    deployments: infos, pools,
    observer: { ...createEngineObserver({ metrics, webhooks, log }), jobEvent: deps.onJobEvent },
  };
  const engine = new Engine(engineDeps, {
    retry: { maxAttempts: config.retry.max_attempts, baseDelayMs: config.retry.base_delay_ms, maxDelayMs: config.retry.max_delay_ms },
    defaultDeadlineMs: config.jobs.default_deadline_ms,
    retentionMs: config.jobs.retention_ms,
  });
  const models = new Map<string, ModelRoute>(Object.entries(config.models).map(([name, m]) => [name, {
    name, deployments: m.deployments.map((id) => infos.get(id)).filter((d): d is DeploymentInfo => d !== undefined),
  }]));
  const httpDeps: HttpDeps = {
    clock, engine, blobs: stores.engine.blobs, log, models,
    auth: createClientAuth(config.auth.keys),
    observer: metrics ? { heartbeat: () => metrics.heartbeat(), request: (l) => metrics.request(l) } : undefined,
    checkWebhookUrl: webhooks ? (url) => webhooks.check(url) : undefined,
    metricsText: metrics ? () => metrics.text() : undefined,
    deploymentHealth: () => router.health(),
    ready: () => stores.engine.jobs.ping(),
  };
  const server = await buildServer(httpDeps, {
    heartbeatIntervalMs: config.streaming.heartbeat_interval_ms,
    uploads: { maxFiles: config.uploads.max_files, maxFileBytes: config.uploads.max_file_bytes, maxMaskBytes: config.uploads.max_mask_bytes },
    defaultModel: Object.keys(config.models)[0] ?? '',
  });
  if (config.auth.keys.length === 0) log.warn('auth.keys is empty: holdfast accepts requests without a client key');

  let purgeTimer: { cancel(): void } | undefined;
  const schedulePurge = (): void => {
    purgeTimer = clock.setTimer(config.jobs.purge_interval_ms, () => {
      engine.purge().catch((error: unknown) => log.error({ err: error }, 'purge failed')).finally(schedulePurge);
    });
  };
  let closing: Promise<void> | undefined;
  return {
    engine, metrics, server,
    async start() {
      const resumed = await engine.start();
      if (resumed > 0) log.warn({ resumed }, 'resumed unfinished jobs');
      const webhooksResumed = (await webhooks?.resume()) ?? 0;
      if (webhooksResumed > 0) log.warn({ webhooks: webhooksResumed }, 'resumed pending webhook deliveries');
      await engine.purge();
      schedulePurge();
      return server.listen({ host: config.listen.host, port: config.listen.port });
    },
    close(graceMs = 0) {
      closing ??= (async () => {
        purgeTimer?.cancel();
        const serverClosed = server.close();
        await engine.close(graceMs);
        // Streams and waiting JSON clients have their answers now; keep-alive sockets that went idle
        // after close() began would otherwise hold it for keepAliveTimeout. Stragglers get 5 s.
        server.server.closeIdleConnections();
        const straggler = clock.setTimer(5_000, () => server.server.closeAllConnections());
        await serverClosed;
        straggler.cancel();
        await webhooks?.close();
        await router.close();
        await stores.close();
        if (!deps.dispatcher) await dispatcher.close();
      })();
      return closing;
    },
  };
}
