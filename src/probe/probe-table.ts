// The probe report as an aligned text table, one row per deployment.
import type { ProbeReport } from './probe.js';

const seconds = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);

export function formatProbeTable(report: ProbeReport): string {
  const clustered = report.deployments.some((r) => r.cluster);
  const header = ['deployment', 'region', 'ok/sent', 'success', 'p50', 'p95', 'errors by kind', '408', '429', ...(clustered ? ['cluster circuit', 'cluster budget'] : [])];
  const rows = report.deployments.map((r) => [
    r.deployment,
    r.region ?? '-',
    `${r.successes}/${r.requests}`,
    r.success_rate === null ? '-' : `${Math.round(r.success_rate * 100)} %`,
    seconds(r.p50_ms),
    seconds(r.p95_ms),
    Object.entries(r.errors).map(([kind, n]) => `${kind}: ${n}`).join(', ') || '-',
    String(r.status_408),
    String(r.status_429),
    ...(clustered ? [r.cluster?.circuit ?? '-', String(r.cluster?.budget_remaining ?? '-')] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const title = `probe: ${report.count} x ${report.size} ${report.quality} per deployment`;
  return [title, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}
