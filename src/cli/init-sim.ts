// `holdfast init --sim [url] --time-scale F`: a config for `holdfast sim` (seed scenario) in one
// step: its two simulated Azure regions behind gpt-image-2, timeouts in real-world units and
// simulation.time_scale F, so `holdfast serve` and `holdfast probe` read it alike.
import { stringify } from 'yaml';
import { demoConfigObject, DEMO_REGIONS } from '../demo/demo-config.js';

export const DEFAULT_SIM_URL = 'http://127.0.0.1:9100';
/** The seed scenario accepts any non-empty key; this one is not a secret. */
export const SIM_UPSTREAM_KEY = 'simulator-accepts-any-key';

export function renderSimConfig(options: { simUrl: string; timeScale: number }): string {
  // The demo's dashboard admin key comes from its own environment; a config for `serve` starts without one.
  const { admin: _admin, ...base } = demoConfigObject({ simUrl: options.simUrl, host: '127.0.0.1', port: 8080, dataDir: './holdfast-sim-data', logLevel: 'info' });
  const deployments = Object.fromEntries(Object.entries(base.deployments as Record<string, Record<string, unknown>>)
    .map(([id, d]) => [id, { ...d, api_key: SIM_UPSTREAM_KEY }]));
  const config = { ...base, auth: { keys: [] }, deployments, simulation: { time_scale: options.timeScale } };
  return [
    '# holdfast configuration for the upstream simulator, written by `holdfast init --sim`.',
    `# Start the simulator:  holdfast sim --time-scale ${options.timeScale}      (it listens on ${options.simUrl})`,
    '# Then:                holdfast serve --config THIS_FILE   and   holdfast probe --config THIS_FILE',
    `# Timeouts are in real-world units (60 s idle, like Azure API Management); simulation.time_scale ${options.timeScale}`,
    '# makes holdfast run on the simulator\'s clock. The api_key is not a secret: the simulator accepts any key.',
    `# Deployments: ${DEMO_REGIONS.map((r) => `${r.id} -> ${r.deployment} (${r.region})`).join(', ')}.`,
    stringify(config),
  ].join('\n');
}
