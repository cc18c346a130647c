// Runs one `holdfast <command>` as a real child process (`node --import tsx src/main.ts …`), with a
// time limit: the child is SIGKILLed when the limit passes or the test ends, whichever comes first.
import type { TestContext } from 'node:test';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..');
const mainModule = join(repoRoot, 'src', 'main.ts');

export interface CliRun {
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  stdout(): string;
  /** Resolves once the output matches (the count-th match with `count`); rejects if the child exits first or after timeoutMs. */
  waitFor(pattern: RegExp, options?: { count?: number; timeoutMs?: number }): Promise<void>;
  /** The exit code (null when killed), once the child is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(t: TestContext, args: string[], options: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', mainModule, ...args], {
    cwd: options.cwd ?? repoRoot, env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let all = '';
  let out = '';
  const listeners = new Set<() => void>();
  const changed = (): void => {
    for (const fn of listeners) fn();
  };
  child.stdout.on('data', (c: Buffer) => { all += c.toString(); out += c.toString(); changed(); });
  child.stderr.on('data', (c: Buffer) => { all += c.toString(); changed(); });
  const exited = (once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>).then(([code, signal]) => ({ code, signal }));
  const limit = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  void exited.then(() => clearTimeout(limit));
  t.after(async () => {
    clearTimeout(limit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    output: () => all,
    stdout: () => out,
    exited,
    waitFor(pattern, o = {}) {
      const count = o.count ?? 1;
      const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
      const matched = (): boolean => (all.match(global)?.length ?? 0) >= count;
      return new Promise<void>((resolve, reject) => {
        const done = (error?: Error): void => {
          listeners.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const check = (): void => {
          if (matched()) done();
        };
        const timer = setTimeout(() => done(new Error(`timed out waiting for ${pattern} x${count} in:\n${all}`)), o.timeoutMs ?? 30_000);
        listeners.add(check);
        void exited.then(({ code, signal }) => {
          if (!matched()) done(new Error(`holdfast ${args[0]} exited (${code ?? signal}) before ${pattern} x${count}:\n${all}`));
        });
        check();
      });
    },
  };
}

/** Runs to the end and returns the exit code and output. */
export async function runCli(t: TestContext, args: string[], options: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {}): Promise<{ code: number | null; output: string; stdout: string }> {
  const run = startCli(t, args, options);
  const { code } = await run.exited;
  return { code, output: run.output(), stdout: run.stdout() };
}
