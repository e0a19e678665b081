/**
 * What every stage's DSP looks like to the renderer: a stateful object that processes consecutive
 * blocks of a stereo signal in place. Blocks may have any length; the output must not depend on how
 * the signal was cut into blocks (tests check this), and never on anything but the input, the
 * parameters and the sample rate (renders are bit-identical run to run).
 */
export interface StereoProcessor {
  /** Samples of delay the processor adds (look-ahead, linear-phase FIR); the renderer removes it. */
  readonly latency: number;
  /** Processes the next block in place. */
  process(left: Float32Array, right: Float32Array): void;
}

/** Filter states below this are flushed to zero once per block, long before they could turn denormal (slow on x86). */
export const DENORMAL_GUARD = 1e-30;

export function flushDenormal(v: number): number {
  return v > DENORMAL_GUARD || v < -DENORMAL_GUARD ? v : 0;
}

/**
 * Cuts a processor's blocks at absolute multiples of `interval` samples (counted from the first sample
 * it ever saw) and flushes its states there: flushing a decaying state changes it, so flushing at
 * fixed positions is what keeps the output bit-identical whatever the caller's block sizes.
 */
export class FlushGrid {
  private phase = 0;

  constructor(readonly interval: number) {}

  /** Calls `chunk(start, length)` on consecutive pieces of [0, n), and `flush()` at every grid point. */
  run(n: number, chunk: (start: number, length: number) => void, flush: () => void): void {
    for (let start = 0; start < n; ) {
      const length = Math.min(n - start, this.interval - this.phase);
      chunk(start, length);
      start += length;
      this.phase += length;
      if (this.phase === this.interval) {
        this.phase = 0;
        flush();
      }
    }
  }
}
