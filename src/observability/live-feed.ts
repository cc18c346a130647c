// The live feed behind GET /v1/holdfast/events and the dashboard: the deployments table (the
// router's health rows plus region, queue depth, time to first byte and billed-but-lost attempts,
// which only the engine's observer sees), a sampled history of it for charts, and job changes.
// It is an engine observer; subscribers get plain objects and decide what their caller may see.
import type { Clock, Timer } from '../time/clock.js';
import type { EngineObserver } from '../engine/deps.js';
import type { AttemptRecord, JobRecord } from '../engine/job.js';
import type { HealthRow } from '../routing/health.js';
import { routeClassOf } from '../routing/router.js';

import type { DeploymentRow, HistoryPoint, FeedMessage, LiveFeed, LiveFeedOptions } from './live-feed-types.js';

export type { DeploymentRow, HistoryPoint, FeedMessage, LiveFeed, LiveFeedOptions } from './live-feed-types.js';

const TTFB_SAMPLES = 50;

export function createLiveFeed(deps: {
  clock: Clock;
  health(): HealthRow[];
  queueDepth(model: string): number;
  deployments: ReadonlyMap<string, { provider: string; region?: string | null; models: readonly string[] }>;
}, options: LiveFeedOptions): LiveFeed {
  const { clock } = deps;
  const listeners = new Set<(message: FeedMessage) => void>();
  const ttfb = new Map<string, number[]>();
  const billedLost = new Map<string, number>();
  const started = new Set<string>();
  const samples: HistoryPoint[] = [];
  const keyOf = (deployment: string, sizeClass: string): string => `${deployment}\u0000${sizeClass}`;
  const attemptKey = (job: JobRecord, attempt: AttemptRecord): string => `${job.id}#${attempt.attempt}`;

  const table = (): DeploymentRow[] => deps.health().map((row) => {
    const info = deps.deployments.get(row.deployment);
    const key = keyOf(row.deployment, row.size_class);
    const times = [...(ttfb.get(key) ?? [])].sort((a, b) => a - b);
    return {
      ...row,
      region: info?.region ?? null,
      provider: info?.provider ?? 'unknown',
      queue_depth: (info?.models ?? []).reduce((sum, model) => sum + deps.queueDepth(model), 0),
      ttfb_p50_ms: times.length > 0 ? times[Math.floor((times.length - 1) / 2)] : null,
      billed_lost: billedLost.get(key) ?? 0,
    };
  });

  const publish = (message: FeedMessage): void => {
    for (const listener of listeners) listener(message);
  };

  let pending: Timer | undefined;
  const pushSoon = (): void => {
    if (pending || listeners.size === 0) return;
    pending = clock.setTimer(Math.min(250, options.pushIntervalMs), () => {
      pending = undefined;
      publish({ type: 'deployments', rows: table() });
    });
  };

  let pushTimer: Timer | undefined;
  const schedulePush = (): void => {
    pushTimer = clock.setTimer(options.pushIntervalMs, () => {
      if (listeners.size > 0) publish({ type: 'deployments', rows: table() });
      schedulePush();
    });
  };
  let sampleTimer: Timer | undefined;
  const scheduleSample = (): void => {
    sampleTimer = clock.setTimer(options.sampleIntervalMs, () => {
      const at = clock.now();
      for (const row of deps.health()) {
        if (row.requests === 0) continue;
        samples.push({ at, deployment: row.deployment, size_class: row.size_class, success_rate: row.success_rate, p50_ms: row.p50_ms, p95_ms: row.p95_ms });
      }
      const rowsPerSample = Math.max(1, deps.health().length);
      if (samples.length > options.maxSamples * rowsPerSample) samples.splice(0, samples.length - options.maxSamples * rowsPerSample);
      scheduleSample();
    });
  };
  const observer: EngineObserver = {
    firstEvent(job, attempt, elapsedMs) {
      started.add(attemptKey(job, attempt));
      const key = keyOf(attempt.deploymentId, routeClassOf(job.request.fields).sizeClass);
      const list = ttfb.get(key) ?? [];
      list.push(elapsedMs);
      if (list.length > TTFB_SAMPLES) list.shift();
      ttfb.set(key, list);
    },
    attemptEnded(job, attempt) {
      const id = attemptKey(job, attempt);
      if (started.delete(id) && attempt.outcome !== 'succeeded' && attempt.outcome !== 'cancelled') {
        const key = keyOf(attempt.deploymentId, routeClassOf(job.request.fields).sizeClass);
        billedLost.set(key, (billedLost.get(key) ?? 0) + 1);
      }
      pushSoon();
    },
    // The stored record changed (status or attempts): every event but partial images.
    eventAppended(job, body) {
      if (body.type !== 'image.partial' && listeners.size > 0) publish({ type: 'job', job: structuredClone(job), event: body.type });
    },
  };

  return {
    observer,
    table,
    history: () => [...samples],
    subscribe(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
    start() {
      if (pushTimer) return;
      schedulePush();
      scheduleSample();
    },
    close() {
      pushTimer?.cancel();
      sampleTimer?.cancel();
      pending?.cancel();
      publish({ type: 'closing' });
      listeners.clear();
    },
  };
}
