// Rules that span keys (azure needs `deployment`, models name existing deployments, rpm xor
// rate_limit, delays in order). They read the defaulted data defensively, so they run even when
// other keys are invalid and every error is reported in one pass.
import type { ConfigIssue } from './config-error.js';
import { isPlainObject, joinPath } from './key-path.js';
import { checkStores } from './store-checks.js';
import { closestKey } from './closest-key.js';

export interface CrossCheckResult {
  issues: ConfigIssue[];
  warnings: ConfigIssue[];
}

type Report = (path: string, message: string) => void;

function entriesOf(value: unknown): [string, Record<string, unknown>][] {
  if (!isPlainObject(value)) return [];
  return Object.entries(value).filter((e): e is [string, Record<string, unknown>] => isPlainObject(e[1]));
}

/** Hosts that only stand for a real one: the example config's `example-…` resources, example.com and friends. */
export function isPlaceholderHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return /^example-/.test(host) || /(^|\.)example\.(com|org|net)$/.test(host) || /your-?resource/.test(host);
}

function checkBaseUrl(path: string, d: Record<string, unknown>, error: Report, warn: Report): void {
  if (typeof d.base_url !== 'string' || !/^https?:\/\//.test(d.base_url)) return;
  if (!URL.canParse(d.base_url)) return error(joinPath(path, 'base_url'), 'must be an http(s) URL');
  const url = new URL(d.base_url);
  // URLs end up in logs and error messages; credentials belong in api_key or headers.
  if (url.username !== '' || url.password !== '') error(joinPath(path, 'base_url'), 'must not contain credentials; use api_key or headers');
  if (isPlaceholderHost(url.hostname)) {
    warn(joinPath(path, 'base_url'), `${url.hostname} is a placeholder (the example that holdfast init writes): put your resource's endpoint here (Azure portal: Keys and Endpoint)`);
  }
  if (d.provider === 'openai' && !/\/v1\/?$/.test(url.pathname)) {
    warn(joinPath(path, 'base_url'), 'an OpenAI base URL is normally the API root ending in /v1 (https://api.openai.com/v1)');
  }
}

function checkDeployment(path: string, d: Record<string, unknown>, error: Report, warn: Report): void {
  if (d.provider === 'azure' && d.deployment === undefined) error(joinPath(path, 'deployment'), 'is required for provider azure');
  if (d.provider === 'openai' && d.deployment !== undefined) warn(joinPath(path, 'deployment'), 'is ignored for provider openai');
  if (d.provider === 'openai' && d.api_version !== null && d.api_version !== undefined) {
    warn(joinPath(path, 'api_version'), 'is ignored for provider openai');
  }
  if (d.rpm !== undefined && d.rate_limit !== undefined) error(joinPath(path, 'rpm'), 'set either rpm or rate_limit, not both');
  checkBaseUrl(path, d, error, warn);
}

/** Reports bad references and returns the names of the deployments some model uses. */
function checkModels(root: Record<string, unknown>, error: Report): Set<string> {
  const known = isPlainObject(root.deployments) ? new Set(Object.keys(root.deployments)) : undefined;
  const used = new Set<string>();
  for (const [name, model] of entriesOf(root.models)) {
    if (!Array.isArray(model.deployments)) continue;
    const listPath = joinPath(joinPath('models', name), 'deployments');
    const listed = new Set<string>();
    model.deployments.forEach((ref: unknown, i) => {
      if (typeof ref !== 'string') return;
      if (listed.has(ref)) error(joinPath(listPath, i), `lists deployment '${ref}' twice`);
      else if (known !== undefined && !known.has(ref)) {
        const near = closestKey(ref, [...known]);
        error(joinPath(listPath, i), `unknown deployment '${ref}'${near ? ` (did you mean '${near}'?)` : ''}`);
      }
      listed.add(ref);
      used.add(ref);
    });
  }
  return used;
}

function checkDelayOrder(root: Record<string, unknown>, section: string, error: Report): void {
  const s = root[section];
  if (!isPlainObject(s) || typeof s.base_delay_ms !== 'number' || typeof s.max_delay_ms !== 'number') return;
  if (s.base_delay_ms > s.max_delay_ms) {
    error(`${section}.base_delay_ms`, `must not exceed ${section}.max_delay_ms (${s.max_delay_ms})`);
  }
}

function checkDeadlines(root: Record<string, unknown>, error: Report): void {
  const jobs = root.jobs;
  if (!isPlainObject(jobs) || typeof jobs.default_deadline_ms !== 'number' || typeof jobs.max_deadline_ms !== 'number') return;
  if (jobs.default_deadline_ms > jobs.max_deadline_ms) {
    error('jobs.default_deadline_ms', `must not exceed jobs.max_deadline_ms (${jobs.max_deadline_ms})`);
  }
}

function checkAuth(root: Record<string, unknown>, warn: Report): void {
  const auth = root.auth;
  if (isPlainObject(auth) && Array.isArray(auth.keys) && auth.keys.length === 0) {
    warn('auth.keys', 'is empty: clients are not authenticated, anyone who can reach the gateway can use it');
  }
}

// A client key is never an admin key: the same literal or env:NAME in both lists is refused.
function checkAdminKeys(root: Record<string, unknown>, error: Report): void {
  const auth = root.auth;
  const admin = root.admin;
  if (!isPlainObject(auth) || !isPlainObject(admin) || !Array.isArray(auth.keys) || !Array.isArray(admin.keys)) return;
  const client = new Set(auth.keys.filter((k): k is string => typeof k === 'string'));
  admin.keys.forEach((k, i) => {
    if (typeof k === 'string' && client.has(k)) error(`admin.keys[${i}]`, 'must not also be a client key (auth.keys)');
  });
}

export function crossCheck(root: unknown): CrossCheckResult {
  const result: CrossCheckResult = { issues: [], warnings: [] };
  if (!isPlainObject(root)) return result;
  const error: Report = (path, message) => { result.issues.push({ path, message }); };
  const warn: Report = (path, message) => { result.warnings.push({ path, message }); };
  for (const [name, d] of entriesOf(root.deployments)) checkDeployment(joinPath('deployments', name), d, error, warn);
  const used = checkModels(root, error);
  for (const [name] of entriesOf(root.deployments)) {
    if (!used.has(name)) warn(joinPath('deployments', name), 'is not used by any model');
  }
  checkDelayOrder(root, 'retry', error);
  checkDelayOrder(root, 'webhooks', error);
  checkDeadlines(root, error);
  checkAuth(root, warn);
  checkAdminKeys(root, error);
  checkStores(root, error, warn);
  const scale = isPlainObject(root.simulation) ? root.simulation.time_scale : undefined;
  if (typeof scale === 'number' && scale !== 1) {
    warn('simulation.time_scale', `is ${scale}: holdfast runs on simulated time (a pairing with holdfast sim --time-scale ${scale}); never in production`);
  }
  return result;
}
