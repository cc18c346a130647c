// UsageLedger on SQLite: one row per (job, attempt); reports are one GROUP BY over the time index.
import type Database from 'better-sqlite3';
import { roundUsd, type UsageEntry, type UsageGroup, type UsageLedger, type UsageQuery, type UsageRow } from '../usage-ledger.js';
import type { SqliteHandle } from './sqlite-handle.js';

const GROUP_COLUMN: Record<UsageGroup, string> = {
  key: 'key_id',
  model: 'model',
  deployment: 'deployment',
  // at is epoch ms; SQLite's date() takes seconds with 'unixepoch' and answers the UTC day.
  day: "date(at / 1000, 'unixepoch')",
};

interface SummaryRow {
  id: string; name: string; images: number; attempts: number; lost_attempts: number;
  text_input_tokens: number; image_input_tokens: number; image_output_tokens: number; text_output_tokens: number;
  cost_usd: number; lost_cost_usd: number;
}

export class SqliteUsageLedger implements UsageLedger {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  constructor(private readonly handle: SqliteHandle) {
    this.db = handle.db;
    this.insert = this.db.prepare(`INSERT OR REPLACE INTO usage (job_id, attempt, at, key_id, key_name, model, deployment, images, lost,
      text_input_tokens, image_input_tokens, image_output_tokens, text_output_tokens, cost_usd)
      VALUES (@jobId, @attempt, @at, @keyId, @keyName, @model, @deployment, @images, @lost,
      @textInputTokens, @imageInputTokens, @imageOutputTokens, @textOutputTokens, @costUsd)`);
  }

  async record(entry: UsageEntry): Promise<void> {
    const row = { ...entry, lost: entry.lost ? 1 : 0 };
    await this.handle.write(() => this.insert.run(row));
  }

  async summarize(query: UsageQuery): Promise<UsageRow[]> {
    const group = GROUP_COLUMN[query.groupBy];
    const name = query.groupBy === 'key' ? 'MAX(key_name)' : group;
    const rows = await this.handle.read(() => this.db.prepare<[number, number], SummaryRow>(`
      SELECT ${group} AS id, ${name} AS name, SUM(images) AS images, COUNT(*) AS attempts, SUM(lost) AS lost_attempts,
        SUM(text_input_tokens) AS text_input_tokens, SUM(image_input_tokens) AS image_input_tokens,
        SUM(image_output_tokens) AS image_output_tokens, SUM(text_output_tokens) AS text_output_tokens,
        SUM(cost_usd) AS cost_usd, SUM(CASE WHEN lost = 1 THEN cost_usd ELSE 0 END) AS lost_cost_usd
      FROM usage WHERE at >= ? AND at < ? GROUP BY ${group} ORDER BY id`)
      .all(query.fromMs ?? Number.MIN_SAFE_INTEGER, query.toMs ?? Number.MAX_SAFE_INTEGER));
    return rows.map((r) => ({
      id: r.id, name: r.name, images: r.images, attempts: r.attempts, lostAttempts: r.lost_attempts,
      textInputTokens: r.text_input_tokens, imageInputTokens: r.image_input_tokens, imageOutputTokens: r.image_output_tokens,
      textOutputTokens: r.text_output_tokens, costUsd: roundUsd(r.cost_usd), lostCostUsd: roundUsd(r.lost_cost_usd),
    }));
  }

  async close(): Promise<void> {
    this.handle.release(this);
  }
}
