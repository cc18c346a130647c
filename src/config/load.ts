// Loads holdfast.yaml: YAML -> env:NAME -> defaults -> validation (every error, with its path) ->
// cross-field rules -> Secrets -> deep freeze. Components never see the file; app.ts maps this
// config to each component's own options.
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { crossCheck } from './cross-checks.js';
import { applyDefaults } from './defaults.js';
import { resolveEnvRefs, type Env } from './env-refs.js';
import { deepFreeze, wrapSecrets } from './finalize.js';
import { isPlainObject, sortByDocumentOrder } from './key-path.js';
import { ConfigSchema, type DeploymentConfig, type HoldfastConfig } from './schema.js';
import { schemaIssues } from './schema-errors.js';
import { parseYamlText } from './yaml-source.js';

export { ConfigError, formatIssue, type ConfigIssue } from './config-error.js';
export type { Env } from './env-refs.js';
export { toResolvedView, type ResolvedView } from './resolved-view.js';

export interface LoadedConfig {
  readonly config: HoldfastConfig;
  /** Accepted but doubtful settings (literal keys, no client auth, unused deployments). */
  readonly warnings: readonly ConfigIssue[];
}

export function parseConfig(text: string, env: Env, sourceName = 'holdfast.yaml'): LoadedConfig {
  const yaml = parseYamlText(text, sourceName);
  if (!yaml.ok) throw new ConfigError(sourceName, yaml.issues);
  const raw = yaml.value ?? {};
  if (!isPlainObject(raw)) {
    throw new ConfigError(sourceName, [{ path: '(root)', message: 'must be a mapping of sections (listen, models, deployments, …)' }]);
  }
  const resolved = resolveEnvRefs(raw, env, ConfigSchema);
  const data = applyDefaults(ConfigSchema, resolved.value);
  const issues = [...resolved.issues];
  issues.push(...schemaIssues(ConfigSchema, data, new Set(issues.map((i) => i.path))));
  const cross = crossCheck(data);
  const reported = new Set(issues.map((i) => i.path));
  issues.push(...cross.issues.filter((i) => !reported.has(i.path)));
  if (issues.length > 0 || !Value.Check(ConfigSchema, data)) {
    throw new ConfigError(sourceName, sortByDocumentOrder(issues, resolved.value));
  }
  const wrapped = wrapSecrets(ConfigSchema, data, resolved.sources);
  // The schema's Static type already says Secret where wrapSecrets has just put one.
  const config = deepFreeze(wrapped.value) as HoldfastConfig;
  return { config, warnings: sortByDocumentOrder([...wrapped.warnings, ...cross.warnings], resolved.value) };
}

export function loadConfigFile(path: string, env: Env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? 'unknown error'})`;
    throw new ConfigError(path, [{ path, message: reason }]);
  }
  return parseConfig(text, env, path);
}

export interface RateLimit {
  readonly requests: number;
  readonly windowMs: number;
}

/** The deployment's request quota from `rate_limit` or the `rpm` shorthand; undefined when it has none. */
export function rateLimitOf(deployment: DeploymentConfig): RateLimit | undefined {
  if (deployment.rate_limit !== undefined) {
    return { requests: deployment.rate_limit.requests, windowMs: deployment.rate_limit.window_ms };
  }
  if (deployment.rpm !== undefined) return { requests: deployment.rpm, windowMs: 60000 };
  return undefined;
}
