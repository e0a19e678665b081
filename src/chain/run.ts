/**
 * Running processors over a whole signal, block by block, with their latency removed: the
 * processors see the input followed by `latency` zeros, and the first `latency` output samples
 * are dropped, so the output lines up with the input sample for sample.
 */
import type { StereoProcessor } from '../dsp/processor.js';

export const BLOCK_SIZE = 4096;

export function runProcessors(
  processors: StereoProcessor[], left: Float32Array, right: Float32Array, blockSize = BLOCK_SIZE,
): [Float32Array, Float32Array] {
  const n = left.length;
  const latency = processors.reduce((sum, p) => sum + p.latency, 0);
  const outL = new Float32Array(n), outR = new Float32Array(n);
  const bl = new Float32Array(blockSize), br = new Float32Array(blockSize);
  for (let start = 0; start < n + latency; start += blockSize) {
    const len = Math.min(blockSize, n + latency - start);
    const l = len === blockSize ? bl : bl.subarray(0, len);
    const r = len === blockSize ? br : br.subarray(0, len);
    const avail = Math.max(0, Math.min(len, n - start));
    l.set(left.subarray(start, start + avail));
    r.set(right.subarray(start, start + avail));
    l.fill(0, avail);
    r.fill(0, avail);
    for (const p of processors) p.process(l, r);
    // Output sample j of this block is the processed input sample start + j − latency.
    const first = Math.max(0, latency - start);
    const to = start + first - latency;
    const count = Math.min(len - first, n - to);
    if (count > 0) {
      outL.set(l.subarray(first, first + count), to);
      outR.set(r.subarray(first, first + count), to);
    }
  }
  return [outL, outR];
}
