// The Deployments view: one row per deployment × size class, and success rate / p50 latency over
// time per row. Fed by the `deployments` events of GET /v1/holdfast/events.
import type { DeploymentRow, HistoryPoint } from './api.js';
import { clear, h, ms, percent } from './dom.js';

const CIRCUIT: Record<string, { icon: string; text: string }> = {
  closed: { icon: '●', text: 'closed' },
  half_open: { icon: '◐', text: 'half-open' },
  open: { icon: '✕', text: 'open' },
};
const COLUMNS = ['Deployment', 'Region', 'Size', 'Success', 'p50', 'p95', 'First byte', 'Errors', 'Circuit', 'Budget', 'Queue', 'Billed, lost'];
const MAX_POINTS = 360;
const SERIES_STYLES = ['', '6 3', '2 3', '10 3 2 3', '1 2'];

const history = new Map<string, HistoryPoint[]>();
const keyOf = (row: { deployment: string; size_class: string }): string => `${row.deployment} · ${row.size_class}`;

function errorsText(row: DeploymentRow): string {
  const parts = Object.entries(row.errors).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`);
  if (row.status_408 > 0) parts.push(`408 ${row.status_408}`);
  if (row.status_429 > 0) parts.push(`429 ${row.status_429}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function budgetText(row: DeploymentRow): string {
  const { remaining, limit } = row.budget;
  if (limit === null) return remaining === null ? 'no limit' : `${remaining} left`;
  return `${limit - (remaining ?? limit)} used, ${remaining ?? limit} left of ${limit}`;
}

function cell(label: string, ...content: Array<Node | string>): HTMLTableCellElement {
  return h('td', { role: 'cell', 'data-label': label }, ...content);
}

export function renderDeploymentsTable(tbody: HTMLElement, rows: DeploymentRow[]): void {
  // Size classes with traffic (or a circuit not closed); a deployment without any shows one row.
  const active = (r: DeploymentRow): boolean => r.requests > 0 || r.circuit !== 'closed';
  const shown = rows.filter((r, i) => active(r) || (!rows.some((o) => o.deployment === r.deployment && active(o)) && rows.findIndex((o) => o.deployment === r.deployment) === i));
  clear(tbody, ...shown.map((row) => {
    const circuit = CIRCUIT[row.circuit] ?? { icon: '?', text: row.circuit };
    return h('tr', { role: 'row', 'data-deployment': row.deployment, 'data-size-class': row.size_class },
      h('th', { scope: 'row', role: 'rowheader', 'data-label': 'Deployment' }, row.deployment),
      cell('Region', row.region ?? row.provider),
      cell('Size', active(row) ? row.size_class : 'any (no traffic yet)'),
      cell('Success', `${percent(row.success_rate)} (${row.successes}/${row.requests})`),
      cell('p50', ms(row.p50_ms)),
      cell('p95', ms(row.p95_ms)),
      cell('First byte', ms(row.ttfb_p50_ms)),
      cell('Errors', errorsText(row)),
      cell('Circuit', h('span', { class: `circuit circuit-${row.circuit}` }, h('span', { 'aria-hidden': 'true' }, circuit.icon), ` ${circuit.text}`)),
      cell('Budget', budgetText(row)),
      cell('Queue', String(row.queue_depth)),
      cell('Billed, lost', String(row.billed_lost)),
    );
  }));
}

export function deploymentsHeader(): HTMLTableSectionElement {
  return h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, ...COLUMNS.map((c) => h('th', { scope: 'col', role: 'columnheader' }, c))));
}

export function addHistory(points: HistoryPoint[]): void {
  for (const p of points) {
    const list = history.get(keyOf(p)) ?? [];
    list.push(p);
    if (list.length > MAX_POINTS) list.shift();
    history.set(keyOf(p), list);
  }
}

export function sampleRows(rows: DeploymentRow[], at: number): void {
  addHistory(rows.filter((r) => r.requests > 0).map((r) => ({ at, deployment: r.deployment, size_class: r.size_class, success_rate: r.success_rate, p50_ms: r.p50_ms, p95_ms: r.p95_ms })));
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** One line chart of `value` per series; dash patterns and labels, not only colour, tell series apart. */
function chart(title: string, value: (p: HistoryPoint) => number | null, format: (v: number) => string, fixedMax?: number): HTMLElement {
  const width = 560;
  const height = 160;
  const pad = { l: 48, r: 8, t: 8, b: 20 };
  const series = [...history.entries()].filter(([, pts]) => pts.some((p) => value(p) !== null));
  const all = series.flatMap(([, pts]) => pts);
  const figure = h('figure', { class: 'chart' }, h('figcaption', {}, title));
  if (all.length === 0) {
    figure.append(h('p', { class: 'muted' }, 'No traffic yet.'));
    return figure;
  }
  const t0 = Math.min(...all.map((p) => p.at));
  const t1 = Math.max(t0 + 1, ...all.map((p) => p.at));
  const max = fixedMax ?? Math.max(1, ...all.map((p) => value(p) ?? 0)) * 1.1;
  const x = (t: number): number => pad.l + ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r);
  const y = (v: number): number => height - pad.b - (v / max) * (height - pad.t - pad.b);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${title} for ${series.map(([k]) => k).join(', ')}` });
  for (const frac of [0, 0.5, 1]) {
    root.append(svg('line', { x1: pad.l, x2: width - pad.r, y1: y(max * frac), y2: y(max * frac), class: 'grid' }));
    const label = svg('text', { x: pad.l - 4, y: y(max * frac) + 4, 'text-anchor': 'end', class: 'axis' });
    label.textContent = format(max * frac);
    root.append(label);
  }
  const legend = h('ul', { class: 'legend' });
  series.forEach(([key, pts], i) => {
    const points = pts.filter((p) => value(p) !== null).map((p) => `${x(p.at).toFixed(1)},${y(value(p) ?? 0).toFixed(1)}`).join(' ');
    root.append(svg('polyline', { points, class: `series series-${i % 5}`, 'stroke-dasharray': SERIES_STYLES[i % 5] }));
    const last = pts.at(-1);
    const swatch = svg('svg', { width: 28, height: 10, 'aria-hidden': 'true' });
    swatch.append(svg('line', { x1: 0, x2: 28, y1: 5, y2: 5, class: `series series-${i % 5}`, 'stroke-dasharray': SERIES_STYLES[i % 5] }));
    legend.append(h('li', {}, swatch, ` ${key}: ${last && value(last) !== null ? format(value(last) ?? 0) : '–'}`));
  });
  figure.append(root, legend);
  return figure;
}

export function renderCharts(container: HTMLElement): void {
  clear(container,
    chart('Success rate over time', (p) => p.success_rate, (v) => `${Math.round(v * 100)}%`, 1),
    chart('p50 latency over time', (p) => p.p50_ms, (v) => ms(v)));
}
