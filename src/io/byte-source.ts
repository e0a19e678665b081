import { open, type FileHandle } from 'node:fs/promises';

/**
 * Random-access bytes of one input, from memory or from an open file, so the container parsers can
 * read headers and then stream the sample data in blocks without holding the whole file.
 */
export interface ByteSource {
  readonly size: number;
  /**
   * Bytes [offset, offset + length) clipped to the end of the source. `into` is a scratch buffer a file source
   * reads into (to reuse one block buffer); a memory source returns a view of its own bytes instead. Either way
   * the result is only valid until the next read.
   */
  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    async read(offset, length) {
      return bytes.subarray(offset, Math.min(bytes.length, offset + length));
    },
    async close() {},
  };
}

/** Opens `path` for reading; the caller maps open errors (ENOENT, EISDIR...) to user messages. */
export async function fileSource(path: string): Promise<ByteSource> {
  const handle: FileHandle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return {
      size,
      async read(offset, length, into) {
        const want = Math.max(0, Math.min(length, size - offset));
        const buf = into ?? new Uint8Array(want);
        let got = 0;
        while (got < want) {
          const { bytesRead } = await handle.read(buf, got, want - got, offset + got);
          if (bytesRead === 0) break; // the file shrank while we read it
          got += bytesRead;
        }
        return buf.subarray(0, got);
      },
      close: () => handle.close(),
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
