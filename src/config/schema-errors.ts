// Turns TypeBox's validation errors into `path: reason` issues, one per path, in file order.
import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import type { ConfigIssue } from './config-error.js';
import { pointerToPath } from './key-path.js';
import { mustBe } from './schema-describe.js';
import { closestKey } from './closest-key.js';

/** `unknown key`, with the closest key of that section when the name looks like a typo of it. */
function unknownKey(error: ValueError): string {
  const segment = error.path.split('/').at(-1) ?? '';
  const name = segment.replaceAll('~1', '/').replaceAll('~0', '~');
  const known = Object.keys((error.schema.properties ?? {}) as Record<string, unknown>);
  const suggestion = closestKey(name, known);
  return suggestion ? `unknown key (did you mean '${suggestion}'?)` : 'unknown key';
}

function reasonOf(error: ValueError): string {
  const schema: TSchema = error.schema;
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      // For maps (models, deployments, headers) the key itself is the problem, not its presence.
      return schema.patternProperties === undefined
        ? unknownKey(error)
        : String(schema.keyErrorMessage ?? 'is not an allowed name');
    case ValueErrorType.ObjectRequiredProperty: return 'is required';
    case ValueErrorType.ObjectMinProperties: return 'must have at least one entry';
    case ValueErrorType.ArrayMinItems: return `must list at least ${String(schema.minItems)}`;
    case ValueErrorType.StringMinLength: return 'must not be empty';
    case ValueErrorType.StringPattern:
      return typeof schema.errorMessage === 'string' ? schema.errorMessage : `must match ${String(schema.pattern)}`;
    default: return mustBe(schema);
  }
}

/** Validation issues, skipping paths that already have an issue (e.g. a missing env variable). */
export function schemaIssues(schema: TSchema, value: unknown, knownPaths: ReadonlySet<string>): ConfigIssue[] {
  const seen = new Set(knownPaths);
  const issues: ConfigIssue[] = [];
  for (const error of Value.Errors(schema, value)) {
    const path = pointerToPath(error.path, value);
    if (seen.has(path)) continue;
    seen.add(path);
    issues.push({ path, message: reasonOf(error) });
  }
  return issues;
}
