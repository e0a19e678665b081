/**
 * Matching EQ stage: a target curve for mid and for side (gains in dB at band centres), each realised
 * as an FIR (fir.ts) and applied by FFT convolution.
 *
 * - Curve: monotone cubic through the points on a log-frequency axis, constant beyond the first and
 *   last point (monotoneCurve). A channel whose gains are all 0 dB is flat: it is not filtered but
 *   delayed by the same latency, bit-exact; with both flat the stage is a no-op (latency 0).
 * - FIR length L = firLength(fs) (0.37 s: 16384 at 44.1/48 kHz, 32768 at 88.2/96 kHz).
 *   phase 'linear': L−1 taps, symmetric, filter delay (L−2)/2; 'minimum': L taps, filter delay 0.
 * - Convolution: overlap-save on blocks of B = L samples (one partition, FFT size 2L: the cheapest
 *   per sample, see FftConvolver). Samples are collected into whole blocks at fixed positions from
 *   the start, which makes the output independent of the caller's block cutting, at the price of B
 *   samples of buffering delay. So `latency` = B + filter delay (linear: 24575 samples at 44.1 kHz,
 *   minimum: 16384); the renderer compensates it like any look-ahead.
 * - Mid = (L+R)/2 and side = (L−R)/2 are formed per sample, convolved separately (two real FFTs per
 *   block each way: as cheap as packing both into one complex FFT, and an all-zero channel stays
 *   exactly zero), and L = M+S, R = M−S is rounded to float32 once.
 */
import type { MatchEqParams } from '../chain/spec.js';
import {
  designLinearPhaseFir,
  designMinimumPhaseFir,
  FftConvolver,
  firLength,
  type GainCurve,
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
}

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
const finalizer = new FinalizationRegistry<FftConvolver[]>((convolvers) => {
  for (const c of convolvers) c.free();
});

/** The per-channel path: an FIR by block convolution, or (flat) a plain delay of `latency` samples. */
class Channel {
  readonly input: Float32Array;
  readonly output: Float32Array;
  private readonly delay: Float32Array | null;
  private at = 0;

  constructor(readonly convolver: FftConvolver | null, blockSize: number, latency: number) {
    this.input = new Float32Array(blockSize);
    this.output = new Float32Array(blockSize);
    this.delay = convolver ? null : new Float32Array(latency);
  }

  /** Pushes x and returns the output for the same instant (used only for flat channels). */
  delayed(x: number): number {
    const d = this.delay!;
    const y = d[this.at];
    d[this.at] = x;
    this.at = this.at + 1 === d.length ? 0 : this.at + 1;
    return y;
  }

  runBlock(): void {
    this.convolver?.process(this.input, this.output);
  }
}

class MatchEq implements MatchEqProcessor {
  readonly latency: number;
  readonly filterDelay: number;
  readonly blockSize: number;
  private readonly mid: Channel;
  private readonly side: Channel;
  private readonly convolvers: FftConvolver[];
  /** Position inside the current block. */
  private pos = 0;
  private freed = false;

  constructor(
    readonly midTaps: Float32Array | null,
    readonly sideTaps: Float32Array | null,
    filterDelay: number,
    blockSize: number,
  ) {
    this.filterDelay = filterDelay;
    this.blockSize = blockSize;
    this.latency = blockSize + filterDelay;
    const midConv = midTaps ? new FftConvolver(midTaps, blockSize) : null;
    const sideConv = sideTaps ? new FftConvolver(sideTaps, blockSize) : null;
    this.mid = new Channel(midConv, blockSize, this.latency);
    this.side = new Channel(sideConv, blockSize, this.latency);
    this.convolvers = [midConv, sideConv].filter((c): c is FftConvolver => c !== null);
    finalizer.register(this, this.convolvers, this);
  }

  process(left: Float32Array, right: Float32Array): void {
    if (this.freed) throw new Error('match EQ: process() after free()');
    const length = left.length;
    const b = this.blockSize;
    const mid = this.mid, side = this.side;
    const midIn = mid.input, midOut = mid.output, sideIn = side.input, sideOut = side.output;
    const midFiltered = mid.convolver !== null, sideFiltered = side.convolver !== null;
    let pos = this.pos;
    for (let i = 0; i < length; i++) {
      const l = left[i], r = right[i];
      const m = 0.5 * (l + r), s = 0.5 * (l - r);
      let ym: number, ys: number;
      if (midFiltered) {
        ym = midOut[pos];
        midIn[pos] = m;
      } else {
        ym = mid.delayed(m);
      }
      if (sideFiltered) {
        ys = sideOut[pos];
        sideIn[pos] = s;
      } else {
        ys = side.delayed(s);
      }
      left[i] = ym + ys;
      right[i] = ym - ys;
      if (++pos === b) {
        mid.runBlock();
        side.runBlock();
        pos = 0;
      }
    }
    this.pos = pos;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    finalizer.unregister(this);
    for (const c of this.convolvers) c.free();
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
  const design = (curve: GainCurve | null) =>
    curve ? (linear ? designLinearPhaseFir(curve, sampleRate, taps) : designMinimumPhaseFir(curve, sampleRate, taps)) : null;
  // One partition: the block holds the whole FIR (FftConvolver handles up to blockSize + 1 taps in one).
  const blockSize = 2 ** Math.ceil(Math.log2(taps));
  return new MatchEq(design(curves.mid), design(curves.side), linear ? (taps - 1) / 2 : 0, blockSize);
}
