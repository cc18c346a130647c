// Reads a whole SSE response the way a client sees it: frames, comment lines, raw text.
import { request } from 'undici';
import { createParser } from 'eventsource-parser';

export interface SseFrame {
  event?: string;
  id?: string;
  data: string;
  json: Record<string, unknown>;
}

export interface SseResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  frames: SseFrame[];
  comments: number;
  raw: string;
}

export async function readSse(url: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: unknown; stopAfterFrames?: number } = {}): Promise<SseResult> {
  const res = await request(url, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const frames: SseFrame[] = [];
  let comments = 0;
  let raw = '';
  const parser = createParser({
    onEvent: (e) => {
      let json: Record<string, unknown> = {};
      try { json = JSON.parse(e.data) as Record<string, unknown>; } catch { /* non-JSON data stays in .data */ }
      frames.push({ event: e.event, id: e.id, data: e.data, json });
    },
    onComment: () => { comments += 1; },
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    const text = decoder.decode(chunk as Buffer, { stream: true });
    raw += text;
    parser.feed(text);
    if (init.stopAfterFrames !== undefined && frames.length >= init.stopAfterFrames) {
      res.body.destroy();
      break;
    }
  }
  return { status: res.statusCode, headers: res.headers, frames, comments, raw };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: Record<string, unknown> }> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.body.text();
  let json: Record<string, unknown>;
  try { json = JSON.parse(text) as Record<string, unknown>; } catch { json = { text }; }
  return { status: res.statusCode, headers: res.headers, json };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, json: JSON.parse(text) as Record<string, unknown> };
}

/**
 * Checks a whole OpenAI-format SSE body (wire-format §8.1): only `event:` + `data:` frames ending
 * in one blank line, and `: keepalive\n` comments between frames, never followed by a blank line;
 * no `id:` or `retry:` line anywhere. Returns the number of keepalives.
 */
export function assertOpenAIWireForm(raw: string): number {
  const token = /: keepalive\n|(?:event: [^\n]+\n)?data: [^\n]*\n\n/y;
  let keepalives = 0;
  let at = 0;
  while (at < raw.length) {
    token.lastIndex = at;
    const m = token.exec(raw);
    if (!m) throw new Error(`not OpenAI SSE wire form at byte ${at}: ${JSON.stringify(raw.slice(at, at + 120))}`);
    if (m[0] === ': keepalive\n') keepalives += 1;
    at = token.lastIndex;
  }
  if (/^(id|retry):/m.test(raw)) throw new Error('an id: or retry: line in an OpenAI-format stream');
  return keepalives;
}
