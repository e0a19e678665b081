import type { ByteSource } from './byte-source.js';

/** One IFF-style chunk: a 4-character id, then its body at `offset` of `size` bytes (as declared). */
export interface Chunk {
  id: string;
  offset: number;
  size: number;
}

export function fourCC(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/**
 * Lists the chunks from `start` to the end of the source (RIFF: little-endian sizes; IFF/AIFF: big-endian).
 * Bodies of odd size are followed by a pad byte (EA IFF 85 / RIFF rule). Stops at a chunk header cut short by
 * the end of the file; a body that runs past the end is still listed, with its declared size, so the caller can
 * report exactly what is missing. Reads only the 8-byte headers.
 */
export async function listChunks(src: ByteSource, start: number, littleEndian: boolean): Promise<{ chunks: Chunk[]; truncated: boolean }> {
  const chunks: Chunk[] = [];
  let at = start;
  while (at + 8 <= src.size) {
    const head = await src.read(at, 8);
    const view = new DataView(head.buffer, head.byteOffset, 8);
    const size = view.getUint32(4, littleEndian);
    chunks.push({ id: fourCC(head, 0), offset: at + 8, size });
    at += 8 + size + (size & 1);
  }
  // Truncated: no chunk at all, a header cut short (a single leftover byte is a missing pad byte, which some
  // writers omit), or a last body that runs past the end.
  const last = chunks[chunks.length - 1];
  const truncated = !last || at < src.size - 1 || last.offset + last.size > src.size;
  return { chunks, truncated };
}
