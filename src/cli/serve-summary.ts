// What `holdfast serve` tells a person at start-up: where it listens, where jobs are kept, which
// models go to which deployments, where the health table, metrics and dashboard are. Pure text.
import type { HoldfastConfig } from '../config/schema.js';

export interface SummaryInput {
  version: string;
  url: string;
  config: HoldfastConfig;
  configPath: string;
  /** simulation.time_scale (1: real time). */
  timeScale: number;
  /** Does the server answer GET on this path (the dashboard lives on another branch for now). */
  hasRoute(path: string): boolean;
}

export function renderServeSummary(input: SummaryInput): string {
  const { config, url } = input;
  const store = config.store.kind === 'sqlite' ? `sqlite ${config.store.path} (jobs survive restarts)` : 'memory (jobs are lost on restart)';
  const lines = [
    `holdfast ${input.version} listening on ${url}   (config ${input.configPath})`,
    `  store:  ${store}; images in ${config.blobs.path}`,
    `  auth:   ${config.auth.keys.length === 0 ? 'no client key required (auth.keys is empty)' : `${config.auth.keys.length} client key(s)`}`,
  ];
  for (const [name, model] of Object.entries(config.models)) {
    const targets = model.deployments.map((id) => {
      const d = config.deployments[id];
      return d ? `${id} (${d.provider}${d.region ? `, ${d.region}` : ''})` : id;
    });
    lines.push(`  model ${name} -> ${targets.join(', ')}`);
  }
  lines.push(`  images: POST ${url}/v1/images/generations   jobs: ${url}/v1/images/jobs/{id}`);
  lines.push(`  health: ${url}/v1/holdfast/deployments${config.metrics.enabled ? `   metrics: ${url}/metrics` : '   (metrics disabled)'}`);
  const dashboard = ['/dashboard', '/dashboard/'].find((p) => input.hasRoute(p));
  if (dashboard) lines.push(`  dashboard: ${url}${dashboard}${config.admin.keys.length === 0 ? ' (sign-in off: admin.keys is empty)' : ''}`);
  if (input.timeScale !== 1) lines.push(`  clock:  simulated, time scale ${input.timeScale} (simulation.time_scale: for holdfast sim only)`);
  lines.push('  Ctrl-C stops taking requests and lets jobs in flight finish (--grace-ms); unfinished jobs resume at the next start.');
  return `${lines.join('\n')}\n`;
}

/** The one line for a port that is taken, with what to do about it. */
export function busyPortMessage(host: string, port: number): string {
  return `holdfast serve: cannot listen on ${host}:${port}: the address is already in use (another holdfast, or another program). `
    + `Stop it, or choose another port with --port N (or listen.port in the config).\n`;
}
