/**
 * The processor contract "the output does not depend on the block cutting" (src/dsp/processor.ts):
 * running a StereoProcessor block by block, and checking blocked runs against a one-shot run.
 */
import { expect } from 'vitest';
import type { StereoProcessor } from '../../src/dsp/processor.js';
import { firstDifference } from './bits.js';

/** Block sizes that catch off-by-one state hand-overs (1, 7), small blocks (64) and the renderer's size (4096). */
export const BLOCK_SIZES = [1, 7, 64, 4096] as const;

/** Processes l and r in place with `p`, in consecutive blocks of `block` samples (the last one shorter). */
export function runInBlocks(p: StereoProcessor, l: Float32Array, r: Float32Array, block: number): void {
  for (let i = 0; i < l.length; i += block) p.process(l.subarray(i, Math.min(l.length, i + block)), r.subarray(i, Math.min(r.length, i + block)));
}

export interface BlockCheckOptions<P> {
  /** What else must not depend on the cutting (e.g. gain-reduction stats), compared with toEqual. */
  stats?: (p: P) => unknown;
  /** Releases a processor once it has run (e.g. FFT memory). */
  free?: (p: P) => void;
}

/**
 * Processes copies of (left, right) one-shot, then in blocks of each of BLOCK_SIZES, each with a fresh
 * processor from `make`; expects every blocked output bit-identical to the one-shot one (and equal
 * `stats`, when given). Returns the one-shot output.
 */
export function expectBlockInvariant<P extends StereoProcessor>(
  make: () => P, left: Float32Array, right: Float32Array, options: BlockCheckOptions<P> = {},
): [Float32Array, Float32Array] {
  const ref = make();
  const l0 = left.slice(), r0 = right.slice();
  ref.process(l0, r0);
  const refStats = options.stats?.(ref);
  options.free?.(ref);
  for (const block of BLOCK_SIZES) {
    const p = make();
    const l = left.slice(), r = right.slice();
    runInBlocks(p, l, r, block);
    const stats = options.stats?.(p);
    options.free?.(p);
    expect(firstDifference(l, l0), `left, blocks of ${block}`).toBe(-1);
    expect(firstDifference(r, r0), `right, blocks of ${block}`).toBe(-1);
    if (options.stats) expect(stats, `stats, blocks of ${block}`).toEqual(refStats);
  }
  return [l0, r0];
}
