// Fills defaults into the parsed file: schema defaults at every depth (TypeBox's Value.Default stops
// at maps such as `models`), provider-dependent defaults (`defaultByProvider`), and empty sections.
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isPlainObject } from './key-path.js';

function isSectionSchema(schema: TSchema): boolean {
  return (schema[Kind] === 'Object' || schema[Kind] === 'Record') && schema.default !== undefined;
}

function prepareObject(schema: TSchema, value: Record<string, unknown>): void {
  const properties = schema.properties as Record<string, TSchema>;
  const provider = value.provider;
  for (const [key, property] of Object.entries(properties)) {
    // `auth:` with every child commented out parses as null: treat it as an empty section.
    if (value[key] === null && isSectionSchema(property)) delete value[key];
    const byProvider = property.defaultByProvider as Record<string, unknown> | undefined;
    if (byProvider !== undefined && value[key] === undefined) {
      // An unknown provider is reported on `provider`; null here avoids a second, misleading error.
      value[key] = typeof provider === 'string' && provider in byProvider ? byProvider[provider] : null;
    }
  }
}

/** Returns `value` (mutated in place where it is an object) with every default applied. */
export function applyDefaults(schema: TSchema, value: unknown): unknown {
  if (schema[Kind] === 'Object' && isPlainObject(value)) prepareObject(schema, value);
  const filled: unknown = Value.Default(schema, value);
  if (schema[Kind] === 'Object' && isPlainObject(filled)) {
    for (const [key, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
      if (filled[key] !== undefined) filled[key] = applyDefaults(property, filled[key]);
    }
  } else if (schema[Kind] === 'Record' && isPlainObject(filled)) {
    const entrySchema = Object.values(schema.patternProperties as Record<string, TSchema>)[0];
    if (entrySchema !== undefined) {
      for (const key of Object.keys(filled)) filled[key] = applyDefaults(entrySchema, filled[key]);
    }
  } else if (schema[Kind] === 'Array' && Array.isArray(filled)) {
    return filled.map((item: unknown) => applyDefaults(schema.items as TSchema, item));
  }
  return filled;
}
