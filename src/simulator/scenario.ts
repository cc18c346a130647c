// Scenario files: YAML → validated, frozen Scenario. Every error is reported as `path: reason`.
// The built-in `seed` scenario lives in seed-scenario.ts and goes through the same parser.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { Checker, join } from './scenario-check.js';
import { SEED_SCENARIO_YAML } from './seed-scenario.js';
import type {
  ContentPolicy, DeploymentForm, DeploymentSpec, FaultProfile, FaultRates, Scenario, SizeClass,
} from './scenario-types.js';

export class ScenarioError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`invalid scenario ${source}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

const DEPLOYMENT_KEYS = [
  'name', 'form', 'model', 'region', 'region_name', 'key', 'latency_factor', 'idle_timeout_ms',
  'stream_idle_timeout_ms', 'response_timeout_ms', 'rate_limit', 'faults', 'content_policy',
] as const;
const FAULT_CLASSES: ReadonlyArray<SizeClass | 'all'> = ['small', 'medium', 'large', 'all'];
const FAULT_KEYS = ['stream_error', 'reset', 'http_500', 'http_503', 'edit_error', 'after_partial'] as const;

/** Loads `seed` (built-in) or a YAML file path. Throws ScenarioError listing every problem. */
export async function loadScenario(pathOrName: string): Promise<Scenario> {
  if (pathOrName === 'seed') return parseScenarioYaml(SEED_SCENARIO_YAML, 'seed');
  const text = await readFile(pathOrName, 'utf8');
  return parseScenarioYaml(text, pathOrName);
}

export function parseScenarioYaml(text: string, source: string): Scenario {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ScenarioError(source, [`(file): not valid YAML: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return parseScenario(value, source);
}

export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const check = new Checker();
  const root = check.record(value, '(root)');
  if (!root) throw new ScenarioError(source, check.errors);
  check.onlyKeys(root, '', ['name', 'content_policy', 'deployments']);
  const name = check.string(root, 'name', '', 'unnamed');
  const defaultPolicy = root.content_policy === undefined ? null : parseContentPolicy(check, root.content_policy, 'content_policy');
  const deployments: DeploymentSpec[] = [];
  if (!Array.isArray(root.deployments) || root.deployments.length === 0) {
    check.fail('deployments', 'must be a non-empty list');
  } else {
    root.deployments.forEach((item: unknown, i: number) => {
      const spec = parseDeployment(check, item, join('deployments', i), defaultPolicy);
      if (spec) deployments.push(spec);
    });
    const seen = new Set<string>();
    deployments.forEach((d, i) => {
      if (seen.has(d.name)) check.fail(join(join('deployments', i), 'name'), `duplicate deployment name '${d.name}'`);
      seen.add(d.name);
    });
  }
  if (check.errors.length > 0) throw new ScenarioError(source, check.errors);
  return deepFreeze({ name, deployments });
}

function parseDeployment(check: Checker, value: unknown, path: string, defaultPolicy: ContentPolicy | null): DeploymentSpec | undefined {
  const obj = check.record(value, path);
  if (!obj) return undefined;
  check.onlyKeys(obj, path, DEPLOYMENT_KEYS);
  const form: DeploymentForm = check.oneOf(obj, 'form', path, ['azure', 'openai'] as const);
  const azure = form === 'azure';
  const region = check.string(obj, 'region', path, azure ? 'eastus' : 'global');
  const idleTimeoutMs = check.optionalMs(obj, 'idle_timeout_ms', path, azure ? 60_000 : null);
  return {
    name: check.string(obj, 'name', path),
    form,
    model: check.string(obj, 'model', path),
    region,
    regionName: check.string(obj, 'region_name', path, region),
    key: check.optionalString(obj, 'key', path),
    latencyFactor: check.positiveNumber(obj, 'latency_factor', path, 1),
    idleTimeoutMs,
    streamIdleTimeoutMs: check.optionalMs(obj, 'stream_idle_timeout_ms', path, idleTimeoutMs),
    // APIM forward-request's default timeout is 300 s (wire-format §9.1).
    responseTimeoutMs: check.optionalMs(obj, 'response_timeout_ms', path, azure ? 300_000 : null),
    rateLimit: parseRateLimit(check, obj.rate_limit, join(path, 'rate_limit')),
    faults: obj.faults === undefined ? {} : parseFaultProfileWith(check, obj.faults, join(path, 'faults')),
    contentPolicy: obj.content_policy === undefined ? defaultPolicy
      : obj.content_policy === null ? null : parseContentPolicy(check, obj.content_policy, join(path, 'content_policy')),
  };
}

function parseRateLimit(check: Checker, value: unknown, path: string): DeploymentSpec['rateLimit'] {
  if (value === undefined || value === null) return null;
  const obj = check.record(value, path);
  if (!obj) return null;
  check.onlyKeys(obj, path, ['requests', 'window_ms']);
  return { requests: check.positiveInt(obj, 'requests', path), windowMs: check.positiveInt(obj, 'window_ms', path, 60_000) };
}

function parseContentPolicy(check: Checker, value: unknown, path: string): ContentPolicy | null {
  const obj = check.record(value, path);
  if (!obj) return null;
  check.onlyKeys(obj, path, ['pattern', 'flags']);
  let pattern = check.string(obj, 'pattern', path);
  let flags = obj.flags === undefined ? '' : check.string(obj, 'flags', path);
  // JS has no inline (?i); accept it as a convenience and move it to the flags.
  if (pattern.startsWith('(?i)')) {
    pattern = pattern.slice(4);
    if (!flags.includes('i')) flags += 'i';
  }
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    check.fail(join(path, 'pattern'), `not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { pattern, flags };
}

/** Validates a fault profile (scenario `faults` key or the runtime override body). */
export function parseFaultProfile(value: unknown, path = 'faults'): { profile: FaultProfile; errors: string[] } {
  const check = new Checker();
  const profile = parseFaultProfileWith(check, value, path);
  return { profile, errors: check.errors };
}

function parseFaultProfileWith(check: Checker, value: unknown, path: string): FaultProfile {
  const obj = check.record(value, path);
  const profile: FaultProfile = {};
  if (!obj) return profile;
  check.onlyKeys(obj, path, FAULT_CLASSES);
  for (const cls of FAULT_CLASSES) {
    if (obj[cls] !== undefined) profile[cls] = parseFaultRates(check, obj[cls], join(path, cls));
  }
  return profile;
}

function parseFaultRates(check: Checker, value: unknown, path: string): FaultRates {
  const obj = check.record(value, path) ?? {};
  check.onlyKeys(obj, path, FAULT_KEYS);
  const rates: FaultRates = {
    streamError: check.probability(obj, 'stream_error', path),
    reset: check.probability(obj, 'reset', path),
    http500: check.probability(obj, 'http_500', path),
    http503: check.probability(obj, 'http_503', path),
    editError: check.probability(obj, 'edit_error', path),
    afterPartial: check.nonNegativeInt(obj, 'after_partial', path, 0),
  };
  const sum = rates.streamError + rates.reset + rates.http500 + rates.http503 + rates.editError;
  if (sum > 1 + 1e-9) check.fail(path, `fault probabilities add up to ${sum}, more than 1`);
  return rates;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
