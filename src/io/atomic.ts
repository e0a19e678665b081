/**
 * Writing output files safely: the bytes go to a temporary file in the destination directory, which
 * is renamed over the destination only once complete, so a failure never leaves a partial file; and
 * no output may land on one of the command's input files.
 */
import { randomBytes } from 'node:crypto';
import { open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AudioFileError } from '../util/errors.js';

/** Real path of `p`, or of its directory plus its name when `p` does not exist yet. */
async function canonical(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    try {
      return join(await realpath(dirname(resolve(p))), basename(p));
    } catch {
      return resolve(p);
    }
  }
}

/** Throws when `path` is one of `inputs` (same path after symlinks, or the same file by device and inode). */
export async function refuseInputs(path: string, inputs: string[]): Promise<void> {
  if (inputs.length === 0) return;
  const target = await canonical(path);
  const targetStat = await stat(path).catch(() => null);
  for (const input of inputs) {
    const same = (await canonical(input)) === target;
    const inputStat = targetStat ? await stat(input).catch(() => null) : null;
    // dev + inode also catches hard links and case-insensitive file systems.
    const sameFile = targetStat && inputStat && targetStat.dev === inputStat.dev && targetStat.ino === inputStat.ino;
    if (same || sameFile) throw new AudioFileError(path, `is also an input file (${input}); refusing to overwrite it`);
  }
}

function writeProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'cannot write: the directory does not exist';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'cannot write: permission denied';
    case 'ENOSPC':
      return 'cannot write: no space left on the device';
    case 'EDQUOT':
      return 'cannot write: disk quota exceeded';
    default:
      return `cannot write (${code ?? String(err)})`;
  }
}

/** Runs `fill` on a temporary file beside `path`, then renames it to `path`; on any failure the temporary file is removed. */
export async function writeFileAtomic(path: string, fill: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>, inputs: string[] = []): Promise<void> {
  const existing = await stat(path).catch(() => null);
  if (existing?.isDirectory()) throw new AudioFileError(path, 'is a directory');
  await refuseInputs(path, inputs);
  const temp = join(dirname(resolve(path)), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | null;
  try {
    handle = await open(temp, 'wx');
  } catch (err) {
    throw new AudioFileError(path, writeProblem(err));
  }
  try {
    const h = handle;
    await fill(async (bytes) => {
      for (let at = 0; at < bytes.length; ) at += (await h.write(bytes, at, bytes.length - at)).bytesWritten;
    });
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(temp, path);
  } catch (err) {
    await handle?.close().catch(() => {});
    await unlink(temp).catch(() => {});
    if (err instanceof Error && !(err as NodeJS.ErrnoException).code) throw err; // a bug (e.g. NaN), keep its stack
    throw new AudioFileError(path, writeProblem(err));
  }
}

export function writeTextFile(path: string, text: string, inputs: string[] = []): Promise<void> {
  return writeFileAtomic(path, (write) => write(new TextEncoder().encode(text)), inputs);
}
