// Runs `holdfast demo` as a real child process and reads the URLs it prints, for the first-run tests.
// The child is killed after the test if the test did not stop it itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface DemoProcess {
  gatewayUrl: string;
  simUrl: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Sends the signal to the demo's process group (as a terminal's Ctrl-C does) and resolves once the child is gone. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True while any process of the demo's group is alive. */
  groupAlive(): boolean;
}

/** Registers a clean-up step: `(fn) => t.after(fn)` in a test, or a module-level `after` for a shared demo. */
export type OnCleanup = (fn: () => Promise<void>) => void;

/** Spawns `command args` (a demo invocation) in `cwd` and resolves once the banner names both URLs. */
export async function spawnDemo(
  onCleanup: OnCleanup, command: string, args: string[], cwd: string, options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<DemoProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  // detached: the demo may run under npx (npm -> sh -> node); killing the group reaches the node process.
  const child = spawn(command, args, { cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGKILL');
      await exited;
    }
  });
  let text = '';
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => { text += `${line}\n`; });
  const found = await new Promise<{ gatewayUrl: string; simUrl: string; dataDir: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo printed no URLs within ${timeoutMs} ms:\n${text}`)), timeoutMs);
    if (!child.stdout) return reject(new Error('no stdout'));
    createInterface({ input: child.stdout }).on('line', (line) => {
      text += `${line}\n`;
      const gateway = /holdfast gateway: (http:\/\/\S+)/.exec(text);
      const sim = /simulator: +(http:\/\/\S+)/.exec(text);
      const data = /data \(SQLite \+ images\): (\S+)/.exec(text);
      if (gateway && sim && data) {
        clearTimeout(timer);
        resolve({ gatewayUrl: gateway[1], simUrl: sim[1], dataDir: data[1] });
      }
    });
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code ?? signal}) before printing its URLs:\n${text}`));
    });
  });
  return {
    ...found, child,
    output: () => text,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) killGroup(child, signal);
      const [code, sig] = await exited;
      return { code, signal: sig };
    },
    groupAlive() {
      if (child.pid === undefined) return false;
      try {
        process.kill(-child.pid, 0);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Signals the child's whole process group (it was spawned detached, so it leads one). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
