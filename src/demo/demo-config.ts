// The demo's holdfast.yaml: the seed scenario's two simulated Azure regions behind model route
// `gpt-image-2`, no client key, SQLite in the data dir. Real-world units throughout (60 s idle,
// 15 s heartbeat): the demo runs holdfast on the same ScaledClock as the simulator.
import { stringify } from 'yaml';
import { parseConfig, type LoadedConfig } from '../config/load.js';

export interface DemoConfigOptions {
  simUrl: string;
  host: string;
  port: number;
  dataDir: string;
  logLevel: string;
}

/** The simulator accepts any non-empty key in the seed scenario; this one stands for yours. */
export const DEMO_UPSTREAM_KEY_ENV = 'HOLDFAST_DEMO_UPSTREAM_KEY';

/** The dashboard's admin key: from the environment when set, otherwise one made up for this run. */
export const DEMO_ADMIN_KEY_ENV = 'HOLDFAST_ADMIN_KEY';

/** The simulated regions: holdfast deployment id → simulator deployment (seed scenario). */
export const DEMO_REGIONS = [
  { id: 'sweden', deployment: 'gpt-image-2-1', region: 'swedencentral' },
  { id: 'westeurope', deployment: 'gpt-image-2-westeurope', region: 'westeurope' },
] as const;

export function demoConfigObject(options: DemoConfigOptions): Record<string, unknown> {
  const deployments = Object.fromEntries(DEMO_REGIONS.map((r) => [r.id, {
    provider: 'azure', base_url: options.simUrl, deployment: r.deployment, api_version: '2025-04-01-preview',
    api_key: `env:${DEMO_UPSTREAM_KEY_ENV}`, model: 'gpt-image-2', idle_timeout_ms: 60000, rpm: 10, region: r.region,
  }]));
  return {
    listen: { host: options.host, port: options.port },
    // The demo's curls and SDK lines send no client key; its admin key is for the dashboard only.
    auth: { keys: [], allow_anonymous: true },
    admin: { keys: [`env:${DEMO_ADMIN_KEY_ENV}`] },
    store: { kind: 'sqlite', path: `${options.dataDir}/holdfast.db` },
    blobs: { path: `${options.dataDir}/images` },
    log: { level: options.logLevel },
    streaming: { heartbeat_interval_ms: 15000 },
    retry: { max_attempts: 4, base_delay_ms: 1000, max_delay_ms: 30000 },
    models: { 'gpt-image-2': { deployments: DEMO_REGIONS.map((r) => r.id) } },
    deployments,
  };
}

/** The YAML text, validated by the same parseConfig as `holdfast serve` (nothing bypasses the schema). */
export function demoConfigYaml(options: DemoConfigOptions): string {
  return `# holdfast demo configuration (generated)\n${stringify(demoConfigObject(options))}`;
}

export function loadDemoConfig(options: DemoConfigOptions, adminKey: string): LoadedConfig {
  return parseConfig(demoConfigYaml(options), { [DEMO_UPSTREAM_KEY_ENV]: 'sim-key', [DEMO_ADMIN_KEY_ENV]: adminKey }, 'holdfast demo config');
}
