import { AudioFileError } from '../util/errors.js';
import { nonFiniteProblem } from './audio-checks.js';
import type { ByteSource } from './byte-source.js';
import { pcmToFloat, type PcmLayout } from './pcm.js';

/** About 4 MiB per read: few syscalls, small next to the decoded arrays. */
const BLOCK_BYTES = 1 << 22;

/**
 * Reads `frames` interleaved frames at `offset` block by block straight into pre-sized Float32Arrays, so
 * peak memory is the decoded samples plus one block, never the whole file plus a copy.
 */
export async function readPcmFrames(
  src: ByteSource,
  path: string,
  offset: number,
  frames: number,
  layout: PcmLayout,
  sampleRate: number,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let c = 0; c < layout.channels; c++) out.push(new Float32Array(frames));
  const frameBytes = layout.bytes * layout.channels;
  const blockFrames = Math.max(1, Math.floor(BLOCK_BYTES / frameBytes));
  const buffer = new Uint8Array(Math.min(frames, blockFrames) * frameBytes);
  for (let done = 0; done < frames; ) {
    const n = Math.min(blockFrames, frames - done);
    const bytes = await src.read(offset + done * frameBytes, n * frameBytes, buffer);
    if (bytes.length < n * frameBytes) {
      // The parsers check sizes first; this only happens if the file shrinks while we read it.
      throw new AudioFileError(path, 'file ended while reading sample data');
    }
    const bad = pcmToFloat(bytes, n, layout, out, done);
    if (bad) throw new AudioFileError(path, nonFiniteProblem(bad.value, bad.channel, done + bad.frame, sampleRate));
    done += n;
  }
  return out;
}
