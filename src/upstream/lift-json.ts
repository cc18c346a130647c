// Parses an upstream's JSON answer, or one SSE event's data, whose image fields are tens of MB of
// base64, without JSON.parse walking and copying them (issue 11): each long `"b64_json": "…"` string
// with no escape in it is cut out (from bytes: one latin1 copy, the cheapest; from text: a slice),
// the few hundred bytes around it are parsed, and the cut strings are put back where they were.
// Anything unusual (an escape, a key inside another string, a placeholder that does not come back
// exactly once) falls back to JSON.parse of the whole, so the result is always JSON.parse's.

import { isAscii } from 'node:buffer';

const LIFT_AT_LEAST = 4096;
const PLACEHOLDER = '\u0000holdfast-lifted:';
/** The placeholder as it is written in JSON text (a raw U+0000 is not allowed in a JSON string). */
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER).slice(1, -1);

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

interface Restoring {
  lifted: readonly string[];
  /** Indexes put back; each must be exactly once. */
  seen: Set<number>;
  /** Strings that look like a placeholder, the body's own included: must be as many as were lifted. */
  found: number;
}

/** Puts the lifted strings back where their placeholders are. */
function restore(value: unknown, r: Restoring): unknown {
  const { lifted, seen } = r;
  if (typeof value === 'string') {
    if (!value.startsWith(PLACEHOLDER)) return value;
    r.found += 1;
    const index = Number(value.slice(PLACEHOLDER.length));
    if (!Number.isInteger(index) || index < 0 || index >= lifted.length || seen.has(index)) return value;
    seen.add(index);
    return lifted[index];
  }
  if (Array.isArray(value)) return value.map((item) => restore(item, r));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = restore(item, r);
    return out;
  }
  return value;
}

/** The JSON text with its long `field` strings replaced by placeholders, and those strings, in order. */
export function liftStrings(source: Source, field = 'b64_json'): { rest: string; lifted: string[] } {
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
    // From bytes the cut is a latin1 copy: only ASCII reads the same as UTF-8 (base64 always does).
    if (typeof source !== 'string' && !isAscii(source.subarray(open + 1, close))) continue;
    parts.push(text(source, from, open + 1), `${PLACEHOLDER_JSON}${lifted.length}`);
    lifted.push(typeof source === 'string' ? source.slice(open + 1, close) : source.toString('latin1', open + 1, close));
    from = close;
    at = close - key.length;
  }
  parts.push(text(source, from, source.length));
  return { rest: parts.join(''), lifted };
}

/** JSON.parse of a body (bytes or text) with its long `field` strings lifted out of the parse. */
export function parseJsonLifting(source: Source, field = 'b64_json'): unknown {
  const whole = (): unknown => parseJson(typeof source === 'string' ? source : source.toString('utf8'));
  const { rest: text, lifted } = liftStrings(source, field);
  if (lifted.length === 0) return whole();
  const rest = parseJson(text);
  const r: Restoring = { lifted, seen: new Set(), found: 0 };
  const value = rest === undefined ? undefined : restore(rest, r);
  return value !== undefined && r.seen.size === lifted.length && r.found === lifted.length ? value : whole();
}
