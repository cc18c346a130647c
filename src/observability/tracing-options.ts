// Resolves telemetry.traces from the config and the standard OTEL_* variables (the config wins).
// Pure: the CLI hands in the environment, so only cli/ and main.ts read process.env.
import type { TracingOptions } from './tracing.js';

/** The shape of `telemetry.traces` in the validated config (header values are Secrets). */
export interface TracesConfig {
  readonly exporter: 'none' | 'otlp';
  readonly endpoint: string | null;
  readonly headers: Readonly<Record<string, { reveal(): string }>>;
  readonly sample_ratio: number | null;
}
type Env = Readonly<Record<string, string | undefined>>;

/** `k1=v1,k2=v2` as the OTLP exporter spec writes headers, values URL-decoded. */
export function parseOtelHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').map((p) => p.trim())) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim().toLowerCase();
    const raw = pair.slice(at + 1).trim();
    try {
      headers[name] = decodeURIComponent(raw);
    } catch {
      headers[name] = raw;
    }
  }
  return headers;
}

function sampleRatioFrom(env: Env): number | undefined {
  const sampler = env.OTEL_TRACES_SAMPLER;
  if (sampler === 'always_off' || sampler === 'parentbased_always_off') return 0;
  if (sampler !== 'traceidratio' && sampler !== 'parentbased_traceidratio') return undefined;
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG);
  return Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : undefined;
}

function endpointFrom(env: Env): string {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return 'http://localhost:4318/v1/traces';
}

/** The tracing options, or undefined when traces are off (the default). */
export function resolveTracingOptions(traces: TracesConfig, env: Env, version?: string): TracingOptions | undefined {
  const on = traces.exporter === 'otlp' || (traces.exporter === 'none' && env.OTEL_TRACES_EXPORTER === 'otlp' && env.OTEL_SDK_DISABLED !== 'true');
  if (!on) return undefined;
  const configured = Object.fromEntries(Object.entries(traces.headers).map(([name, value]) => [name.toLowerCase(), value.reveal()]));
  return {
    endpoint: traces.endpoint ?? endpointFrom(env),
    headers: { ...parseOtelHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS), ...configured },
    sampleRatio: traces.sample_ratio ?? sampleRatioFrom(env) ?? 1,
    serviceName: env.OTEL_SERVICE_NAME ?? 'holdfast',
    serviceVersion: version,
  };
}
