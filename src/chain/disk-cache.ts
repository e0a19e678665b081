/**
 * The tweak loop across command-line runs: the pre-limiter signal of a render is kept on disk,
 * keyed by the input file's identity, the refmaster version and the parameters of every stage
 * before the limiter, so the next run that changes only the limiter or the output starts there.
 * Files are written to a temp name and renamed, so a crash never leaves a corrupt entry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VERSION } from '../util/version.js';

export interface CachedSignal {
  signal: [Float32Array, Float32Array];
  meta: unknown;
}

export class DiskCache {
  constructor(readonly dir: string) {}

  /** Identity of an input file: resolved path, size and modification time (a changed file is a new entry). */
  static async inputId(path: string): Promise<string> {
    const s = await stat(path);
    return `${resolve(path)}|${s.size}|${s.mtimeMs}`;
  }

  key(...parts: string[]): string {
    return createHash('sha256').update([VERSION, ...parts].join('\n')).digest('hex');
  }

  async get(key: string): Promise<CachedSignal | null> {
    try {
      const [bytes, meta] = await Promise.all([readFile(join(this.dir, `${key}.f32`)), readFile(join(this.dir, `${key}.json`), 'utf8')]);
      const all = bytes.byteOffset % 4 === 0
        ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
        : new Float32Array(new Uint8Array(bytes).buffer);
      const n = all.length / 2;
      return { signal: [all.subarray(0, n), all.subarray(n)], meta: JSON.parse(meta) };
    } catch {
      return null; // a missing or unreadable entry is a miss
    }
  }

  async put(key: string, signal: [Float32Array, Float32Array], meta: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const write = async (name: string, data: Uint8Array | string) => {
      const temp = join(this.dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await writeFile(temp, data);
        await rename(temp, join(this.dir, name));
      } catch (err) {
        await unlink(temp).catch(() => {});
        throw err;
      }
    };
    const [l, r] = signal;
    const bytes = new Uint8Array(l.byteLength + r.byteLength);
    bytes.set(new Uint8Array(l.buffer, l.byteOffset, l.byteLength), 0);
    bytes.set(new Uint8Array(r.buffer, r.byteOffset, r.byteLength), l.byteLength);
    // The signal first: an entry counts only once its metadata exists.
    await write(`${key}.f32`, bytes);
    await write(`${key}.json`, JSON.stringify(meta));
  }
}
