// Azurite (the official Azure Storage emulator, npm `azurite`) for tests: the blob service on a
// free port of 127.0.0.1 with a temp workspace and no telemetry, stopped and removed after the test.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const blobMain = join(import.meta.dirname, '..', '..', 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');

// Azurite's published development account (docs: "Use the Azurite emulator", well-known key).
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  connectionString: string;
  port: number;
  /** Stops the emulator now (the cleanup then only removes its folder). */
  stop(): Promise<void>;
}


/** Whatever registers cleanups: a TestContext, or a file-level list run in after(). */
export interface CleanupScope {
  after(fn: () => Promise<void>): unknown;
}

/** Starts azurite-blob and resolves once it listens; `t.after` stops it and deletes its folder. */
export async function startAzurite(t: CleanupScope): Promise<RunningAzurite> {
  const location = mkdtempSync(join(tmpdir(), 'holdfast-azurite-'));
  const child = spawn(process.execPath, [blobMain, '--blobHost', '127.0.0.1', '--blobPort', '0', '--location', location,
    '--silent', '--skipApiVersionCheck', '--loose', '--disableTelemetry'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  t.after(async () => {
    await stop();
    rmSync(location, { recursive: true, force: true });
  });
  const output: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      const match = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`azurite exited before listening:\n${output.join('\n')}`)));
  });
  return {
    port, stop,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`,
  };
}
