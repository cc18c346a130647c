// One adapter per deployment, by provider.
import type { Dispatcher } from 'undici';
import type { Clock } from '../time/clock.js';
import type { UpstreamAdapter } from './adapter.js';
import { createAzureOpenAIAdapter, type AzureAdapterOptions } from './azure-openai.js';
import { createOpenAIAdapter, type OpenAIAdapterOptions } from './openai.js';

export type AdapterOptions = ({ provider: 'azure' } & AzureAdapterOptions) | ({ provider: 'openai' } & OpenAIAdapterOptions);

export function buildAdapters(deps: { clock: Clock; dispatcher: Dispatcher }, deployments: readonly AdapterOptions[]): Map<string, UpstreamAdapter> {
  return new Map(deployments.map((d) => [d.deploymentId, d.provider === 'azure' ? createAzureOpenAIAdapter(deps, d) : createOpenAIAdapter(deps, d)]));
}
