// UsageLedger in memory: for tests and `store.kind: memory`.
import { groupIdOf, roundUsd, type UsageEntry, type UsageLedger, type UsageQuery, type UsageRow } from '../usage-ledger.js';

export function summarizeEntries(entries: Iterable<UsageEntry>, query: UsageQuery): UsageRow[] {
  const rows = new Map<string, UsageRow>();
  for (const e of entries) {
    if (query.fromMs !== undefined && e.at < query.fromMs) continue;
    if (query.toMs !== undefined && e.at >= query.toMs) continue;
    const id = groupIdOf(e, query.groupBy);
    let row = rows.get(id);
    if (!row) {
      row = {
        id, name: query.groupBy === 'key' ? e.keyName : id, images: 0, attempts: 0, lostAttempts: 0,
        textInputTokens: 0, imageInputTokens: 0, imageOutputTokens: 0, textOutputTokens: 0, costUsd: 0, lostCostUsd: 0,
      };
      rows.set(id, row);
    }
    row.images += e.images;
    row.attempts += 1;
    row.lostAttempts += e.lost ? 1 : 0;
    row.textInputTokens += e.textInputTokens;
    row.imageInputTokens += e.imageInputTokens;
    row.imageOutputTokens += e.imageOutputTokens;
    row.textOutputTokens += e.textOutputTokens;
    row.costUsd = roundUsd(row.costUsd + e.costUsd);
    if (e.lost) row.lostCostUsd = roundUsd(row.lostCostUsd + e.costUsd);
  }
  return [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export class MemoryUsageLedger implements UsageLedger {
  private readonly entries = new Map<string, UsageEntry>();

  async record(entry: UsageEntry): Promise<void> {
    this.entries.set(`${entry.jobId}#${entry.attempt}`, { ...entry });
  }

  async summarize(query: UsageQuery): Promise<UsageRow[]> {
    return summarizeEntries(this.entries.values(), query);
  }

  async close(): Promise<void> {}
}
