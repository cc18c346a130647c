// Reads YAML text into plain data. Syntax errors (and duplicate keys) become issues at `file:line:col`.
import { parseDocument } from 'yaml';
import type { ConfigIssue } from './config-error.js';

export type YamlResult = { ok: true; value: unknown } | { ok: false; issues: ConfigIssue[] };

export function parseYamlText(text: string, sourceName: string): YamlResult {
  // YAML 1.2 core schema: `2025-04-01-preview` and `2025-04-01` stay strings, `no` is not false.
  const doc = parseDocument(text, { version: '1.2', schema: 'core', prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, issues: doc.errors.map((e) => toIssue(e.message, e.linePos?.[0], sourceName)) };
  }
  // toJS throws on what parsing lets through (an alias to no anchor, too many aliases): still an issue.
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    return { ok: false, issues: [toIssue(error instanceof Error ? error.message : String(error), undefined, sourceName)] };
  }
}

function toIssue(message: string, pos: { line: number; col: number } | undefined, sourceName: string): ConfigIssue {
  const firstLine = message.split('\n')[0] ?? message;
  const reason = firstLine.replace(/ at line \d+, column \d+:?$/, '');
  const where = pos === undefined ? sourceName : `${sourceName}:${pos.line}:${pos.col}`;
  return { path: where, message: `YAML syntax error: ${reason}` };
}
