// SSE encoding shared by the gateway and the simulator: frames, the keepalive comment, the CR/LF guard.
// OpenAI-format streams carry only `event:` and `data:` lines (wire-format §8.1); job streams add `id:`.

/** One comment line, no blank line after it: safe between frames for every SDK (wire-format §8.1). */
export const KEEPALIVE = ': keepalive\n';

export interface SseFrame {
  event?: string;
  /** Already-serialised payload (usually one-line JSON). */
  data: string;
  id?: string;
}

function assertSingleLine(field: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new TypeError(`SSE ${field} must not contain CR or LF`);
}

/** Encodes one complete frame, ending with the blank line. Multi-line data is split into data lines. */
export function encodeSseFrame(frame: SseFrame): string {
  let out = '';
  if (frame.id !== undefined) {
    assertSingleLine('id', frame.id);
    out += `id: ${frame.id}\n`;
  }
  if (frame.event !== undefined) {
    assertSingleLine('event', frame.event);
    out += `event: ${frame.event}\n`;
  }
  for (const line of frame.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** Encodes a JSON-payload frame the way OpenAI does: `event: name` + one `data:` line. */
export function encodeJsonFrame(event: string, payload: unknown, id?: string): string {
  return encodeSseFrame({ event, data: JSON.stringify(payload), id });
}
