// The JSON body parser of every route: Fastify's route bodyLimit bounds the bytes, this bounds the
// nesting before JSON.parse runs, so no body can overflow a stack later (hashing, storing, SQLite's
// json functions refuse more than 1000 levels) or make a stored record unreadable.
import type { FastifyInstance } from 'fastify';
import { createError } from '../errors.js';

/** Deepest nesting of `[` / `{` outside strings; one linear pass, no recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return deepest;
}

export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (text.trim() === '') throw createError('invalid_json', [{ detail: 'The request body is empty; send a JSON object.' }]);
  if (jsonDepth(text) > maxDepth) {
    throw createError('invalid_json', [{ detail: `The request body nests deeper than ${maxDepth} levels.` }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw createError('invalid_json', [{ parseError: error instanceof Error ? error.message : String(error) }]);
  }
}

export function registerJsonParser(app: FastifyInstance, maxDepth: number): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(String(body), maxDepth));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
