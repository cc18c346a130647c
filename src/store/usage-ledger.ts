// The usage ledger: one entry per upstream attempt that delivered images or was billed, kept apart
// from jobs so that reports outlive job retention. Reports group it by key, model, deployment or day.

export interface UsageEntry {
  jobId: string;
  attempt: number;
  /** Epoch ms when the attempt ended. */
  at: number;
  /** Managed key id, `static:<hash prefix>` for a key from `auth.keys`, or `anonymous`. */
  keyId: string;
  keyName: string;
  /** The model route the client named. */
  model: string;
  deployment: string;
  /** Images delivered by this attempt (0 when lost). */
  images: number;
  /** Billed but delivered nothing. */
  lost: boolean;
  textInputTokens: number;
  imageInputTokens: number;
  imageOutputTokens: number;
  textOutputTokens: number;
  costUsd: number;
}

export const USAGE_GROUPS = ['key', 'model', 'deployment', 'day'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageQuery {
  groupBy: UsageGroup;
  /** Inclusive lower bound, epoch ms. */
  fromMs?: number;
  /** Exclusive upper bound, epoch ms. */
  toMs?: number;
}

export interface UsageRow {
  /** The group's id: key id, model route, deployment id or UTC day (YYYY-MM-DD). */
  id: string;
  /** A display name: the key's name; the id otherwise. */
  name: string;
  images: number;
  attempts: number;
  lostAttempts: number;
  textInputTokens: number;
  imageInputTokens: number;
  imageOutputTokens: number;
  textOutputTokens: number;
  costUsd: number;
  lostCostUsd: number;
}

export interface UsageLedger {
  /** Records an entry; recording the same (jobId, attempt) again replaces it. */
  record(entry: UsageEntry): Promise<void>;
  /** One row per group, sorted by id. */
  summarize(query: UsageQuery): Promise<UsageRow[]>;
  close(): Promise<void>;
}

/** The group id of an entry (memory implementation and tests). */
export function groupIdOf(entry: UsageEntry, groupBy: UsageGroup): string {
  switch (groupBy) {
    case 'key': return entry.keyId;
    case 'model': return entry.model;
    case 'deployment': return entry.deployment;
    case 'day': return new Date(entry.at).toISOString().slice(0, 10);
  }
}

/** Rounds a sum of costs to a millionth of a dollar, as each cost is. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1_000_000) / 1_000_000;
}

/** One row per group of the entries in the query's range, sorted by id (memory and Redis). */
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
