// Big answers written in pieces (issue 11): a 25 MB image is 35 MB of base64, and building the
// client's JSON or SSE frame as one string held it several times over. These build the text around
// the image instead and encode the image as it is read, so what is held is one chunk at a time.

/** Text written in pieces, in order; read once, when it is written. */
export type TextPieces = () => AsyncIterable<string>;

/** Base64 of a byte stream, chunk by chunk as it comes (0–2 bytes carried to the next chunk). */
export async function* base64Pieces(source: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let carry: Buffer | undefined;
  for await (const chunk of source) {
    const bytes = carry ? Buffer.concat([carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const whole = bytes.length - (bytes.length % 3);
    if (whole > 0) yield bytes.toString('base64', 0, whole);
    carry = whole < bytes.length ? Buffer.from(bytes.subarray(whole)) : undefined;
  }
  if (carry) yield carry.toString('base64');
}

/** What a value to be filled in pieces is while the JSON around it is built (escaped, it matches no base64). */
export const FILL_PLACEHOLDER = '\u0000';

/**
 * `JSON.stringify(value)` with its `field` values that are FILL_PLACEHOLDER, in order of
 * appearance, filled by `fills` (text that needs no JSON escaping, such as base64).
 */
export function jsonWithFills(value: unknown, field: string, fills: readonly TextPieces[]): TextPieces {
  const text = JSON.stringify(value);
  const marker = `${JSON.stringify(field)}:${JSON.stringify(FILL_PLACEHOLDER)}`;
  const open = marker.length - JSON.stringify(FILL_PLACEHOLDER).length + 1;
  return async function* pieces() {
    let from = 0;
    for (const fill of fills) {
      const at = text.indexOf(marker, from);
      if (at < 0) throw new Error(`jsonWithFills: fewer placeholders in "${field}" than fills`);
      yield text.slice(from, at + open);
      yield* fill();
      from = at + marker.length - 1; // the closing quote
    }
    yield text.slice(from);
  };
}
