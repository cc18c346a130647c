// Renders docs/configuration.md from the schema: one table per section with key path, type,
// default and description. scripts/gen-config-doc.ts writes it; reference.test.ts keeps it current.
import { Kind, OptionalKind, type TSchema } from '@sinclair/typebox';
import { ConfigSchema } from './schema.js';
import { describeSchema } from './schema-describe.js';

interface Row {
  path: string;
  schema: TSchema;
  required: boolean;
}

function code(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

function defaultText(row: Row): string {
  const { schema } = row;
  if (schema.default !== undefined) return code(schema.default);
  const byProvider = schema.defaultByProvider as Record<string, unknown> | undefined;
  if (byProvider !== undefined) return Object.entries(byProvider).map(([p, v]) => `${p}: ${code(v)}`).join('; ');
  return row.required ? '**required**' : 'not set';
}

function typeText(schema: TSchema): string {
  if (schema[Kind] === 'Record') {
    const entry = Object.values(schema.patternProperties as Record<string, TSchema>)[0];
    return `map of name → ${entry === undefined ? 'value' : typeText(entry)}`;
  }
  if (schema[Kind] === 'Array') return `list of ${typeText(schema.items as TSchema)}`;
  const base = describeSchema(schema);
  if (schema.secretKind !== undefined) return `${base} (secret)`;
  if (schema[Kind] === 'Union' && (schema.anyOf as TSchema[]).some((v) => v.secretKind !== undefined)) return `${base} (secret)`;
  return base;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function rowsOf(schema: TSchema, path: string): Row[] {
  if (schema[Kind] === 'Record') {
    const entry = Object.values(schema.patternProperties as Record<string, TSchema>)[0];
    if (entry !== undefined && (schema.default === undefined || entry[Kind] === 'Object')) return rowsOf(entry, `${path}.<name>`);
    return [];
  }
  if (schema[Kind] !== 'Object') return [];
  const rows: Row[] = [];
  for (const [key, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const child = `${path}.${key}`;
    const optional = property[OptionalKind] === 'Optional';
    const isTable = property[Kind] === 'Object';
    // A nested mapping gets its own row only when it may be left out (rate_limit); its keys follow.
    if (!isTable || optional) rows.push({ path: child, schema: property, required: !optional && property.default === undefined });
    if (isTable) rows.push(...rowsOf(property, child));
  }
  return rows;
}

function renderSection(name: string, schema: TSchema): string {
  const rows = rowsOf(schema, name);
  const lines = [
    `## ${name}`,
    '',
    String(schema.description ?? ''),
    '',
    '| key | type | default | description |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${r.path}\` | ${cell(typeText(r.schema))} | ${cell(defaultText(r))} | ${cell(String(r.schema.description ?? ''))} |`),
  ];
  return lines.join('\n');
}

const INTRO = `# Configuration reference

<!-- Generated from src/config/schema.ts by \`npx tsx scripts/gen-config-doc.ts\`; do not edit by hand. -->

holdfast reads one YAML file (\`holdfast.yaml\`, or \`--config <file>\`). \`holdfast init\` writes a
commented example and \`holdfast config check <file>\` validates a file and prints the resolved
configuration with secrets masked.

- Every key except \`models\` and \`deployments\` is optional; a missing section means all its defaults.
- Any value may be written \`env:NAME\`: it is replaced by the environment variable \`NAME\`
  (converted to a number or boolean where the key expects one), and an unset or empty variable
  is an error. Keys typed *secret* are kept wrapped and are never
  printed or logged; write them as \`env:NAME\` (a literal is accepted with a warning).
- Unknown keys are errors. An invalid file is refused at start with \`path: reason\` for every
  error, and \`config check\` exits with code 2.
- Durations are integers in milliseconds (\`_ms\`), sizes in bytes (\`_bytes\`).
`;

export function renderConfigReference(): string {
  const sections = Object.entries(ConfigSchema.properties as Record<string, TSchema>).map(([name, s]) => renderSection(name, s));
  return `${INTRO}\n${sections.join('\n\n')}\n`;
}
