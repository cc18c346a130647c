// The commented holdfast.yaml that `holdfast init` writes. Generic sections are generated from the
// schema (so defaults and descriptions never drift); models and deployments are written out as the
// reference Azure setup: gpt-image-2 in swedencentral and westeurope, 10 requests per minute each.
import type { TSchema } from '@sinclair/typebox';
import { stringify } from 'yaml';
import { ConfigSchema } from './schema.js';

/** Environment variables the example refers to; all must be set for it to load. */
export const EXAMPLE_ENV_NAMES = ['HOLDFAST_KEY', 'AZURE_SWEDEN_KEY', 'AZURE_WE_KEY'] as const;

/** Values that differ from the default in the example, with the commented alternative. */
const OVERRIDES: Record<string, string[]> = {
  'auth.keys': ['keys: [env:HOLDFAST_KEY]'],
  'webhooks.secret': ['secret: null          # e.g. env:HOLDFAST_WEBHOOK_SECRET (whsec_…) to enable webhooks'],
};

function comment(text: string, indent: string): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && indent.length + line.length + word.length > 96) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => `${indent}# ${l}`);
}

function scalar(value: unknown): string {
  return stringify(value).trim();
}

function renderSection(name: string, schema: TSchema): string[] {
  const lines = [...comment(String(schema.description ?? ''), ''), `${name}:`];
  for (const [key, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
    lines.push(...comment(String(property.description ?? ''), '  '));
    const override = OVERRIDES[`${name}.${key}`];
    lines.push(...(override ?? [`${key}: ${scalar(property.default)}`]).map((l) => `  ${l}`));
  }
  return lines;
}

const PRICES = `# Token prices (USD per million tokens) per upstream model, over holdfast's shipped defaults
# (gpt-image-2, gpt-image-1.5, gpt-image-1, gpt-image-1-mini; sources in docs/keys-and-cost.md).
prices: {}
#  gpt-image-2: { text_input_per_1m: 5, image_input_per_1m: 8, image_output_per_1m: 30 }
`;

const MODELS = `# Client-facing model names. Clients send \`model: gpt-image-2\` (or call the Azure path
# /openai/deployments/gpt-image-2/...); holdfast picks one of the listed deployments per attempt.
models:
  gpt-image-2:
    deployments: [sweden, westeurope]   # add openai here after enabling it below
    queue:
      max_depth: 100        # requests waiting for quota before new ones get 429 queue_full
      max_wait_ms: 120000   # longest wait in that queue (milliseconds)
`;

interface AzureExample {
  name: string;
  region: string;
  host: string;
  deployment: string;
  keyEnv: string;
}

/** `code  # comment` with the comments aligned. */
function aligned(rows: readonly (readonly [string, string?])[]): string[] {
  return rows.map(([code, note]) => (note === undefined ? code : `${`${code} `.padEnd(38)}# ${note}`));
}

function azureDeployment(d: AzureExample): string {
  const rows = aligned([
    [`${d.name}:`],
    ['  provider: azure'],
    [`  region: ${d.region}`, 'a label for tables and metrics'],
    [`  base_url: https://${d.host}`, 'the resource endpoint, without /openai'],
    [`  deployment: ${d.deployment}`, 'the Azure deployment name'],
    ['  api_version: 2025-04-01-preview'],
    [`  api_key: env:${d.keyEnv}`, 'never write the key itself here'],
    ['  model: gpt-image-2', 'upstream model: decides which sizes and options are valid'],
    ['  rpm: 10', "the deployment's quota (requests per minute)"],
    ['  idle_timeout_ms: 60000', 'API Management answers 408 after 60 s without bytes'],
    ['  response_timeout_ms: 300000', "API Management's forward-request timeout"],
    ['  upstream_mode: auto', 'auto | stream | non_stream'],
    ['  concurrency: null', 'most requests in flight; null = no limit'],
    ['  weight: 1', 'routing prior before measurements take over'],
    ['  headers: {}', 'extra upstream headers; values may be env:NAME'],
  ]);
  return `${rows.map((l) => `  ${l}`).join('\n')}\n`;
}

const OPENAI_DEPLOYMENT_LINES = aligned([
  ['openai:'],
  ['  provider: openai'],
  ['  base_url: https://api.openai.com/v1', 'the API root, with /v1'],
  ['  api_key: env:OPENAI_API_KEY'],
  ['  model: gpt-image-2'],
  ['  idle_timeout_ms: null', 'no idle limit is known for api.openai.com'],
]);

export interface ExampleOptions {
  /** Writes the openai deployment uncommented (tests use this to check the commented block). */
  openaiEnabled?: boolean;
}

export function renderExampleConfig(options: ExampleOptions = {}): string {
  const generic = Object.entries(ConfigSchema.properties as Record<string, TSchema>)
    .filter(([name]) => name !== 'models' && name !== 'deployments' && name !== 'prices')
    .map(([name, schema]) => renderSection(name, schema).join('\n'));
  const openai = OPENAI_DEPLOYMENT_LINES.map((l) => (options.openaiEnabled === true ? `  ${l}` : `  # ${l}`)).join('\n');
  const deployments = [
    '# Upstream deployments. Every key is listed in docs/configuration.md.',
    'deployments:',
    azureDeployment({ name: 'sweden', region: 'swedencentral', host: 'example-resource.services.ai.azure.com', deployment: 'gpt-image-2-1', keyEnv: 'AZURE_SWEDEN_KEY' }),
    azureDeployment({ name: 'westeurope', region: 'westeurope', host: 'example-we.openai.azure.com', deployment: 'gpt-image-2', keyEnv: 'AZURE_WE_KEY' }),
    '  # An OpenAI deployment: uncomment, set OPENAI_API_KEY and add it to a model above.',
    openai,
  ].join('\n');
  const header = [
    '# holdfast configuration, written by `holdfast init`.',
    `# Set ${EXAMPLE_ENV_NAMES.join(', ')} in the environment, then: holdfast config check holdfast.yaml`,
    '# Every section below shows its defaults; delete what you do not change.',
  ].join('\n');
  return `${header}\n\n${generic.join('\n\n')}\n\n${PRICES}\n${MODELS}\n${deployments}\n`;
}
