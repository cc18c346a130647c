// BlobStore on local disk: key `a/b/c` is the file `<root>/a/b/c`. Writes go to a temp file under
// `<root>/.tmp` and are renamed into place, so a reader never sees half a blob. A buffer takes as
// few file-system calls as it can (a small call's image is written at every job's end): the temp
// file's open/write/close and one rename; folders are made only when a call says they are missing;
// its size is the buffer's, not a stat. The calls stay asynchronous: on a busy disk a metadata call
// can block for a millisecond, which must not stop the event loop.
import { randomUUID } from 'node:crypto';
import { createWriteStream, type Dirent } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../blob-store.js';

export interface DiskBlobStoreOptions {
  root: string;
}

const tempDirName = '.tmp';

export class DiskBlobStore implements BlobStore {
  private readonly root: string;

  constructor(options: DiskBlobStoreOptions) {
    this.root = options.root;
  }

  async put(key: string, data: Buffer | Readable): Promise<{ sizeBytes: number }> {
    const target = this.pathOf(key);
    const temp = join(this.root, tempDirName, randomUUID());
    const makeTempDir = (): Promise<unknown> => mkdir(dirname(temp), { recursive: true });
    try {
      let size: number;
      if (Buffer.isBuffer(data)) {
        await whenMissing(() => writeFile(temp, data), makeTempDir);
        size = data.length;
      } else {
        // A stream cannot be written twice: its folder is made first.
        await makeTempDir();
        await pipeline(data, createWriteStream(temp));
        size = (await stat(temp)).size;
      }
      await whenMissing(() => rename(temp, target), () => mkdir(dirname(target), { recursive: true }));
      return { sizeBytes: size };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async open(key: string): Promise<Readable | undefined> {
    const path = this.pathOf(key);
    const handle = await ifExists(() => open(path, 'r'));
    return handle?.createReadStream();
  }

  async read(key: string): Promise<Buffer | undefined> {
    const path = this.pathOf(key);
    return ifExists(() => readFile(path));
  }

  async deletePrefix(prefix: string): Promise<void> {
    // Only the folder the prefix points into is walked, not the whole store.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const base = folder === '' ? this.root : this.pathOf(folder.slice(0, -1));
    if (folder === prefix && folder !== '') {
      await rm(base, { recursive: true, force: true });
      return;
    }
    for (const file of await this.files(base)) {
      if (this.keyOf(file).startsWith(prefix)) await rm(file, { force: true });
    }
  }

  async usageBytes(): Promise<number> {
    let total = 0;
    for (const file of await this.files(this.root)) total += (await ifExists(() => stat(file)))?.size ?? 0;
    return total;
  }

  /** Readiness: writes and removes a probe file where blobs are written (throws when it cannot). */
  async probeWritable(): Promise<void> {
    const probe = join(this.root, tempDirName, `readyz-${randomUUID()}`);
    await mkdir(dirname(probe), { recursive: true });
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
  }

  async close(): Promise<void> {}

  /** The file of a key; refuses keys that could leave the root or collide with temp files. */
  private pathOf(key: string): string {
    const parts = key.split('/');
    const bad = parts.some((p) => p === '' || p.startsWith('.') || p.includes('\\') || p.includes('\0'));
    if (bad) throw new Error(`invalid blob key ${JSON.stringify(key)}`);
    return join(this.root, ...parts);
  }

  private keyOf(file: string): string {
    return relative(this.root, file).split(sep).join('/');
  }

  /** Every blob file under dir; empty when dir is missing. Dot names (the temp dir) are never keys. */
  private async files(dir: string): Promise<string[]> {
    const entries: Dirent[] = (await ifExists(() => readdir(dir, { withFileTypes: true }))) ?? [];
    const out: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) out.push(...(await this.files(path)));
      else if (entry.isFile()) out.push(path);
    }
    return out;
  }
}

/** Runs fn; when it fails with "no such file", runs make (the missing folders) and fn once more. */
async function whenMissing(fn: () => Promise<void>, make: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    await make();
    await fn();
  }
}

/** Runs fn, mapping "no such file" to undefined. */
async function ifExists<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
}
