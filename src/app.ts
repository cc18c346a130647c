// createHoldfast(deps, config): the composition root, the only place where concrete parts meet.
// app-options.ts maps the config onto each part's options; this file builds the parts, starts them
// in dependency order and closes them in reverse. Building does no I/O.
import type { Dispatcher } from 'undici';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from './time/clock.js';
import type { IdSource, Random } from './time/random.js';
import type { HoldfastConfig } from './config/schema.js';
import { optionsFromConfig } from './app-options.js';
import { Engine } from './engine/engine.js';
import type { EngineDeps, EngineObserver } from './engine/deps.js';
import { createRetention } from './engine/retention.js';
import { buildServer, closeServer } from './http/server.js';
import { createClientAuth } from './http/auth.js';
import type { HttpDeps } from './http/deps.js';
import { createUpstreamDispatcher } from './upstream/http-client.js';
import { buildAdapters } from './upstream/build-adapters.js';
import { openStores } from './store/open-stores.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createRouter } from './routing/scored-router.js';
import { createEngineObserver } from './observability/engine-observer.js';
import { createWebhookDispatch } from './webhooks/dispatch.js';
import { openCluster, type Cluster } from './cluster/cluster.js';
import { localRoutingMetrics } from './cluster/cluster-router.js';
import { createTracing, type Tracing } from './observability/tracing.js';
import { resolveTracingOptions } from './observability/tracing-options.js';
import { composeObservers, createJobTracing } from './observability/job-tracing.js';
import { HOLDFAST_VERSION } from './version.js';
import { createAdminAuth } from './http/admin-auth.js';
import { createClientKeys } from './keys/client-keys.js';
import { resolveHashSecret } from './keys/key-material.js';
import { createBilling, reservationUsd, unpricedModels } from './cost/billing.js';
import { priceTable } from './cost/prices-table.js';
import { createKeyLimits } from './keys/key-limits.js';
import { createAdminGate } from './http/admin-session.js';
import { createLiveFeed } from './observability/live-feed.js';

export interface HoldfastDeps {
  clock: Clock;
  random: Random;
  ids: IdSource;
  log: Logger;
  dispatcher?: Dispatcher;
  /** Sees every job event as it is appended (`holdfast demo` tells its story from these). */
  onJobEvent?: EngineObserver['eventAppended'];
  /** The process environment's OTEL_* variables (read by the CLI), for telemetry.traces. */
  otelEnv?: Readonly<Record<string, string | undefined>>;
  /** A tracing component of the caller's; otherwise one is built from telemetry.traces. */
  tracing?: Tracing;
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

export async function createHoldfast(deps: HoldfastDeps, config: HoldfastConfig): Promise<Holdfast> {
  const { clock, random, ids, log } = deps;
  const options = optionsFromConfig(config);
  const dispatcher = deps.dispatcher ?? createUpstreamDispatcher();
  const stores = await openStores({
    ...options.stores,
    onBadRecord: (jobId, reason) => log.error({ jobId, reason }, 'quarantined a job record the store cannot read; the other jobs start'),
  });
  const metrics = options.metricsEnabled ? createMetrics() : undefined;
  const clustered = stores.redis && options.cluster ? { store: stores.redis, options: options.cluster } : undefined;
  const localRouter = createRouter({ clock, random, metrics: clustered ? localRoutingMetrics(metrics, clustered.options.limits) : metrics }, options.router);
  const cluster: Cluster | undefined = clustered
    ? await openCluster({ clock, log, store: clustered.store, local: localRouter, metrics }, clustered.options) : undefined;
  const router = cluster?.router ?? localRouter;
  const adapters = buildAdapters({ clock, dispatcher }, options.adapters);
  const tracingOptions = deps.tracing ? undefined : resolveTracingOptions(config.telemetry.traces, deps.otelEnv ?? {}, HOLDFAST_VERSION);
  const tracing = deps.tracing ?? (tracingOptions ? createTracing(tracingOptions) : undefined);
  const regions = new Map(Object.entries(config.deployments).map(([id, d]) => [id, d.region]));
  const webhooks = createWebhookDispatch({ clock, random, log, jobs: stores.jobs, claims: cluster?.webhookClaims }, options.webhooks);
  const infos = options.deployments;
  // Replicas on Redis share the key-hash secret through the store unless one is configured.
  const configuredSecret = config.auth.key_hash_secret?.reveal();
  const clientKeys = createClientKeys({
    store: stores.keys, clock, ids,
    hashSecret: configuredSecret === undefined && stores.redis
      ? await stores.redis.clientKeys.sharedHashSecret()
      : resolveHashSecret(configuredSecret, config.store.kind === 'sqlite' ? config.store.path : undefined),
  });
  const adminAuth = createAdminAuth(config.admin.keys);
  // With admin keys set, managed keys exist to be enforced: requests without a key are refused.
  const clientAuth = createClientAuth(options.clientKeys, { managed: clientKeys, required: adminAuth.configured && !config.auth.allow_anonymous });
  const prices = priceTable(config.prices);
  const limits = createKeyLimits({
    keys: clientKeys, clock, log,
    reservationUsd: (job) => reservationUsd(job, options.routes.get(job.model)?.deployments.map((d) => d.model) ?? [job.model], prices),
  }, { defaultDeadlineMs: options.engine.defaultDeadlineMs });
  const billing = createBilling({
    prices, deploymentModels: new Map([...infos].map(([id, d]) => [id, d.model])), usage: stores.usage,
    owners: clientAuth, charge: (keyId, usd, at) => clientKeys.charge(keyId, usd, at), metrics, log,
  });
  for (const model of unpricedModels([...infos.values()].map((d) => d.model), prices)) {
    log.warn({ model }, 'no price for this upstream model: its cost is reported as null (set prices.<model>)');
  }
  const { deployments: feedDeployments, ...feedOptions } = options.liveFeed;
  const feed = createLiveFeed({
    // On a cluster: the local table, which folds in every replica's outcomes (cluster/outcome-feed.ts), with the cluster's budgets.
    clock, health: () => cluster?.router.table() ?? localRouter.health(), queueDepth: (model) => localRouter.queueDepth(model), deployments: feedDeployments,
  }, feedOptions);
  const engineDeps: EngineDeps = {
    clock, random, ids, log, ...stores.engine, router,
    adapterFor: (id) => {
      const adapter = adapters.get(id);
      if (!adapter) throw new Error(`no adapter for deployment ${id}`);
      return adapter;
    },
    deployments: options.deployments,
    observer: limits.releasingOnFinish(composeObservers(
      createEngineObserver({ metrics, webhooks, log }),
      tracing ? createJobTracing(tracing, regions) : undefined,
      feed.observer,
      deps.onJobEvent ? { eventAppended: deps.onJobEvent } : undefined,
    )),
    billing,
    cluster: cluster?.engine,
  };
  const engine = new Engine(engineDeps, options.engine);
  const retention = createRetention(engineDeps, options.retention);
  const httpDeps: HttpDeps = {
    clock, engine, blobs: stores.engine.blobs, log, models: options.routes,
    auth: clientAuth,
    limits,
    keyAdmin: { auth: adminAuth, keys: clientKeys, usage: stores.usage },
    admin: createAdminGate(clock, adminAuth, options.adminKeys),
    feed,
    observer: metrics ? { heartbeat: () => metrics.heartbeat() } : undefined,
    checkWebhookUrl: webhooks ? (url) => webhooks.check(url) : undefined,
    metricsText: metrics ? () => metrics.text() : undefined,
    deploymentHealth: () => feed.table(),
    ready: () => stores.ready(),
    tracing,
  };
  const server = await buildServer(httpDeps, options.http);
  if (!clientAuth.enabled) log.warn('auth.keys and admin.keys are empty: holdfast accepts requests without a client key');

  let closing: Promise<void> | undefined;
  return {
    engine, metrics, server,
    async start() {
      // In a cluster, unfinished jobs belong to their replicas' leases; the takeover scan resumes orphans.
      // Pending webhooks too: the cluster hands each to one replica (webhooks.resume() is then a no-op).
      if (cluster) await cluster.start(engine, webhooks);
      const resumed = cluster ? 0 : await engine.start();
      if (resumed > 0) log.warn({ resumed }, 'resumed unfinished jobs');
      const webhooksResumed = (await webhooks?.resume()) ?? 0;
      if (webhooksResumed > 0) log.warn({ webhooks: webhooksResumed }, 'resumed pending webhook deliveries');
      await retention.start();
      feed.start();
      return server.listen(options.listen);
    },
    close(graceMs = 0) {
      closing ??= (async () => {
        retention.close();
        // The live feed's streams end first: they would otherwise hold the server open.
        await closeServer(server, clock, () => {
          feed.close();
          return engine.close(graceMs);
        });
        await webhooks?.close();
        await router.close();
        await cluster?.close();
        await stores.close();
        if (!deps.tracing) await tracing?.close();
        if (!deps.dispatcher) await dispatcher.close();
      })();
      return closing;
    },
  };
}
