// ConfigError: every problem found in a config file, each as `path: reason`. Thrown by load.ts only;
// the CLI prints the issues one per line and exits 2.

export interface ConfigIssue {
  /** Dotted key path (`deployments.sweden.base_url`, `auth.keys[0]`), or `file:line:col` for YAML syntax. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${issue.message}`;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(sourceName: string, issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 error' : `${issues.length} errors`;
    super(`invalid configuration ${sourceName} (${count}):\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
