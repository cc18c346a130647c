// docs/metrics.md, the metrics registry, /metrics of a running gateway, the Grafana dashboard and the
// Prometheus alert rules name the same metrics; promtool accepts and unit-tests the rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { createMetrics } from '../src/observability/metrics.js';
import { seedConfig, seedEnv, startStack } from './helpers/stack.js';

const root = new URL('../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

interface DocRow { name: string; type: string; labels: string[] }

function docRows(): DocRow[] {
  const rows = [...read('docs/metrics.md').matchAll(/^\| `(holdfast_[a-z0-9_]+)` \| (\w+) \|([^|]*)\|/gm)];
  return rows.map((m) => ({ name: m[1]!, type: m[2]!, labels: m[3]!.split(',').map((l) => l.trim()).filter(Boolean) }));
}

async function registryRows(): Promise<DocRow[]> {
  const { registry } = createMetrics();
  const json = await registry.getMetricsAsJSON();
  return registry.getMetricsAsArray().map((metric) => {
    const { labelNames } = metric as unknown as { labelNames: string[] };
    const type = json.find((j) => j.name === metric.name)?.type ?? 'unknown';
    return { name: metric.name, type: String(type), labels: [...labelNames] };
  });
}

/** Every holdfast_* name in a PromQL text, with histogram series suffixes folded to the family. */
function metricNames(promql: string): string[] {
  return [...promql.matchAll(/\bholdfast_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
}

function dashboardExprs(): string[] {
  const dashboard = JSON.parse(read('docs/grafana/holdfast.json')) as { panels: { targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

function alertExprs(): string[] {
  const rules = parseYaml(read('docs/prometheus/alerts.yml')) as { groups: { rules: { expr: string }[] }[] };
  return rules.groups.flatMap((g) => g.rules.map((r) => r.expr));
}

test('docs/metrics.md has one row per registered metric, with its type and labels', async () => {
  const byName = (a: DocRow, b: DocRow) => a.name.localeCompare(b.name);
  assert.deepEqual(docRows().sort(byName), (await registryRows()).sort(byName));
});

test('every metric the Grafana dashboard and the alert rules name is served on /metrics', async (t) => {
  const { url } = await startStack(t, { config: seedConfig(), env: seedEnv });
  const text = await (await fetch(`${url}/metrics`)).text();
  const served = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
  const named = new Set([...dashboardExprs(), ...alertExprs()].flatMap(metricNames));
  assert.ok(named.size >= 8, `the dashboard and rules use the metrics (${named.size} named)`);
  for (const name of named) assert.ok(served.has(name), `${name} is named by a dashboard or rule but not served`);
  // A renamed metric must not slip through as a prefix match: the check above is exact.
  assert.ok(!served.has('holdfast_attempts'), 'families are matched by their exact names');
});

test('the dashboard has the deployments × size class table and a panel per concern', () => {
  const dashboard = JSON.parse(read('docs/grafana/holdfast.json')) as { panels: { title: string; type: string }[] };
  const titles = dashboard.panels.map((p) => p.title);
  assert.equal(dashboard.panels[0]?.type, 'table');
  assert.match(titles[0] ?? '', /Deployments × size class/);
  for (const concern of [/success rate/i, /latency/i, /queue depth/i, /budget/i, /circuit/i]) {
    assert.ok(titles.some((title) => concern.test(title)), `a panel for ${concern}`);
  }
});

test('promtool accepts the alert rules and their unit tests pass', () => {
  const dir = fileURLToPath(new URL('docs/prometheus/', root));
  const check = spawnSync('promtool', ['check', 'rules', 'alerts.yml'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  assert.ok(!check.error, `promtool runs (Debian package prometheus; .ci/run installs it): ${String(check.error)}`);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout + check.stderr, /SUCCESS: 5 rules found/);
  const unit = spawnSync('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  assert.equal(unit.status, 0, unit.stdout + unit.stderr);
});
