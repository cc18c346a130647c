// Plain-words descriptions of schema nodes ("integer ≥ 1 or null", "one of 'azure', 'openai'"),
// shared by validation messages (schema-errors.ts) and the generated reference (reference.ts).
import { Kind, type TSchema } from '@sinclair/typebox';

function bounds(schema: TSchema): string {
  const parts: string[] = [];
  if (typeof schema.exclusiveMinimum === 'number') parts.push(`> ${schema.exclusiveMinimum}`);
  if (typeof schema.minimum === 'number') parts.push(`≥ ${schema.minimum}`);
  if (typeof schema.maximum === 'number') parts.push(`≤ ${schema.maximum}`);
  return parts.length === 0 ? '' : ` ${parts.join(', ')}`;
}

function describeUnion(variants: readonly TSchema[]): string {
  if (variants.every((v) => v[Kind] === 'Literal')) {
    return `one of ${variants.map((v) => `'${String(v.const)}'`).join(', ')}`;
  }
  return variants.map(describeSchema).join(' or ');
}

function describeString(schema: TSchema): string {
  if (typeof schema.errorMessage === 'string' && schema.errorMessage.startsWith('must be ')) {
    return schema.errorMessage.slice('must be '.length).replace(/^an? /, '');
  }
  return 'string';
}

/** A short type description without article: `integer ≥ 1`, `list of string`. */
export function describeSchema(schema: TSchema): string {
  switch (schema[Kind]) {
    case 'Union': return describeUnion(schema.anyOf as TSchema[]);
    case 'Literal': return `'${String(schema.const)}'`;
    case 'Integer': return `integer${bounds(schema)}`;
    case 'Number': return `number${bounds(schema)}`;
    case 'String': return describeString(schema);
    case 'Boolean': return 'boolean';
    case 'Null': return 'null';
    case 'Array': return `list of ${describeSchema(schema.items as TSchema)}`;
    case 'Record': return 'map';
    case 'Object': return 'mapping';
    default: return 'value';
  }
}

/** `must be …` phrasing for validation messages. */
export function mustBe(schema: TSchema): string {
  const text = describeSchema(schema)
    .replace(/^boolean$/, 'true or false')
    .replace(/^map$|^mapping$/, 'mapping')
    .replace(/^list of (\w+)$/, 'list of $1s');
  if (/^(one of|null|true|')/.test(text)) return `must be ${text}`;
  return `must be ${/^([aeiou]|http)/i.test(text) ? 'an' : 'a'} ${text}`;
}
