/**
 * Matching EQ stage: a target curve for mid and for side (gains in dB at band centres), each realised
 * as an FIR (fir.ts) and applied by FFT convolution.
 *
 * - Curve: monotone cubic through the points on a log-frequency axis, constant beyond the first and
 *   last point (monotoneCurve). A channel whose gains are all 0 dB is flat: it is not filtered but
 *   delayed by the same latency, bit-exact; with both flat the stage is a no-op (latency 0).
 * - FIR length L = firLength(fs) (0.37 s: 16384 at 44.1/48 kHz, 32768 at 88.2/96 kHz).
 *   phase 'linear': L−1 taps, symmetric, filter delay (L−2)/2; 'minimum': L taps, filter delay 0.
 * - Convolution: overlap-save with one partition on an FFT of N = 4·2^⌈log2 L⌉ points (65536 at
 *   44.1 kHz), i.e. blocks of B = N − L + 1 samples (49154 for linear phase at 44.1 kHz). Measured
 *   per output sample and channel (PFFFT WASM, 16383 taps): N = 2L 7.8 ns, 4L 5.5 ns, 8L 5.2 ns
 *   (but no faster end to end: cache); uniform partitions of 2048 … 8192 taps cost the same as 2L
 *   (the transforms per sample do not shrink), so the larger FFT is what saves time. Samples are
 *   collected into whole blocks at fixed positions from the start, which makes the output
 *   independent of the caller's block cutting, at the price of B samples of buffering delay. So
 *   `latency` = B + filter delay (linear: 57345 samples at 44.1 kHz, minimum: 49153); the renderer
 *   compensates it like any look-ahead.
 * - Both channels filtered: L and R go into the transforms as they are and the mid/side matrix is
 *   applied to the spectra (MidSideConvolver): the same four transforms per block as separate mid
 *   and side convolutions, but only block copies in JS (the per-sample matrixing cost as much as a
 *   third of the transforms). A mono input still gives bit-identical channels, silence exact zeros.
 * - One channel filtered: mid = (L+R)/2 and side = (L−R)/2 are formed per sample, the filtered one
 *   convolved (FftConvolver), the flat one only delayed, and L = M+S, R = M−S rounded to float32 once.
 */
import { isPowerOfTwo, MIN_FFT_SIZE } from '../analysis/fft.js';
import type { MatchEqParams } from '../chain/spec.js';
import {
  designLinearPhaseFir,
  designMinimumPhaseFir,
  FftConvolver,
  firLength,
  type GainCurve,
  MidSideConvolver,
  monotoneCurve,
} from './fir.js';
import type { StereoProcessor } from './processor.js';

export interface MatchEqCurves {
  /** The interpolated target curves in dB; null for a flat (all 0 dB) channel. */
  mid: GainCurve | null;
  side: GainCurve | null;
}

export function matchEqCurves(params: MatchEqParams): MatchEqCurves {
  const curve = (gains: number[]): GainCurve | null =>
    params.frequenciesHz.length === 0 || gains.every((g) => g === 0) ? null : monotoneCurve(params.frequenciesHz, gains);
  return { mid: curve(params.midGainsDb), side: curve(params.sideGainsDb) };
}

export interface MatchEqOptions {
  /** FIR length (default firLength(fs)); linear phase uses taps − 1 when even, to stay symmetric about a whole sample. */
  taps?: number;
  /** Convolution FFT size, a power of two ≥ 2·taps (default FFT_OVERSIZE · 2^⌈log2 taps⌉); the block is fftSize − taps + 1. */
  fftSize?: number;
}

/** FFT size of the convolution relative to the FIR length (rounded up to a power of two); see the file comment. */
export const FFT_OVERSIZE = 4;

export interface MatchEqProcessor extends StereoProcessor {
  /** The FIRs applied to mid and side; null where the channel is flat (only delayed). */
  readonly midTaps: Float32Array | null;
  readonly sideTaps: Float32Array | null;
  /** Delay of the filters themselves: (N−1)/2 for linear phase, 0 for minimum phase. */
  readonly filterDelay: number;
  /** Samples collected per FFT block: the buffering part of `latency` (0 when the stage is a no-op). */
  readonly blockSize: number;
  /** Releases the WebAssembly memory of the FFTs (also released when the processor is garbage-collected). */
  free(): void;
}

/** Frees a processor's FFT memory if it is dropped without free(). */
const finalizer = new FinalizationRegistry<{ free(): void }>((convolver) => convolver.free());

/**
 * Collects samples into convolution blocks at fixed positions from the start (so the output does not
 * depend on the caller's block cutting) and hands out the previous block's output meanwhile.
 */
abstract class BlockMatchEq implements MatchEqProcessor {
  readonly latency: number;
  /** Position inside the current block. */
  private pos = 0;
  private freed = false;

  constructor(
    readonly midTaps: Float32Array | null,
    readonly sideTaps: Float32Array | null,
    readonly filterDelay: number,
    readonly blockSize: number,
    private readonly convolver: { free(): void },
  ) {
    this.latency = blockSize + filterDelay;
    finalizer.register(this, convolver, this);
  }

  process(left: Float32Array, right: Float32Array): void {
    if (this.freed) throw new Error('match EQ: process() after free()');
    const length = left.length;
    const b = this.blockSize;
    let pos = this.pos;
    for (let i = 0; i < length; ) {
      const end = Math.min(length, i + b - pos);
      this.exchange(left, right, i, end, pos);
      pos += end - i;
      i = end;
      if (pos === b) {
        this.runBlock();
        pos = 0;
      }
    }
    this.pos = pos;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    finalizer.unregister(this);
    this.convolver.free();
  }

  /** Stores samples [start, end) at `pos` of the block being collected and replaces them by the output there. */
  protected abstract exchange(left: Float32Array, right: Float32Array, start: number, end: number, pos: number): void;
  protected abstract runBlock(): void;
}

/** Both channels filtered: L/R straight into MidSideConvolver, which does the mid/side matrix in the frequency domain. */
class StereoMatchEq extends BlockMatchEq {
  private readonly inL: Float32Array;
  private readonly inR: Float32Array;
  private readonly outL: Float32Array;
  private readonly outR: Float32Array;

  constructor(midTaps: Float32Array, sideTaps: Float32Array, filterDelay: number, blockSize: number, private readonly conv: MidSideConvolver) {
    super(midTaps, sideTaps, filterDelay, blockSize, conv);
    this.inL = new Float32Array(blockSize);
    this.inR = new Float32Array(blockSize);
    this.outL = new Float32Array(blockSize);
    this.outR = new Float32Array(blockSize);
  }

  protected exchange(left: Float32Array, right: Float32Array, start: number, end: number, pos: number): void {
    const n = end - start;
    this.inL.set(left.subarray(start, end), pos);
    this.inR.set(right.subarray(start, end), pos);
    left.set(this.outL.subarray(pos, pos + n), start);
    right.set(this.outR.subarray(pos, pos + n), start);
  }

  protected runBlock(): void {
    this.conv.process(this.inL, this.inR, this.outL, this.outR);
  }
}

/**
 * One channel filtered, the other flat: mid and side formed per sample, the flat one only delayed by
 * `latency` (so it comes out bit-exact), the filtered one convolved.
 */
class OneSidedMatchEq extends BlockMatchEq {
  private readonly input: Float32Array;
  private readonly output: Float32Array;
  private readonly delay: Float32Array;
  private at = 0;
  private readonly midFiltered: boolean;

  constructor(midTaps: Float32Array | null, sideTaps: Float32Array | null, filterDelay: number, blockSize: number, private readonly conv: FftConvolver) {
    super(midTaps, sideTaps, filterDelay, blockSize, conv);
    this.midFiltered = midTaps !== null;
    this.input = new Float32Array(blockSize);
    this.output = new Float32Array(blockSize);
    this.delay = new Float32Array(this.latency);
  }

  protected exchange(left: Float32Array, right: Float32Array, start: number, end: number, pos: number): void {
    const input = this.input, output = this.output, delay = this.delay, midFiltered = this.midFiltered;
    let at = this.at;
    for (let i = start, p = pos; i < end; i++, p++) {
      const l = left[i], r = right[i];
      const m = 0.5 * (l + r), s = 0.5 * (l - r);
      const flatIn = midFiltered ? s : m;
      input[p] = midFiltered ? m : s;
      const filtered = output[p], flat = delay[at];
      delay[at] = flatIn;
      at = at + 1 === delay.length ? 0 : at + 1;
      const ym = midFiltered ? filtered : flat, ys = midFiltered ? flat : filtered;
      left[i] = ym + ys;
      right[i] = ym - ys;
    }
    this.at = at;
  }

  protected runBlock(): void {
    this.conv.process(this.input, this.output);
  }
}

const BYPASS: MatchEqProcessor = {
  latency: 0,
  midTaps: null,
  sideTaps: null,
  filterDelay: 0,
  blockSize: 0,
  process: () => {},
  free: () => {},
};

export function createMatchEq(params: MatchEqParams, sampleRate: number, options: MatchEqOptions = {}): MatchEqProcessor {
  const curves = matchEqCurves(params);
  if (!curves.mid && !curves.side) return { ...BYPASS };
  const length = options.taps ?? firLength(sampleRate);
  const linear = params.phase === 'linear';
  const taps = linear && length % 2 === 0 ? length - 1 : length;
  const fftSize = options.fftSize ?? Math.max(MIN_FFT_SIZE, FFT_OVERSIZE * 2 ** Math.ceil(Math.log2(taps)));
  if (!(isPowerOfTwo(fftSize) && fftSize >= Math.max(MIN_FFT_SIZE, 2 * taps))) throw new RangeError(`match EQ: FFT size must be a power of two ≥ 2·taps, got ${fftSize}`);
  const design = (curve: GainCurve | null) =>
    curve ? (linear ? designLinearPhaseFir(curve, sampleRate, taps) : designMinimumPhaseFir(curve, sampleRate, taps)) : null;
  const midTaps = design(curves.mid), sideTaps = design(curves.side);
  const filterDelay = linear ? (taps - 1) / 2 : 0, blockSize = fftSize - taps + 1;
  if (midTaps && sideTaps) return new StereoMatchEq(midTaps, sideTaps, filterDelay, blockSize, new MidSideConvolver(midTaps, sideTaps, blockSize, fftSize));
  return new OneSidedMatchEq(midTaps, sideTaps, filterDelay, blockSize, new FftConvolver((midTaps ?? sideTaps)!, blockSize, fftSize));
}
