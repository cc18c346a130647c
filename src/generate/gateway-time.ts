// The gateway's clock as seen from the client: events carry the gateway's `at` (epoch ms), which is
// the wall clock in production but runs faster under `holdfast demo --time-scale`. Health-table
// durations are in gateway ms; this turns them into local ms, or says it cannot yet. Pure.

export interface GatewayTime {
  /** Records that the gateway's clock read `gatewayAt` when the local clock read `localAt`. */
  observe(gatewayAt: number, localAt: number): void;
  /** Gateway ms per local ms; undefined while unknown. */
  rate(): number | undefined;
  /** `gatewayMs` (a duration on the gateway's clock) in local ms; undefined while the rate is unknown. */
  toLocalMs(gatewayMs: number): number | undefined;
}

/** After this much local time between two readings, their ratio is the rate. */
const MIN_SPAN_MS = 2000;
/** Clocks this close count as the same wall clock before a rate can be measured. */
const SAME_CLOCK_MS = 5000;

export function createGatewayTime(): GatewayTime {
  let first: { gateway: number; local: number } | undefined;
  let latest: { gateway: number; local: number } | undefined;
  const rate = (): number | undefined => {
    if (!first || !latest) return undefined;
    const span = latest.local - first.local;
    if (span >= MIN_SPAN_MS) {
      const measured = (latest.gateway - first.gateway) / span;
      // Within jitter of real time: it is real time.
      return Math.abs(measured - 1) < 0.2 ? 1 : measured > 0 ? measured : undefined;
    }
    return Math.abs(latest.gateway - latest.local) < SAME_CLOCK_MS ? 1 : undefined;
  };
  return {
    observe(gatewayAt, localAt) {
      if (!Number.isFinite(gatewayAt) || gatewayAt <= 0) return;
      const reading = { gateway: gatewayAt, local: localAt };
      first ??= reading;
      latest = reading;
    },
    rate,
    toLocalMs(gatewayMs) {
      const r = rate();
      return r === undefined ? undefined : gatewayMs / r;
    },
  };
}
