// After validation: wraps every secret-bearing string in a Secret (warning about literal keys in
// the file) and deep-freezes the result, so components can trust and share it.
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { ConfigIssue } from './config-error.js';
import { isPlainObject, joinPath } from './key-path.js';
import { Secret } from './secret.js';

interface WrapContext {
  sources: ReadonlyMap<string, string>;
  warnings: ConfigIssue[];
}

function wrapString(schema: TSchema, value: string, path: string, ctx: WrapContext): Secret {
  const source = ctx.sources.get(path);
  if (source === undefined && schema.secretKind === 'key') {
    ctx.warnings.push({ path, message: 'is a literal secret in the file; prefer env:NAME' });
  }
  return new Secret(value, source ?? 'literal');
}

function wrap(schema: TSchema, value: unknown, path: string, ctx: WrapContext): unknown {
  if (typeof schema.secretKind === 'string' && typeof value === 'string') return wrapString(schema, value, path, ctx);
  switch (schema[Kind]) {
    case 'Union': {
      const variant = (schema.anyOf as TSchema[]).find((v) => Value.Check(v, value));
      return variant === undefined ? value : wrap(variant, value, path, ctx);
    }
    case 'Array':
      return Array.isArray(value) ? value.map((item: unknown, i) => wrap(schema.items as TSchema, item, joinPath(path, i), ctx)) : value;
    case 'Object': {
      if (!isPlainObject(value)) return value;
      // Keys come out in schema order, so `config check` prints sections as the reference lists them.
      const properties = schema.properties as Record<string, TSchema>;
      const keys = Object.keys(properties).filter((k) => k in value);
      return Object.fromEntries(keys.map((k) => [k, wrap(properties[k] as TSchema, value[k], joinPath(path, k), ctx)]));
    }
    case 'Record': {
      const entrySchema = Object.values(schema.patternProperties as Record<string, TSchema>)[0];
      if (!isPlainObject(value) || entrySchema === undefined) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrap(entrySchema, v, joinPath(path, k), ctx)]));
    }
    default:
      return value;
  }
}

/** Wraps secrets; `sources` maps display paths to `env:NAME` for values read from the environment. */
export function wrapSecrets(schema: TSchema, value: unknown, sources: ReadonlyMap<string, string>): { value: unknown; warnings: ConfigIssue[] } {
  const ctx: WrapContext = { sources, warnings: [] };
  return { value: wrap(schema, value, '', ctx), warnings: ctx.warnings };
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
