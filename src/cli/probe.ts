// `holdfast probe --config holdfast.yaml --size 2048x2048 --quality high --count N [--json]`: sends N
// bounded requests to each deployment through holdfast's own upstream adapters and prints the
// comparison table. Exit codes (docs/cli.md): 0 every deployment answered at least one request
// with an image, 1 some deployment failed every request (or the probe could not run), 2 bad options
// or config. On a cluster (store.kind redis) each request waits for the cluster's budget of its
// deployment, and the report adds the shared table the replicas serve (cluster/probe-access.ts).
import type { Command } from 'commander';
import { ConfigError, loadConfigFile, rateLimitOf } from '../config/load.js';
import type { HoldfastConfig } from '../config/schema.js';
import { buildAdapters } from '../upstream/build-adapters.js';
import { adapterOptionsOf, optionsFromConfig } from '../app-options.js';
import { openProbeCluster, type ProbeCluster } from '../cluster/probe-access.js';
import { sizeClassOf } from '../routing/router.js';
import { systemRandom } from '../time/random.js';
import { createUpstreamDispatcher } from '../upstream/http-client.js';
import { runProbe, type ProbeOptions, type ProbeTarget } from '../probe/probe.js';
import { formatProbeTable } from '../probe/probe-table.js';
import { SystemClock, type Clock } from '../time/clock.js';
import { ScaledClock } from '../time/scaled-clock.js';

interface ProbeFlags {
  config: string;
  size: string;
  quality: string;
  count: string;
  concurrency: string;
  timeoutMs: string;
  deployment?: string[];
  prompt: string;
  outputFormat?: string;
  json?: boolean;
  timeScale?: string;
}

export const PROBE_EXIT = { ok: 0, deploymentFailed: 1, usage: 2 } as const;

export function registerProbeCommand(program: Command): void {
  program
    .command('probe')
    .description('send N bounded requests straight to each deployment and compare them (success rate, p50/p95, errors)')
    .option('-c, --config <file>', 'configuration file', 'holdfast.yaml')
    .option('--size <WxH>', 'image size', '1024x1024')
    .option('--quality <q>', 'low | medium | high | auto', 'low')
    .option('-n, --count <n>', 'requests per deployment (1-100)', '3')
    .option('--concurrency <n>', 'requests in flight per deployment (1-10)', '2')
    .option('--timeout-ms <ms>', 'longest one request may take, waiting for rate-limit budget included', '600000')
    .option('-d, --deployment <name...>', 'probe only these deployments (default: all)')
    .option('--prompt <text>', 'prompt to send', 'A lighthouse on a rocky coast at dusk, probe image')
    .option('--output-format <fmt>', 'png | jpeg | webp (default: the upstream default)')
    .option('--json', 'print the report as JSON')
    .option('--time-scale <factor>', 'real ms per clock ms, to match `holdfast sim --time-scale` (times are then simulated); default: simulation.time_scale of the config')
    .action(async (flags: ProbeFlags) => {
      process.exitCode = await probeCommand(flags);
    });
}

function integerFlag(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`--${name}: must be an integer from ${min} to ${max}, got '${text}'`);
  return n;
}

function parseFlags(flags: ProbeFlags): { options: ProbeOptions; timeScale?: number } {
  if (!/^\d{2,5}x\d{2,5}$/.test(flags.size)) throw new RangeError(`--size: must look like 1024x1024, got '${flags.size}'`);
  if (!['low', 'medium', 'high', 'auto'].includes(flags.quality)) throw new RangeError(`--quality: must be low, medium, high or auto, got '${flags.quality}'`);
  const timeScale = flags.timeScale === undefined ? undefined : Number(flags.timeScale);
  if (timeScale !== undefined && !(timeScale > 0)) throw new RangeError(`--time-scale: must be > 0, got '${flags.timeScale}'`);
  return {
    timeScale,
    options: {
      size: flags.size, quality: flags.quality, prompt: flags.prompt, outputFormat: flags.outputFormat,
      count: integerFlag(flags.count, 'count', 1, 100),
      concurrency: integerFlag(flags.concurrency, 'concurrency', 1, 10),
      timeoutMs: integerFlag(flags.timeoutMs, 'timeout-ms', 1, 3_600_000),
    },
  };
}

function targetsOf(config: HoldfastConfig, adapters: ReturnType<typeof buildAdapters>, only?: string[]): ProbeTarget[] {
  const ids = only ?? Object.keys(config.deployments);
  const unknown = ids.filter((id) => !(id in config.deployments));
  if (unknown.length > 0) throw new RangeError(`--deployment: no deployment named ${unknown.map((u) => `'${u}'`).join(', ')}`);
  return ids.map((id) => {
    const d = config.deployments[id];
    const adapter = adapters.get(id);
    if (!adapter) throw new Error(`no adapter for deployment ${id}`);
    return {
      id, provider: d.provider, region: d.region, model: d.model, adapter, rateLimit: rateLimitOf(d),
      timing: { upstreamMode: d.upstream_mode, idleTimeoutMs: d.idle_timeout_ms ?? undefined, responseTimeoutMs: d.response_timeout_ms ?? undefined },
    };
  });
}

async function probeCommand(flags: ProbeFlags): Promise<number> {
  let parsed: ReturnType<typeof parseFlags>;
  let config: HoldfastConfig;
  try {
    parsed = parseFlags(flags);
    config = loadConfigFile(flags.config, process.env).config;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof RangeError) {
      process.stderr.write(`${error.message}\n`);
      return PROBE_EXIT.usage;
    }
    throw error;
  }
  // The same reading of the config as `holdfast serve`: its simulation.time_scale, unless overridden.
  const timeScale = parsed.timeScale ?? config.simulation.time_scale;
  const clock: Clock = timeScale === 1 ? new SystemClock() : new ScaledClock(timeScale);
  const dispatcher = createUpstreamDispatcher();
  const stop = new AbortController();
  const onSignal = (): void => stop.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  let cluster: ProbeCluster | undefined;
  try {
    cluster = await openCluster(config, clock);
    const targets = targetsOf(config, buildAdapters({ clock, dispatcher }, adapterOptionsOf(config)), flags.deployment)
      .map((target) => (cluster ? { ...target, shared: cluster.gate(target.id) } : target));
    if (!flags.json) {
      process.stderr.write(`probing ${targets.length} deployment(s): ${parsed.options.count} x ${parsed.options.size} ${parsed.options.quality} each${cluster ? ', within the cluster\'s budgets' : ''}\n`);
    }
    const report = await runProbe({ clock }, targets, parsed.options, stop.signal);
    if (cluster) {
      const shared = await cluster.table(sizeClassOf(parsed.options.size));
      for (const row of report.deployments) row.cluster = shared.get(row.deployment);
    }
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatProbeTable(report));
    const dead = report.deployments.filter((row) => row.requests > 0 && row.successes === 0);
    if (dead.length > 0) {
      process.stderr.write(`probe: ${dead.map((r) => r.deployment).join(', ')} failed every request (exit ${PROBE_EXIT.deploymentFailed})\n`);
      return PROBE_EXIT.deploymentFailed;
    }
    return PROBE_EXIT.ok;
  } catch (error) {
    process.stderr.write(`probe failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof RangeError ? 2 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    await cluster?.close();
    await dispatcher.close();
  }
}

/** The replicas' shared budgets and table, when the config is a cluster's. */
async function openCluster(config: HoldfastConfig, clock: Clock): Promise<ProbeCluster | undefined> {
  const options = optionsFromConfig(config);
  if (!options.cluster) return undefined;
  return openProbeCluster({ clock, random: systemRandom }, {
    url: options.cluster.url, prefix: config.store.prefix, leaseMs: options.cluster.leaseMs, limits: options.cluster.limits, router: options.router,
  });
}
