// UsageLedger in memory: for tests and `store.kind: memory`.
import { summarizeEntries, type UsageEntry, type UsageLedger, type UsageQuery, type UsageRow } from '../usage-ledger.js';

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
