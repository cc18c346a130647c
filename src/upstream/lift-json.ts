// Parses an upstream's JSON answer, or one SSE event's data, whose image fields are tens of MB of
// base64, without JSON.parse walking and copying them (issue 11): each long `"b64_json": "…"` string
// with no escape in it is cut out (from bytes: one latin1 copy, the cheapest; from text: a slice),
// the few hundred bytes around it are parsed, and the cut strings are put back where they were.
// Anything unusual (an escape, a key inside another string, a placeholder that does not come back
// exactly once) falls back to JSON.parse of the whole, so the result is always JSON.parse's.

const LIFT_AT_LEAST = 4096;
const PLACEHOLDER = '\u0000holdfast-lifted:';

/** The text as JSON; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type Source = string | Buffer;

const text = (source: Source, start: number, end: number): string =>
  (typeof source === 'string' ? source.slice(start, end) : source.toString('utf8', start, end));
const codeAt = (source: Source, at: number): number => (typeof source === 'string' ? source.charCodeAt(at) : source[at]);
const isSpace = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

function skipSpace(source: Source, at: number): number {
  let i = at;
  while (i < source.length && isSpace(codeAt(source, i))) i += 1;
  return i;
}

/** Puts the lifted strings back; how many placeholders were replaced (each must be exactly once). */
function restore(value: unknown, lifted: readonly string[], seen: Set<number>): unknown {
  if (typeof value === 'string') {
    if (!value.startsWith(PLACEHOLDER)) return value;
    const index = Number(value.slice(PLACEHOLDER.length));
    if (!Number.isInteger(index) || index < 0 || index >= lifted.length || seen.has(index)) return value;
    seen.add(index);
    return lifted[index];
  }
  if (Array.isArray(value)) return value.map((item) => restore(item, lifted, seen));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = restore(item, lifted, seen);
    return out;
  }
  return value;
}

/** JSON.parse of a body (bytes or text) with its long `field` strings lifted out of the parse. */
export function parseJsonLifting(source: Source, field = 'b64_json'): unknown {
  const key = JSON.stringify(field);
  const lifted: string[] = [];
  const parts: string[] = [];
  let from = 0;
  for (let at = source.indexOf(key); at >= 0; at = source.indexOf(key, at + key.length)) {
    const colon = skipSpace(source, at + key.length);
    if (codeAt(source, colon) !== 0x3a) continue;
    const open = skipSpace(source, colon + 1);
    if (codeAt(source, open) !== 0x22) continue;
    const close = source.indexOf('"', open + 1);
    if (close < 0) break;
    const escape = source.indexOf('\\', open + 1);
    if ((escape >= 0 && escape < close) || close - open - 1 < LIFT_AT_LEAST) continue;
    parts.push(text(source, from, open + 1), `${PLACEHOLDER}${lifted.length}`);
    lifted.push(typeof source === 'string' ? source.slice(open + 1, close) : source.toString('latin1', open + 1, close));
    from = close;
    at = close - key.length;
  }
  const whole = (): unknown => parseJson(typeof source === 'string' ? source : source.toString('utf8'));
  if (lifted.length === 0) return whole();
  parts.push(text(source, from, source.length));
  const rest = parseJson(parts.join(''));
  const seen = new Set<number>();
  const value = rest === undefined ? undefined : restore(rest, lifted, seen);
  return value !== undefined && seen.size === lifted.length ? value : whole();
}
