// The few recorders routing feeds (queue, budget, circuit, 429s); observability/metrics.ts's
// Metrics satisfies it, and routing stays free of prom-client.
import type { CircuitStatus } from './circuit.js';
import type { SizeClass } from './router.js';

export interface RoutingMetrics {
  queueDepth(model: string, depth: number): void;
  queueWait(model: string, seconds: number): void;
  rateLimitRemaining(deployment: string, remaining: number): void;
  circuitState(deployment: string, sizeClass: SizeClass, status: CircuitStatus): void;
  upstream429(deployment: string): void;
}
