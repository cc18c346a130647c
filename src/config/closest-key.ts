// "Did you mean": the known key closest to a mistyped one (Damerau-Levenshtein distance, small
// enough to be a typo), so `config check` can say `unknown key (did you mean 'idle_timeout_ms'?)`.

/** Edits (insert, delete, substitute, swap two neighbours) between a and b. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidate closest to `name`, if it is close enough to be what was meant; undefined otherwise. */
export function closestKey(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase().replaceAll('-', '_');
  let best: { key: string; distance: number } | undefined;
  for (const key of candidates) {
    const distance = editDistance(lower, key.toLowerCase());
    if (!best || distance < best.distance) best = { key, distance };
  }
  if (!best) return undefined;
  const allowed = Math.max(1, Math.min(3, Math.floor(best.key.length / 3)));
  // A key with a known key as its prefix or suffix (`idle_timeout` for `idle_timeout_ms`) is close too.
  const affix = lower.length >= 4 && candidates.find((k) => k.startsWith(lower) || lower.startsWith(k) || k.endsWith(lower));
  if (best.distance <= allowed) return best.key;
  return affix || undefined;
}
