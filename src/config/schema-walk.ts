// Finds the schema of a child value (object key, map entry or list item), for code that walks the
// parsed file and the schema side by side.
import { Kind, type TSchema } from '@sinclair/typebox';

function containers(schema: TSchema): TSchema[] {
  return schema[Kind] === 'Union' ? (schema.anyOf as TSchema[]) : [schema];
}

export function childSchema(schema: TSchema | undefined, key: string | number): TSchema | undefined {
  if (schema === undefined) return undefined;
  for (const s of containers(schema)) {
    if (s[Kind] === 'Object' && typeof key === 'string') return (s.properties as Record<string, TSchema>)[key];
    if (s[Kind] === 'Record' && typeof key === 'string') return Object.values(s.patternProperties as Record<string, TSchema>)[0];
    if (s[Kind] === 'Array' && typeof key === 'number') return s.items as TSchema;
  }
  return undefined;
}

/**
 * Environment variables are strings; where the schema wants a number or a boolean, `env:PORT`
 * with PORT=9000 means 9000. Anything else stays a string and is reported by validation.
 */
export function coerceEnvValue(schema: TSchema | undefined, text: string): string | number | boolean {
  const kinds = schema === undefined ? [] : containers(schema).map((s) => s[Kind]);
  if ((kinds.includes('Integer') || kinds.includes('Number')) && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (kinds.includes('Boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}
